"""`bahth serve --workers 2`: two processes on one port (gunicorn's arbiter, waitress in each),
tried as a user runs them. Requests keep coming while the index is rebuilt and then changed by
one document: none fails, and every process sees the new index without a restart. SIGTERM
stops every process. A request stuck past its time limit costs a worker restart, not a thread
forever. Every request and wait has a bound, so a hang fails the test instead of blocking it.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from conftest import SEEDS, generated_news, serving

BAHTH = [sys.executable, "-m", "bahth"]
NEW_WORD = "zuluword"  # in the one document added during the run, and nowhere else
BOUND = 60.0  # seconds: the longest any part of a test may take before it counts as a hang


def get_json(address: str, path: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(address.rstrip("/") + path, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def bahth(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([*BAHTH, *args], capture_output=True, text=True, timeout=BOUND)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture()
def news_folder(tmp_path: Path) -> Path:
    """The generated news as a JSONL file: what the index holds before the rebuild."""
    folder = tmp_path / "news"
    folder.mkdir()
    lines = [json.dumps(doc, ensure_ascii=False) for doc in generated_news(15)]
    (folder / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


class Load:
    """``clients`` threads sending requests of several kinds until stopped; every answer that
    is not a 200 with the expected shape is a failure, kept with what was asked."""

    PATHS = [
        "/api/search?q=" + quote("الحموشي"),
        "/search?q=" + quote("الأمن الوطني"),
        "/api/suggest?q=" + quote("الحمو"),
        "/healthz",
        "/api/stats",
    ]

    def __init__(self, address: str, clients: int = 2) -> None:
        self.port = urlsplit(address).port
        self.stop = threading.Event()
        self.failures: list[str] = []
        self.answered = 0
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.client, args=(n,)) for n in range(clients)]

    def client(self, offset: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        started = time.monotonic()
        n = offset
        while not self.stop.is_set() and time.monotonic() - started < BOUND:
            path = self.PATHS[n % len(self.PATHS)]
            n += 1
            if n % 7 == 0:  # now and then a new connection, so both workers take some
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
                ok = response.status == 200 and (
                    not path.startswith("/api/search") or "hits" in json.loads(body)
                )
            except (OSError, http.client.HTTPException, ValueError) as error:
                ok, response = False, error
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            with self.lock:
                self.answered += 1
                if not ok:
                    status = getattr(response, "status", response)
                    self.failures.append(f"{path}: {status}")
        connection.close()

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=BOUND)


def test_two_workers_survive_a_rebuild_and_a_one_document_index_with_no_failed_request(
    tmp_path: Path, news_folder: Path
) -> None:
    index = tmp_path / "index"
    bahth("index", str(SEEDS), str(news_folder), "--index", str(index))
    added = tmp_path / "added.jsonl"
    added.write_text(
        json.dumps({"id": "added-1", "title": f"وثيقة {NEW_WORD}", "text": "نص الوثيقة المضافة"})
        + "\n",
        encoding="utf-8",
    )
    with serving(index, workers=2) as server:
        assert len(server.workers(2)) == 2, "two worker processes under the arbiter"
        before = get_json(server.address, "/healthz")[1]["generation"]
        with Load(server.address) as load:
            time.sleep(1.0)
            bahth("index", "--rebuild", str(SEEDS), "--index", str(index))
            time.sleep(1.0)
            bahth("index", str(added), "--index", str(index))
            time.sleep(1.0)
        assert load.answered > 20, "the load really ran through both changes"
        assert load.failures == [], f"{len(load.failures)} failed requests: {load.failures[:5]}"

        # Every process now searches the new index: ask on new connections, many times.
        for _ in range(12):
            status, page = get_json(server.address, f"/api/search?q={NEW_WORD}")
            assert status == 200 and [hit["id"] for hit in page["hits"]] == ["added-1"]
            status, page = get_json(server.address, "/api/search?q=" + quote("مكافحة الإرهاب"))
            assert all(not hit["id"].startswith("news-") for hit in page["hits"]), (
                "the rebuild from the seeds alone dropped the news"
            )
        after = get_json(server.address, "/healthz")[1]["generation"]
        assert after != before
        workers = server.children()
        assert len(workers) == 2

        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=BOUND) == 0
        assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()], "a worker was left"
        assert "Traceback" not in "".join(server.stderr)


def test_the_default_serves_with_one_process_per_cpu_on_one_port(seeds_index: Path) -> None:
    cpus = len(os.sched_getaffinity(0))
    with serving(seeds_index, workers=None) as server:
        assert get_json(server.address, "/healthz")[0] == 200
        expected = cpus if cpus > 1 else 0  # one CPU: waitress alone, no worker processes
        assert len(server.workers(expected)) == expected
        assert f"with {cpus} processes" in "".join(server.stdout) or cpus == 1


def test_ctrl_c_stops_every_process(seeds_index: Path) -> None:
    """Ctrl+C in a terminal sends SIGINT to the whole process group."""
    with serving(seeds_index, workers=2) as server:
        assert get_json(server.address, "/healthz")[0] == 200
        workers = server.workers(2)
        assert len(workers) == 2
        for pid in [server.process.pid, *workers]:
            os.kill(pid, signal.SIGINT)
        server.process.wait(timeout=BOUND)
        deadline = time.monotonic() + BOUND
        while any(Path(f"/proc/{pid}").exists() for pid in workers):
            assert time.monotonic() < deadline, "a worker outlived Ctrl+C"
            time.sleep(0.1)
        assert "bahth: stopped." in "".join(server.stdout)


# A server whose every search for "hang" never looks at the clock (as work stuck in C might
# not): the cooperative time limit cannot stop it, the worker timeout must. The backstop's
# constants are made short here, so the test takes seconds, not half a minute.
STUCK_SERVER = """
import sys, time
from bahth.search.engine import SearchEngine
searching = SearchEngine.search
def search(self, q, *args, **kwargs):
    if q == "hang":
        time.sleep(120)
    return searching(self, q, *args, **kwargs)
