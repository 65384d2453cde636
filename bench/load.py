"""Loopback load test of the web API: requests/s and latency of /api/search under concurrent
clients, for each number of worker processes and of clients asked for, with the server's
memory over time (the resident memory of all its processes, added up), beside the library's
own speed in the same run (the baseline: what HTTP, JSON and the server add on top of
SearchEngine.search).

    python bench/load.py --index DIR --workers 1,2 --clients 8,128 --seconds 30

Each run starts the real ``bahth serve --workers N`` on 127.0.0.1 with a free port, warms it
up, runs N keep-alive HTTP clients (threads; each stops at the deadline), samples the
server's memory every second, and stops the server with SIGTERM. ``--reindex SOURCE`` also
rebuilds the index from SOURCE (``bahth index --rebuild``) and then adds one document while
each run goes on, and the run lasts until both are done: the errors column then says whether
any request failed while the index changed, and a line under the row compares the slowest
request sent during the one-document commit or in the 5 s after it with the p95 of the
requests sent before the rebuild began (requests sent while the indexing process runs share
the cores with it; those sent after it meet the new generation). The clients share this
machine's cores with the server: on 2 cores, 128 client threads take CPU the server would use.

``--slow-clients N`` asks whether clients of expensive queries slow everyone else down: each
run then has two halves on the same server, the ordinary clients alone, then the same clients
with N more beside them, each sending expensive queries made from SaudiNewsNet's words (read
from ``--data``; in turn 40 distinct prefixes, 40 ``word~2`` and phrases of 40 stop words).
It prints a row for the ordinary clients in each half, one for the slow clients (their
answers by status: a 503 is the server refusing the work, not an error), and the ratio of the
ordinary clients' p95 with and without them (the goal: at most 1.5). The slow clients run in
a process of their own (their threads would otherwise take the GIL from the threads that
time the ordinary clients) and wait as a refusal's Retry-After says before asking again.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: bench.* are importable from the checkout
    sys.path.insert(0, str(REPO))

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
BAHTH = [sys.executable, "-m", "bahth"]
SLOW_KINDS = ("40 distinct prefixes", "40 word~2", "phrase of 40 stop words")
SLOW_GOAL = 1.5  # the ordinary clients' p95 beside the slow ones, at most this times alone


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def server_processes(pid: int) -> list[int]:
    """``pid`` and every process below it (gunicorn's workers)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, todo = [pid], [pid]
    while todo:
        parent = todo.pop()
        children = [child for child, up in parents.items() if up == parent]
        found += children
        todo += children
    return found


def resident_mb(pids: list[int]) -> float:
    """The resident memory of ``pids``, added up, in MB (VmRSS; shared pages counted in
    each process, as ``ps`` does)."""
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        total += int(match.group(1)) if match else 0
    return total / 1024


class MemorySampler(threading.Thread):
    """Samples the server's memory every ``every`` seconds until stopped."""

    def __init__(self, pid: int, every: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.samples: list[tuple[float, float]] = []  # (seconds since start, MB)
        self.done = threading.Event()

    def run(self) -> None:
        started = time.monotonic()
        while not self.done.is_set():
            self.samples.append(
                (time.monotonic() - started, resident_mb(server_processes(self.pid)))
            )
            self.done.wait(self.every)


@contextmanager
def bahth_server(
    index: Path, workers: int, threads: int, log: Path
) -> Iterator[tuple[str, int, subprocess.Popen]]:
    """Run ``bahth serve`` on a free loopback port (its access log to ``log``); yield (host,
    port, process); stop it with SIGTERM afterwards."""
    command = [*BAHTH, "serve", "--index", str(index), "--host", "127.0.0.1", "--port", "0"]
    command += ["--workers", str(workers), "--threads", str(threads)]
    with open(log, "w", encoding="utf-8") as stderr:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        for line in process.stdout:
            match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if match:
                threading.Thread(target=process.stdout.read, daemon=True).start()  # drain
                yield "127.0.0.1", int(match.group(1)), process
                return
        sys.exit(f"load: bahth serve did not start: {log.read_text()[-2000:]}")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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
    return {"requests": len(latencies), "seconds": seconds, "latencies": latencies, "errors": []}


def warm_up(host: str, port: int, paths: list[str], rounds: int) -> None:
    """Each path ``rounds`` times on new connections (so each worker opens its searcher)."""
    for _ in range(rounds):
        for path in paths:
            connection = http.client.HTTPConnection(host, port, timeout=120)
            connection.request("GET", path)
            connection.getresponse().read()
            connection.close()


def http_load(
    host: str,
    port: int,
    queries: list[str],
    clients: int,
    seconds: float,
    per_page: int,
    keep_going: threading.Event | None = None,
    refusals: frozenset[int] = frozenset(),
    polite: bool = False,
) -> dict:
    """``clients`` threads, each with one keep-alive connection, cycling through the queries
    until the deadline, and past it while ``keep_going`` is set (at most 1,000,000 requests
    each and 600 s past the deadline: the loop is bounded). A status in ``refusals`` (the
    server declining the work, with its JSON error) is counted in ``statuses``, not as an
    error; ``polite`` clients then wait as its Retry-After says before the next request."""
    paths = [f"/api/search?q={quote(q)}&per_page={per_page}" for q in queries]
    latencies: list[float] = []
    starts: list[float] = []  # when each request of ``latencies`` was sent (perf_counter)
    errors: list[str] = []
    statuses: Counter = Counter()
    lock = threading.Lock()
    start_gate = threading.Barrier(clients + 1)
    deadline = 0.0

    def going() -> bool:
        now = time.perf_counter()
        if now < deadline:
            return True
        return keep_going is not None and keep_going.is_set() and now < deadline + 600

    def client(offset: int) -> None:
        mine: list[float] = []
        sent: list[float] = []
        connection = http.client.HTTPConnection(host, port, timeout=60)
        start_gate.wait()
        for n in range(1_000_000):
            if not going():
                break
            path = paths[(offset + n) % len(paths)]
            started = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
                answer = json.loads(body)
                with lock:
                    statuses[response.status] += 1
                refused = response.status in refusals and "code" in answer
                if not refused and (response.status != 200 or "hits" not in answer):
                    with lock:
                        errors.append(f"{response.status} {path}")
            except (OSError, http.client.HTTPException, ValueError) as error:
                with lock:
                    errors.append(f"{type(error).__name__} {path}")
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=60)
                continue
            mine.append(time.perf_counter() - started)
            sent.append(started)
            retry_after = response.getheader("Retry-After") if refused and polite else None
            if retry_after and retry_after.isdigit():
                time.sleep(max(0.0, min(float(retry_after), deadline - time.perf_counter())))
        connection.close()
        with lock:
            latencies.extend(mine)
            starts.extend(sent)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline = began + seconds  # read by the clients once the gate opens
    start_gate.wait()
    for thread in threads:
        thread.join(timeout=seconds + 700)
    elapsed = time.perf_counter() - began
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "latencies": latencies,
        "starts": starts,
        "errors": errors,
        "statuses": statuses,
    }


