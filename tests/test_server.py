"""`bahth serve` as a user runs it: a real waitress server in a subprocess, real HTTP."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ODD_IDS, running_server

from bahth.cli import main

BAHTH = [sys.executable, "-m", "bahth"]


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def test_serve_answers_the_page_and_the_json_twin(seeds_index: Path) -> None:
    with running_server(seeds_index) as address:
        status, content_type, page = get(address)
        assert status == 200 and content_type.startswith("text/html")
        assert '<html lang="ar" dir="rtl">' in page

        query = urllib.parse.quote("الحموشي")
        status, content_type, body = get(f"{address}api/search?q={query}")
        data = json.loads(body)
        assert status == 200 and content_type.startswith("application/json")
        assert data["total"] == 5, "every seed article names Hammouchi"
        assert all("<mark>" in hit["snippet_html"] for hit in data["hits"])

        status, _, page = get(f"{address}no/such/page")
        assert status == 404 and "Traceback" not in page


def test_serve_is_waitress_not_the_development_server(seeds_index: Path) -> None:
    with running_server(seeds_index) as address:
        with urllib.request.urlopen(address, timeout=30) as response:
            assert response.headers["Server"] == "bahth"  # waitress' ident, not Werkzeug


@pytest.mark.parametrize(
    "command", [["serve", "--port", "0"], ["stats"], ["search", "تمارة"]], ids=lambda c: c[0]
)
def test_every_command_without_an_index_says_the_same_thing(tmp_path: Path, command) -> None:
    """One message, one exit status: which folder has no index, and the command that builds
    one there (not seeds/, a folder an installed user does not have)."""
    missing = tmp_path / "none"
    result = subprocess.run(
        [*BAHTH, *command, "--index", str(missing)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert result.stderr == (
        f"bahth: There is no index at {missing}. "
        f"Build one with: bahth index PATH... --index {missing}\n"
    )


def test_serve_on_a_busy_port_says_so(seeds_index: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [*BAHTH, "serve", "--index", str(seeds_index), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "option",
    [
        "--port=-1",
        "--port=70000",
        "--threads=0",
        "--time-limit=0",
        "--time-limit=abc",
        "--header-timeout=-1",
        "--connection-limit=0",
        "--workers=0",
        "--cors=example.org",
        "--cors=https://example.org/path",
        "--cors=javascript:alert(1)",
    ],
)
def test_serve_rejects_bad_options(option: str) -> None:
    result = subprocess.run([*BAHTH, "serve", option], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_every_document_opens_from_its_link_on_the_real_server(odd_ids_index: Path) -> None:
    """Waitress decodes the path before Flask sees it: ids with "/", "..", "//", a newline,
    "?#%&" must still reach their own document through the link the results page gives."""
    with running_server(odd_ids_index) as address:
        for row in ODD_IDS:
            doc_id, word = row.values
            _, _, results = get(f"{address}search?q={word}")
            (link,) = re.findall(r'class="hit-title"[^>]*><a href="([^"]+)"', results)
            status, _, page = get(urllib.parse.urljoin(address, unescape(link)))
            assert status == 200, (doc_id, link)
            title = re.sub(r"<[^>]+>", "", re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)[1])
            assert title.strip() == f"وثيقة {word}", (doc_id, link)


@pytest.mark.parametrize("workers", ["1", "3"])
def test_serve_passes_its_options_to_the_server(seeds_index: Path, monkeypatch, workers) -> None:
    """The command is glue: its limits reach the server as they were given, one process
    (create_server: waitress) or several (create_multiprocess_server: gunicorn)."""
    given: dict = {}

    class Server:
        def run(self) -> None: ...

        def close(self) -> None: ...

    def create_server(index, **options):
        given.update(options, index=index)
        return Server()

    def create_multiprocess_server(index, **options):
        return create_server(index, **options), "http://127.0.0.1:1/"

    monkeypatch.setattr("bahth.web.server.create_server", create_server)
    monkeypatch.setattr("bahth.web.workers.create_multiprocess_server", create_multiprocess_server)
    monkeypatch.setattr(signal, "signal", lambda *args: None)  # leave pytest's SIGTERM alone
    options = ["--time-limit", "2.5", "--header-timeout", "4", "--connection-limit", "321"]
    options += ["--workers", workers, "--cors", "https://Example.org/", "--no-log-queries"]
    result = CliRunner().invoke(main, ["serve", "--index", str(seeds_index), *options])
    assert result.exit_code == 0, result.output
    assert (given["time_limit"], given["header_timeout"], given["connection_limit"]) == (
        2.5,
        4.0,
        321,
    )
    assert given["cors_origins"] == ("https://example.org",)
    assert given["log_queries"] is False
    assert given.get("workers", 1) == int(workers)


def test_the_server_gives_searches_its_time_limit(seeds_index: Path, monkeypatch) -> None:
    """create_server's time_limit reaches every search, and a search past it is a 503 (the
    server's WSGI application, through waitress's wrapper, with a search that times out)."""
    from werkzeug.test import Client

    from bahth.index.errors import SearchTimeout
    from bahth.search.engine import SearchEngine
    from bahth.web.server import create_server

    limits = []

    def search(self, q, *args, time_limit=None, **kwargs):
        limits.append(time_limit)
        raise SearchTimeout(time_limit or 1.0, "test")

    monkeypatch.setattr(SearchEngine, "search", search)
    server = create_server(seeds_index, port=0, time_limit=2.5)
    try:
        loopback = {"REMOTE_ADDR": "127.0.0.1"}  # what waitress puts in every request
        response = Client(server.application).get("/api/search?q=x", environ_base=loopback)
    finally:
        server.close()
    assert limits == [2.5]
    assert response.status_code == 503 and response.json["status"] == 503


def test_the_load_benchmark_runs(tmp_path: Path) -> None:
    """bench/load.py is how the README's web figures are measured: it must run (it broke
    unnoticed when the package moved). A short, small run of each kind the load table has
    (one process and two), with a rebuild and a one-document index during each: the outcome
    (rows, memory, no failed request), not the speed."""
    from conftest import ROOT, SEEDS

    index = tmp_path / "index"
    subprocess.run([*BAHTH, "index", str(SEEDS), "--index", str(index)], check=True, timeout=60)
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load.py"), "--index", str(index)]
        + ["--workers", "1,2", "--clients", "2", "--seconds", "1", "--reindex", str(SEEDS)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    rows = re.findall(
        r"^GET /api/search, (\d) workers?\s+2\s+(\d+) .* (\d+)\s+(\d+) / (\d+) / (\d+)$",
        result.stdout,
        re.M,
    )
    assert [r[0] for r in rows] == ["1", "2"], result.stdout
    for _, requests, errors, *memory in rows:
        assert int(requests) > 0 and errors == "0" and min(map(int, memory)) > 10
    assert len(re.findall(r"bahth index --rebuild: [\d.]+ s, exited 0", result.stdout)) == 2
    assert len(re.findall(r"index \(one document\): [\d.]+ s, exited 0", result.stdout)) == 2
    assert "baseline: SearchEngine.search" in result.stdout
    assert "Traceback" not in result.stderr


def test_the_load_benchmark_runs_beside_slow_clients(tmp_path: Path) -> None:
    """The row the issue asks for: the ordinary clients alone, then beside slow ones, and
    the ratio of their p95 (the outcome, not the speed). The slow queries are made from a
    corpus's words: here the seeds' texts, cut into articles."""
    from conftest import ROOT, SEEDS

    texts = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    data = tmp_path / "articles.jsonl"
    with data.open("w", encoding="utf-8") as out:
        for n in range(60):
            body = texts[n % len(texts)][(n * 97) % 500 :][:2500]
            out.write(json.dumps({"id": f"a{n}", "title": body[:60], "text": body}) + "\n")
    index = tmp_path / "index"
    subprocess.run([*BAHTH, "index", str(SEEDS), "--index", str(index)], check=True, timeout=60)
    command = [sys.executable, str(ROOT / "bench" / "load.py"), "--index", str(index)]
    command += ["--workers", "2", "--clients", "2", "--seconds", "1", "--no-baseline"]
    result = subprocess.run(
        [*command, "--slow-clients", "2", "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^GET /api/search, 2 workers, alone\s+2\s+\d+", result.stdout, re.M)
    assert re.search(r"^GET /api/search, 2 workers, beside\s+2\s+\d+", result.stdout, re.M)
    assert re.search(r"^  slow clients beside them\s+2\s+\d+", result.stdout, re.M)
    assert re.search(r"p95 [\d.]+ ms against [\d.]+ ms alone \(x[\d.]+;", result.stdout)
    missing = subprocess.run(
        [*command, "--slow-clients", "2", "--data", str(tmp_path / "none.jsonl.gz")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 2 and "not found" in missing.stderr


def test_several_workers_where_gunicorn_does_not_run_is_a_usage_error(
    seeds_index: Path, monkeypatch
) -> None:
    """gunicorn needs POSIX: elsewhere --workers 2 says so in one line (and the default is 1)."""
    import bahth.web.server as server

    monkeypatch.setattr(server, "multiprocess_supported", lambda: False)
    result = CliRunner().invoke(main, ["serve", "--index", str(seeds_index), "--workers", "2"])
    assert result.exit_code == 2
    assert "POSIX" in result.output and "--workers 1" in result.output
    assert server.default_workers() == 1


def test_serve_starts_without_a_whole_index_reader(seeds_index: Path, monkeypatch) -> None:
    """`bahth serve` named its index through stats(), which opens a Whoosh reader that holds
    a copy of every segment: 608 MB of peak memory on SaudiNewsNet before the first request
    (57 MB without). It opens the index once, in place, and names it by its location."""
    import bahth.web.server as server
    from bahth.index.whoosh.store import IndexStore

    def refuse(*args, **kwargs):
        raise AssertionError("stats() at start-up")

    class Stopped(Exception):
        pass

    class Server:
        def run(self) -> None:
            raise Stopped

        def close(self) -> None:
            pass

    monkeypatch.setattr(IndexStore, "stats", refuse)
    monkeypatch.setattr(server, "create_server", lambda *a, **k: Server())
    monkeypatch.setattr(server, "server_url", lambda *a: "http://127.0.0.1:1/")
    result = CliRunner().invoke(main, ["serve", "--index", str(seeds_index), "--workers", "1"])
    assert isinstance(result.exception, Stopped), result.output
    assert f"from {seeds_index.resolve()} with waitress" in result.output