SearchEngine.search = search
import bahth.web.server, bahth.web.workers
bahth.web.server.STUCK_AFTER_MIN = 1.0
bahth.web.workers.WORKER_TIMEOUT = 2
from bahth.cli import main
sys.argv = ["bahth", *sys.argv[1:]]
main()
"""


def test_a_request_stuck_past_its_time_limit_costs_a_worker_restart(
    seeds_index: Path, tmp_path: Path
) -> None:
    launcher = tmp_path / "stuck_server.py"
    launcher.write_text(STUCK_SERVER, encoding="utf-8")
    command = [sys.executable, str(launcher), "serve", "--index", str(seeds_index)]
    command += ["--port", "0", "--workers", "2", "--time-limit", "0.2"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        address = None
        for line in process.stdout:
            if "http://127.0.0.1:" in line:
                address = line.split()[1]
                break
        assert address, process.stderr.read()
        assert get_json(address, "/healthz")[0] == 200
        workers = set(child_pids(process.pid))
        with pytest.raises((OSError, http.client.HTTPException)) as ended:
            urllib.request.urlopen(address + "api/search?q=hang", timeout=BOUND).read()
        reason = getattr(ended.value, "reason", ended.value)
        assert not isinstance(reason, TimeoutError), "the backstop ended it, not our timeout"
        deadline = time.monotonic() + BOUND
        while len(set(child_pids(process.pid)) - workers) < 1:
            assert time.monotonic() < deadline, "no new worker replaced the stuck one"
            time.sleep(0.2)
        assert get_json(address, "/healthz")[0] == 200, "still serving"
    finally:
        process.terminate()
        process.wait(timeout=BOUND)
    assert "past its time limit" in process.stderr.read()


def child_pids(pid: int) -> list[int]:
    from conftest import child_processes

    return child_processes(pid)