def reindex_during(index: Path, source: Path, after: float, running: threading.Event) -> list:
    """After ``after`` seconds: ``bahth index --rebuild SOURCE``, then a one-document
    ``bahth index``; ``running`` is set until both are done. Returns what happened, each
    (perf_counter when it began, when it ended, what, exit status)."""
    events: list[tuple[float, float, str, int]] = []
    running.set()

    def work() -> None:
        try:
            time.sleep(after)
            began = time.perf_counter()
            rebuild = [*BAHTH, "index", "--rebuild", str(source), "--index", str(index)]
            status = subprocess.run(rebuild, capture_output=True, timeout=3600).returncode
            events.append((began, time.perf_counter(), "index --rebuild", status))
            time.sleep(after)  # the workers settle on the rebuilt index first
            with tempfile.TemporaryDirectory() as folder:
                one = Path(folder) / "one.jsonl"
                document = {"id": "load-test-1", "title": "وثيقة اختبار الحمل", "text": "نص"}
                one.write_text(json.dumps(document, ensure_ascii=False) + "\n", encoding="utf-8")
                add = [*BAHTH, "index", str(one), "--index", str(index)]
                began = time.perf_counter()
                status = subprocess.run(add, capture_output=True, timeout=600).returncode
                events.append((began, time.perf_counter(), ONE_DOCUMENT, status))
            time.sleep(AFTER_COMMIT)  # the requests that meet the new generation
        finally:
            running.clear()

    threading.Thread(target=work, daemon=True).start()
    return events


