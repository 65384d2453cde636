"""Shared fixtures: real indexes built once per test session in a temporary folder.

Named for what they give (Datasette's habit): ``seeds_index`` is the five seed articles;
``news_index`` adds generated news items with sources and dates (enough for a second page of
results and for facets) and one hostile document whose fields are HTML/script.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

NEWS_SOURCES = ("هسبريس", "اليوم 24", "le360")
NEWS_YEARS = (2020, 2021, 2022, 2023, 2024)
NEWS_PLACES = ("الرباط", "الدار البيضاء", "طنجة", "فاس", "مراكش")
HOSTILE_TITLE = "<script>alert(1)</script>"


def generated_news(count: int = 15) -> list[dict]:
    """``count`` short news items about counter-terrorism, spread over sources and years, so
    a query for مكافحة الإرهاب finds them all (with the seeds: more than one page)."""
    news = []
    for n in range(count):
        place = NEWS_PLACES[n % len(NEWS_PLACES)]
        year = NEWS_YEARS[n % len(NEWS_YEARS)]
        news.append(
            {
                "id": f"news-{n:02d}",
                "title": f"تعاون أمني في {place} من أجل مكافحة الإرهاب ({n + 1})",
                "text": (
                    f"أعلنت السلطات في {place} عن اجتماع جديد حول مكافحة الإرهاب والجريمة"
                    f" المنظمة، بحضور ممثلين عن الأمن الوطني وشركاء دوليين مثل FBI.\n"
                    f"وأكد المشاركون أن التنسيق بين الأجهزة الأمنية يبقى أساس النجاح، وأن"
                    f" اللقاء رقم {n + 1} سيتبعه لقاء آخر قبل نهاية السنة."
                ),
                "source": NEWS_SOURCES[n % len(NEWS_SOURCES)],
                "date": f"{year}-0{1 + n % 9}-1{n % 10}T10:00:00",
                "url": f"https://example.org/news/{n}",
            }
        )
    return news


def hostile_document() -> dict:
    """Every field a user can see carries markup: all of it must show as text."""
    return {
        "id": "hostile-<b>1</b>",
        "title": HOSTILE_TITLE,
        "text": (
            'خبر عن مكافحة الإرهاب <img src=x onerror=alert(2)> & "اقتباس" </p><script>x</script>'
        ),
        "source": "<i>مصدر</i>",
        "date": "2019-05-05T00:00:00",
        "url": "javascript:alert(3)",
    }


# Document ids that a link must reach as they are, each with the reason it is here. Each
# document's title holds its own Latin word, so a search for the word finds it alone.
ODD_IDS = [
    pytest.param("a/b/../c", "alfa", id="dot-dot-inside"),
    pytest.param("../../etc/passwd", "bravo", id="traversal-shaped"),
    pytest.param("line\nbreak", "charlie", id="newline"),
    pytest.param("//x.example", "delta", id="double-slash-host-shaped"),
    pytest.param("a b?c#d%e&f=g", "echo", id="space-and-url-delimiters"),
    pytest.param("مقال/٢٠١٥/الأول", "foxtrot", id="arabic-with-slashes"),
    pytest.param("ends/", "golf", id="trailing-slash"),
    pytest.param("./x", "hotel", id="dot-slash-start"),
    pytest.param("%2F%2e%2e", "india", id="percent-encoding-as-text"),
    pytest.param("a\\b", "juliet", id="backslash"),
    pytest.param("tab\there+plus", "kilo", id="tab-and-plus"),
]


def odd_id_documents() -> list[dict]:
    return [
        {"id": row.values[0], "title": f"وثيقة {row.values[1]}", "text": "نص تجريبي لاختبار المعرف"}
        for row in ODD_IDS
    ]


@pytest.fixture(scope="session")
def odd_ids_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One document per ``ODD_IDS`` row, built once per session."""
    from bahth.search.engine import SearchEngine

    path = tmp_path_factory.mktemp("odd-ids") / "index"
    engine = SearchEngine(path)
    report = engine.add_documents(odd_id_documents())
    assert report.added == len(ODD_IDS), report.failures
    engine.close()
    return path


