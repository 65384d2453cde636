"""Loopback load test of the web API: requests/s and latency of /api/search under concurrent
clients, beside the library's own speed in the same run (the baseline: what HTTP, JSON and
the WSGI server add on top of SearchEngine.search).

    python bench/load.py --index instance/index --clients 8 --seconds 20

It starts the real ``bahth serve`` (waitress) on 127.0.0.1 with a free port, runs a bounded
loop of keep-alive HTTP clients (each stops at the deadline), prints the figures, and stops
the server. Any index works: the seeds (``make run`` builds instance/index) or a SaudiNewsNet
index built by the benchmarks.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

# News-style queries: Saudi news (SaudiNewsNet) and the Moroccan seeds, common and rare words,
# one and several words, a phrase, a prefix, Latin inside Arabic.
QUERIES = [
    "الرياض",
    "وزارة الصحة",
    "أمير منطقة مكة",
    "أسعار النفط",
    "الهلال والنصر",
    "التعليم العام",
    "الملك سلمان",
    "سوق الأسهم السعودية",
    '"مجلس الوزراء"',
    "الأمطار",
    "حادث مروري",
    "مكافحة الإرهاب",
    "الحموشي",
    "المغرب",
    "الأمن الوطني",
    "FBI",
    "تعليم*",
]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@contextmanager
def bahth_server(index: Path, threads: int) -> Iterator[tuple[str, int]]:
    """Run ``bahth serve`` on a free loopback port; yield (host, port); stop it afterwards."""
    command = [sys.executable, "-m", "bahth", "serve", "--index", str(index)]
    command += ["--host", "127.0.0.1", "--port", "0", "--threads", str(threads)]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        for line in process.stdout:
            match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if match:
                yield "127.0.0.1", int(match.group(1))
                return
        sys.exit(f"load: bahth serve did not start: {process.stderr.read().strip()}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def library_baseline(index: Path, queries: list[str], seconds: float, per_page: int) -> dict:
    """SearchEngine.search in this process, one thread: no HTTP at all."""
    from bahth.search.engine import SearchEngine

    engine = SearchEngine(index)
    for q in queries:  # warm-up: open the searcher, fill caches
        engine.search(q, per_page=per_page)
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for q in queries:
            started = time.perf_counter()
            engine.search(q, per_page=per_page)
            latencies.append(time.perf_counter() - started)
    engine.close()
    return {"requests": len(latencies), "seconds": seconds, "latencies": latencies, "errors": 0}


def http_load(
    host: str, port: int, queries: list[str], clients: int, seconds: float, per_page: int
) -> dict:
    """``clients`` threads, each with one keep-alive connection, cycling through the queries
    until the deadline (and at most 1,000,000 requests each: the loop is bounded)."""
    paths = [f"/api/search?q={quote(q)}&per_page={per_page}" for q in queries]
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(clients + 1)

    def client(offset: int) -> None:
        mine: list[float] = []
        connection = http.client.HTTPConnection(host, port, timeout=30)
        start_gate.wait()
        for n in range(1_000_000):
            if time.perf_counter() >= deadline:
                break
            path = paths[(offset + n) % len(paths)]
            started = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
                if response.status != 200 or "hits" not in json.loads(body):
                    with lock:
                        errors.append(f"{response.status} {path}")
            except (OSError, http.client.HTTPException, ValueError) as error:
                with lock:
                    errors.append(f"{type(error).__name__} {path}")
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=30)
                continue
            mine.append(time.perf_counter() - started)
        connection.close()
        with lock:
            latencies.extend(mine)

    for path in paths:  # warm-up, outside the measured window
        connection = http.client.HTTPConnection(host, port, timeout=60)
        connection.request("GET", path)
        connection.getresponse().read()
        connection.close()
    workers = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for worker in workers:
        worker.start()
    began = time.perf_counter()
    deadline = began + seconds  # read by the clients once the gate opens
    start_gate.wait()
    for worker in workers:
        worker.join(timeout=seconds + 60)
    elapsed = time.perf_counter() - began
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "latencies": latencies,
        "errors": errors,
    }


def row(label: str, result: dict) -> str:
    latencies = result["latencies"]
    rate = result["requests"] / result["seconds"] if result["seconds"] else 0.0
    errors = result["errors"] if isinstance(result["errors"], int) else len(result["errors"])
    return (
        f"{label:<42} {result['requests']:>9} {rate:>9.1f} "
        f"{percentile(latencies, 0.50) * 1000:>8.1f} {percentile(latencies, 0.95) * 1000:>8.1f}"
        f" {errors:>7}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--index",
        type=Path,
        default=Path(os.environ.get("BAHTH_INDEX", "instance/index")),
        help="index folder (default: $BAHTH_INDEX or instance/index)",
    )
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each run")
    parser.add_argument("--threads", type=int, default=4, help="waitress worker threads")
    parser.add_argument("--per-page", type=int, default=10)
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 256 or not 0 < args.seconds <= 600:
        parser.error("--clients must be 1..256 and --seconds 0..600")

    from bahth.index.errors import BahthError
    from bahth.index.store import IndexStore

    store = IndexStore(args.index)
    try:
        documents, path = store.require_documents(), store.path
    except BahthError as error:
        print(f"load: {error}", file=sys.stderr)  # IndexMissing names the build command
        return 1
    print(
        f"index: {path} ({documents} documents); {len(QUERIES)} queries, per_page {args.per_page}"
    )
    print(f"{'what':<42} {'requests':>9} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}")
    baseline = library_baseline(args.index, QUERIES, min(args.seconds, 10.0), args.per_page)
    print(row("baseline: SearchEngine.search, 1 thread", baseline), flush=True)
    with bahth_server(args.index, args.threads) as (host, port):
        result = http_load(host, port, QUERIES, args.clients, args.seconds, args.per_page)
    label = f"GET /api/search, {args.clients} clients, waitress x{args.threads}"
    print(row(label, result))
    for error in sorted(set(result["errors"]))[:5]:
        print(f"  error: {error}")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