ONE_DOCUMENT = "index (one document)"
AFTER_COMMIT = 5.0  # seconds after a one-document commit whose requests are looked at


def after_commit(result: dict, events: list) -> str | None:
    """How the requests sent from the start of the one-document ``bahth index`` to
    AFTER_COMMIT seconds after it fared, against the p95 of those sent before the rebuild
    began: the issue's "slows no request past twice the p95"."""
    ones = [(began, ended) for began, ended, what, _ in events if what == ONE_DOCUMENT]
    rebuilds = [began for began, _, what, _ in events if what != ONE_DOCUMENT]
    if not ones or not rebuilds:
        return None
    (began, ended), quiet_until = ones[0], rebuilds[0]
    timed = list(zip(result["starts"], result["latencies"], strict=True))
    before = [latency for start, latency in timed if start < quiet_until]
    during = [latency for start, latency in timed if began <= start <= ended]
    after = [latency for start, latency in timed if ended < start <= ended + AFTER_COMMIT]
    if not before or not during or not after:
        return None
    p95 = percentile(before, 0.95)
    return (
        f"  one-document commit, against the p95 before the rebuild ({p95 * 1000:.1f} ms, "
        f"{len(before)} requests): while `bahth index` ran, {len(during)} requests, slowest "
        f"{max(during) * 1000:.1f} ms (x{max(during) / p95:.2f}); in the {AFTER_COMMIT:.0f} s "
        f"after it, {len(after)} requests, slowest {max(after) * 1000:.1f} ms "
        f"(x{max(after) / p95:.2f})"
    )


HEADER = (
    f"{'what':<34} {'clients':>7} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}"
    f" {'max ms':>8} {'errors':>6} {'RSS MB start/peak/end':>22}"
)


def row(label: str, clients: int, result: dict, memory: list[tuple[float, float]]) -> str:
    latencies = result["latencies"]
    rate = result["requests"] / result["seconds"] if result["seconds"] else 0.0
    rss = "-"
    if memory:
        values = [mb for _, mb in memory]
        rss = f"{values[0]:.0f} / {max(values):.0f} / {values[-1]:.0f}"
    return (
        f"{label:<34} {clients:>7} {result['requests']:>9} {rate:>8.1f} "
        f"{percentile(latencies, 0.50) * 1000:>8.1f} {percentile(latencies, 0.95) * 1000:>8.1f}"
        f" {max(latencies, default=float('nan')) * 1000:>8.1f} {len(result['errors']):>6}"
        f" {rss:>22}"
    )


def slow_queries(data: Path, per_kind: int = 20) -> list[str]:
    """Expensive queries made of the corpus's own words (bench/slow_queries.py's), the kinds
    of SLOW_KINDS in turn, ``per_kind`` distinct ones of each (seeded)."""
    from bench.news import read_articles
    from bench.slow_queries import STOP_WORDS, Corpus, joined

    corpus = Corpus(read_articles(data))
    pool = corpus.starts[2][:60] + corpus.starts[3][:60]
    kinds = (
        lambda: joined(corpus.sample(pool, 40), "*"),
        lambda: joined(corpus.sample(corpus.short, 40), "~2"),
        lambda: f'"{joined(corpus.rng.choices(STOP_WORDS, k=40))}"',
    )
    return [make() for _ in range(per_kind) for make in kinds]