@pytest.fixture(scope="session")
def seeds_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the repository's seeds/ (five articles), built once per session."""
    from bahth.search.engine import SearchEngine

    path = tmp_path_factory.mktemp("seeds") / "index"
    engine = SearchEngine(path)
    engine.index_paths([SEEDS])
    engine.close()
    return path


@pytest.fixture(scope="session")
def news_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seeds + ``generated_news()`` + ``hostile_document()``, built once per session."""
    from bahth.search.engine import SearchEngine

    path = tmp_path_factory.mktemp("news") / "index"
    engine = SearchEngine(path)
    engine.index_paths([SEEDS])
    engine.add_documents([*generated_news(), hostile_document()])
    engine.close()
    return path


@dataclass
class Server:
    """A running ``bahth serve``: its address, its process, and what it printed so far."""

    address: str
    process: subprocess.Popen
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)

    def children(self) -> list[int]:
        """The process ids whose parent is the server (its workers, under gunicorn)."""
        return child_processes(self.process.pid)

    def workers(self, count: int, bound: float = 30.0) -> list[int]:
        """The server's ``count`` worker processes, once it has started them all (the address
        is printed as soon as the port listens: requests wait for the workers there)."""
        deadline = time.monotonic() + bound
        while len(found := self.children()) < count:
            assert time.monotonic() < deadline, f"{len(found)} workers after {bound} s"
            time.sleep(0.05)
        return found


def child_processes(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:  # field 4: the parent's id
                found.append(int(entry.name))
    return found


def _drain(stream, into: list[str]) -> None:
    """Read a pipe to its end, so the server never blocks writing its access log."""
    for line in stream:
        into.append(line)


def where(location) -> list[str]:
    """The command line's option naming an index: a folder's, or a cluster's URL."""
    cluster = str(location).split("://")[0] in ("sphinx", "manticore")
    return ["--backend" if cluster else "--index", str(location)]


@contextmanager
def engine_on(store: str, root: Path):
    """A new SearchEngine on ``store``: "folder" (an index folder under ``root``) or "cluster"
    (a real two-node cluster there, tests/test_sphinx_backend.py's LocalCluster, stopped at
    the end): for a rule that must hold on both stores' read paths."""
    from bahth.search.engine import SearchEngine

    local = None
    if store == "cluster":
        from tests.test_sphinx_backend import LocalCluster

        local = LocalCluster(root / "cluster")
    try:
        engine = SearchEngine(local.url if local else root / "index")
        try:
            yield engine
        finally:
            engine.close()
    finally:
        if local is not None:
            local.stop()


@contextmanager
def serving(
    index: Path, *options: str, workers: int | None = 1, timeout: float = 30.0, preexec_fn=None
) -> Iterator[Server]:
    """Run ``bahth serve --port 0 [--workers N] OPTIONS`` (any free port) as a real
    subprocess; yield it once it prints its address; stop it with SIGTERM. Fails the test if
    the server exits before printing an address. ``workers=None`` leaves the default (one per
    CPU). ``preexec_fn`` runs in the child before bahth starts (e.g. to lower a limit)."""
    command = [sys.executable, "-m", "bahth", "serve", *where(index), "--port", "0"]
    if workers is not None:
        command += ["--workers", str(workers)]
    process = subprocess.Popen(
        [*command, *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=preexec_fn,
    )
    server = Server("", process)
    drains = [threading.Thread(target=_drain, args=(process.stderr, server.stderr), daemon=True)]
    drains[0].start()
    try:
        for line in process.stdout:  # ends when the process exits
            server.stdout.append(line)
            match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
            if match:
                server.address = match.group(1)
                break
        if not server.address:
            process.wait(timeout=timeout)
            drains[0].join(timeout=5)
            pytest.fail(f"bahth serve printed no address; stderr: {''.join(server.stderr)}")
        drains.append(
            threading.Thread(target=_drain, args=(process.stdout, server.stdout), daemon=True)
        )
        drains[-1].start()
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for drain in drains:
            drain.join(timeout=5)


@contextmanager
def running_server(
    index: Path, *options: str, workers: int | None = 1, timeout: float = 30.0, preexec_fn=None
) -> Iterator[str]:
    """``serving()``, yielding the address alone."""
    with serving(
        index, *options, workers=workers, timeout=timeout, preexec_fn=preexec_fn
    ) as server:
        yield server.address