def beside_slow_clients(
    host: str, port: int, args, clients: int, slow: list[str]
) -> tuple[dict, dict, dict]:
    """The ordinary clients alone, then the same with ``args.slow_clients`` more sending
    ``slow`` queries at the same time: (alone, beside, the slow clients). A slow request
    the server declines (503: busy, or past its time limit) is a refusal, not an error."""
    alone = http_load(host, port, QUERIES, clients, args.seconds, args.per_page)
    context = multiprocessing.get_context("spawn")
    ready, go, results = context.Event(), context.Event(), context.Queue()
    polite = not args.slow_impolite
    options = (host, port, slow, args.slow_clients, args.seconds, args.per_page, polite)
    process = context.Process(target=slow_clients, args=(*options, ready, go, results))
    process.start()
    try:
        if not ready.wait(timeout=120):
            sys.exit("load: the slow clients' process did not start")
        go.set()
        beside = http_load(host, port, QUERIES, clients, args.seconds, args.per_page)
        return alone, beside, results.get(timeout=args.seconds + 700)
    finally:
        process.join(timeout=60)
        if process.is_alive():
            process.kill()


def slow_clients(host, port, slow, clients, seconds, per_page, polite, ready, go, results):
    """The slow clients, in a process of their own: their threads must not take the GIL of
    the process that times the ordinary clients. ``polite``: refused (503, with
    Retry-After), they wait as told before asking again, as an HTTP client should."""
    ready.set()
    go.wait(timeout=120)
    refused = frozenset({503})
    results.put(
        http_load(host, port, slow, clients, seconds, per_page, refusals=refused, polite=polite)
    )


def slow_summary(alone: dict, beside: dict, slow: dict) -> list[str]:
    """The lines under the slow clients' rows: what they were answered, and the ratio."""
    answered = ", ".join(f"{n} x {status}" for status, n in sorted(slow["statuses"].items()))
    p95_alone = percentile(alone["latencies"], 0.95)
    p95_beside = percentile(beside["latencies"], 0.95)
    rate_alone = alone["requests"] / alone["seconds"] if alone["seconds"] else 0.0
    rate_beside = beside["requests"] / beside["seconds"] if beside["seconds"] else 0.0
    ratio = p95_beside / p95_alone if p95_alone else float("nan")
    verdict = "met" if ratio <= SLOW_GOAL else "NOT met"
    return [
        f"  slow clients' answers: {answered or 'none'}",
        f"  ordinary clients beside the slow ones: p95 {p95_beside * 1000:.1f} ms against "
        f"{p95_alone * 1000:.1f} ms alone (x{ratio:.2f}; goal at most x{SLOW_GOAL}: {verdict}), "
        f"{rate_beside:.1f} req/s against {rate_alone:.1f}",
    ]


def numbers(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"give whole numbers from 1, like 1,2: {text!r}")
    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--index",
        type=Path,
        default=Path(os.environ.get("BAHTH_INDEX", "instance/index")),
        help="index folder (default: $BAHTH_INDEX or instance/index)",
    )
    parser.add_argument("--workers", type=numbers, default=[1], help="e.g. 1,2: a run for each")
    parser.add_argument("--clients", type=numbers, default=[8], help="e.g. 8,128: a run for each")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each run")
    parser.add_argument("--threads", type=int, default=4, help="threads of each process")
    parser.add_argument("--per-page", type=int, default=10)
    parser.add_argument("--no-baseline", action="store_true", help="skip the library row")
    parser.add_argument(
        "--reindex",
        type=Path,
        metavar="SOURCE",
        help="during each run, rebuild the index from SOURCE, then add one document",
    )
    parser.add_argument("--memory-every", type=float, default=5.0, help="seconds between RSS")
    parser.add_argument(
        "--slow-clients",
        type=int,
        default=0,
        metavar="N",
        help="run the ordinary clients alone, then beside N clients of expensive queries",
    )
    parser.add_argument(
        "--slow-impolite",
        action="store_true",
        help="the slow clients ask again at once when refused, Retry-After or not",
    )
    parser.add_argument(
        "--title-queries",
        type=int,
        default=0,
        metavar="N",
        help="send N SaudiNewsNet titles (bench/news.py sample, from --data), not QUERIES",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=REPO.parent / "shared" / "data" / "saudinewsnet" / "docs.jsonl.gz",
        help="the corpus the slow clients' queries are made from (SaudiNewsNet's docs.jsonl.gz)",
    )
    args = parser.parse_args(argv)
    if max(args.clients) > 256 or not 0 < args.seconds <= 600 or max(args.workers) > 64:
        parser.error("--clients must be 1..256, --workers 1..64 and --seconds 0..600")
    if not 0 <= args.slow_clients <= 256 or (args.slow_clients and args.reindex):
        parser.error("--slow-clients must be 0..256, and goes without --reindex")
    slow: list[str] = []
    if args.slow_clients:
        if not args.data.exists():
            print(
                f"load: SaudiNewsNet not found at {args.data}: the slow clients' queries are "
                "made from its words (it may not be copied into the project); pass --data PATH",
                file=sys.stderr,
            )
            return 2
        slow = slow_queries(args.data)

    queries = QUERIES
    if args.title_queries:
        if not args.data.exists():
            print(f"load: SaudiNewsNet not found at {args.data} (pass --data)", file=sys.stderr)
            return 2
        from bench.known_item import known_items, read_articles

        items = known_items(read_articles(args.data), args.title_queries, seed=42)
        queries = [item.title for item in items]

    from bahth.index.errors import BahthError
    from bahth.index.whoosh.store import IndexStore

    store = IndexStore(args.index)
    try:
        documents, path = store.require_documents(), store.path
    except BahthError as error:
        print(f"load: {error}", file=sys.stderr)  # IndexMissing names the build command
        return 1
    load = os.getloadavg()
    print(
        f"index: {path} ({documents} documents); {len(queries)} queries, per_page "
        f"{args.per_page}; {os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f}"
    )
    if slow:
        print(
            f"slow clients: {args.slow_clients}, sending {len(slow)} queries from {args.data.name}"
            f" ({', '.join(SLOW_KINDS)}, in turn), "
            f"{'again at once' if args.slow_impolite else 'after Retry-After'} when refused; "
            f"each half of a run {args.seconds:g} s"
        )
    print(HEADER)
    if not args.no_baseline:
        baseline = library_baseline(args.index, queries, min(args.seconds, 10.0), args.per_page)
        print(row("baseline: SearchEngine.search", 1, baseline, []), flush=True)
    failed = 0
    series = []
    paths = [f"/api/search?q={quote(q)}&per_page={args.per_page}" for q in queries]
    with tempfile.TemporaryDirectory() as folder:
        for workers in args.workers:
            for clients in args.clients:
                log = Path(folder) / f"serve-{workers}-{clients}.log"
                with bahth_server(args.index, workers, args.threads, log) as (host, port, server):
                    warm_up(host, port, paths, rounds=max(2, workers))
                    sampler = MemorySampler(server.pid)
                    sampler.start()
                    running = threading.Event()
                    events = (
                        reindex_during(args.index, args.reindex, args.seconds / 4, running)
                        if args.reindex
                        else []
                    )
                    if slow:
                        result, beside, slowest = beside_slow_clients(
                            host, port, args, clients, slow
                        )
                    else:
                        result = http_load(
                            host, port, queries, clients, args.seconds, args.per_page, running
                        )
                    sampler.done.set()
                    sampler.join()
                label = f"GET /api/search, {workers} worker" + ("s" if workers > 1 else "")
                if slow:
                    half = len(sampler.samples) // 2
                    print(row(f"{label}, alone", clients, result, sampler.samples[:half]))
                    print(row(f"{label}, beside", clients, beside, sampler.samples[half:]))
                    print(row("  slow clients beside them", args.slow_clients, slowest, []))
                    print("\n".join(slow_summary(result, beside, slowest)), flush=True)
                    result = {**result, "errors": result["errors"] + beside["errors"]}
                else:
                    print(row(label, clients, result, sampler.samples), flush=True)
                for began, ended, what, status in events:
                    print(f"  bahth {what}: {ended - began:.1f} s, exited {status}")
                commit = after_commit(result, events)
                if commit:
                    print(commit)
                for error in sorted(set(result["errors"]))[:5]:
                    print(f"  error: {error}")
                failed += len(result["errors"])
                step = max(1, round(args.memory_every))
                shown = [f"{mb:.0f}" for t, mb in sampler.samples[::step]]
                series.append(f"  {workers} workers, {clients} clients: " + " ".join(shown))
    print(f"server RSS MB over time (all its processes, every {step} s):")
    print("\n".join(series))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
