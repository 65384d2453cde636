"""Memory and latency of a serving process on SaudiNewsNet, beside stock Whoosh in the same run.

    python -m bench.memory [--data PATH] [--workdir DIR] [--sizes 10000,31030] [--seconds 40]

For each size (the first N articles; 31,030 is all of them) indexes are built once in
--workdir and kept there: bahth's (IndexStore, what `bahth index` does: title and text,
source, date, url) and stock Whoosh's (id, title and text, both stored so that a results
page can show them, StandardAnalyzer: what a user first writes, as bench/index_speed.py).
Then, one after the other:

* bahth: the real `bahth serve` (--workers 1: one waitress process, --threads 4; the
  figures are per serving process, bench/load.py sums several) on 127.0.0.1; 8 keep-alive HTTP
  clients ask /api/search (a page of 10 with snippets and facets) for a fixed cycle of
  queries (30 title queries and 30 1-3 word queries, bench/news.py's samples) for
  --seconds. Every --commit-every seconds this process commits one new document (what a
  `bahth index` run of one file does); the documents are deleted again at the end.
* stock Whoosh: one process, one searcher, one thread, the same queries for the same time
  (top 10 and their stored fields: what a results page reads).

Each server's RSS is sampled every 0.25 s. Printed per size: peak RSS (VmHWM), RSS every
5 s, anonymous RSS at the end; request latency p50 / p95; for the requests that started in
the 2 s after a commit, their latency as a multiple of the same query's median in the run
(its usual time), beside the same figure for requests at other times; and the server's
descriptors of deleted index files and mappings of segment files at the end.

The corpus is CC BY-NC-SA and is read from ../shared beside the repository, never copied.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "saudinewsnet" / "docs.jsonl.gz"
QUERIES_PER_KIND = 30
AFTER_COMMIT = 2.0  # seconds after a commit whose requests are compared with their usual time


# ---- reading a process's memory ---------------------------------------------------------


def status(pid: int | str = "self") -> dict[str, float]:
    """VmRSS, VmHWM (peak RSS), RssAnon, RssFile of a process, in MB."""
    figures = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                figures[name] = int(value.split()[0]) / 1024
    return figures


def open_files(pid: int, index: Path) -> dict[str, int]:
    """Descriptors of deleted files of the index (and of any deleted file: waitress buffers
    large answers in unlinked temporary files), of segment files, segment file mappings."""
    deleted = deleted_index = segments = 0
    folder = str(index.resolve())
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        deleted += target.endswith(" (deleted)")
        deleted_index += target.endswith(" (deleted)") and target.startswith(folder)
        segments += ".seg" in target
    with open(f"/proc/{pid}/maps") as f:
        mappings = sum(".seg" in line for line in f)
    return {
        "deleted_fds": deleted,
        "deleted_index_fds": deleted_index,
        "segment_fds": segments,
        "segment_mappings": mappings,
    }


class Sampler(threading.Thread):
    """RSS of a process every ``every`` seconds, until stopped."""

    def __init__(self, pid: int, every: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.samples: list[tuple[float, dict]] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        started = time.perf_counter()
        while not self.stopped.is_set():
            try:
                self.samples.append((time.perf_counter() - started, status(self.pid)))
            except OSError:
                return
            self.stopped.wait(self.every)


# ---- indexes ----------------------------------------------------------------------------


def articles_of(data: Path, size: int) -> list[dict]:
    from bench.news import read_articles

    return read_articles(data)[:size]


def build_bahth(folder: Path, articles: list[dict]) -> None:
    from bahth.index.whoosh.store import IndexStore

    if not IndexStore(folder).exists():
        IndexStore(folder).add_documents(
            {k: a.get(k) for k in ("id", "title", "text", "source", "date", "url") if a.get(k)}
            for a in articles
        )


def build_stock(folder: Path, articles: list[dict]) -> None:
    from whoosh import index as whoosh_index
    from whoosh.analysis import StandardAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    if whoosh_index.exists_in(str(folder)):
        return
    folder.mkdir(parents=True, exist_ok=True)
    schema = Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=StandardAnalyzer(), stored=True),
        text=TEXT(analyzer=StandardAnalyzer(), stored=True),
    )
    writer = whoosh_index.create_in(str(folder), schema).writer(limitmb=256)
    for a in articles:
        if a.get("title") or a.get("text"):
            writer.add_document(id=a["id"], title=a.get("title") or "", text=a.get("text") or "")
    writer.commit()


def query_cycle(articles: list[dict]) -> list[str]:
    from bench.news import known_items, short_queries

    titles = [item.title for item in known_items(articles, n=QUERIES_PER_KIND)]
    shorts = short_queries(articles, n=QUERIES_PER_KIND)
    return [q for pair in zip(titles, shorts, strict=True) for q in pair]


# ---- bahth: the real server under load, with commits -----------------------------------


def serve(index: Path, threads: int, log: Path) -> tuple[subprocess.Popen, int]:
    """The server and its port; its stderr (one access-log line per request) goes to
    ``log``: a pipe nobody reads fills up after a few hundred requests and stops it."""
    command = [sys.executable, "-m", "bahth", "serve", "--index", str(index)]
    command += ["--host", "127.0.0.1", "--port", "0", "--workers", "1", "--threads", str(threads)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with open(log, "wb") as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, env=env)
    for line in process.stdout:
        match = re.search(rb"http://127\.0\.0\.1:(\d+)/", line)
        if match:
            return process, int(match.group(1))
    process.wait()
    sys.exit(f"memory: bahth serve did not start: {log.read_text(errors='replace')[-2000:]}")


def load(port: int, queries: list[str], clients: int, seconds: float, commit) -> dict:
    """``clients`` keep-alive clients cycling through ``queries`` for ``seconds`` (each
    bounded to 1,000,000 requests); ``commit()`` is called every so often by the caller's
    schedule. Returns every request as (start, query index, seconds, ok)."""
    paths = [f"/api/search?q={quote(q)}&per_page=10" for q in queries]
    requests: list[tuple[float, int, float, bool]] = []
    lock = threading.Lock()
    began = time.perf_counter()
    deadline = began + seconds

    def client(offset: int) -> None:
        mine = []
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for n in range(1_000_000):
            if time.perf_counter() >= deadline:
                break
            index = (offset + n) % len(paths)
            started = time.perf_counter()
            try:
                connection.request("GET", paths[index])
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            mine.append((started - began, index, time.perf_counter() - started, ok))
        connection.close()
        with lock:
            requests.extend(mine)

    workers = [
        threading.Thread(target=client, args=(i * len(paths) // clients,), daemon=True)
        for i in range(clients)
    ]
    for worker in workers:
        worker.start()
    commits = commit(began, deadline)
    for worker in workers:
        worker.join(timeout=seconds + 120)
    return {"requests": requests, "commits": commits}


def commit_every(index: Path, every: float, tag: str):
    """A schedule: one new document committed every ``every`` seconds until the deadline
    (by this process, as a `bahth index` run would); returns the commit times."""
    from bahth.index.whoosh.store import IndexStore

    def run(began: float, deadline: float) -> list[float]:
        times = []
        store = IndexStore(index)
        n = 0
        while time.perf_counter() + every < deadline - AFTER_COMMIT:
            time.sleep(max(0.0, began + every * (n + 1) - time.perf_counter()))
            doc = {
                "id": f"bench-memory-{tag}-{n}",
                "title": "وثيقة مضافة أثناء القياس",
                "text": "وزارة الصحة تعلن عن حملة جديدة في الرياض",
            }
            store.add_documents([doc])
            times.append(time.perf_counter() - began)
            n += 1
        return times

    return run


def measure_bahth(index: Path, queries: list[str], args, tag: str) -> dict:
    process, port = serve(index, args.threads, args.workdir / f"serve-{tag}.log")
    try:
        for path in dict.fromkeys(queries):  # warm-up: each query once, before any figure
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            connection.request("GET", f"/api/search?q={quote(path)}&per_page=10")
            connection.getresponse().read()
            connection.close()
        warm = status(process.pid)
        sampler = Sampler(process.pid)
        sampler.start()
        schedule = commit_every(index, args.commit_every, tag)
        result = load(port, queries, args.clients, args.seconds, schedule)
        time.sleep(0.5)
        sampler.stopped.set()
        sampler.join()
        result.update(
            warm=warm,
            end=status(process.pid),
            samples=sampler.samples,
            files=open_files(process.pid, index),
        )
        return result
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        from bahth.index.whoosh.store import IndexStore

        store = IndexStore(index)
        for n in range(1000):
            if not store.delete(f"bench-memory-{tag}-{n}"):
                break


# ---- stock Whoosh: one searcher, one thread ---------------------------------------------


def stock_child(folder: Path, queries_file: Path, seconds: float) -> None:
    """Run in a fresh process: search the stock index for ``seconds`` and print figures."""
    from whoosh import index as whoosh_index
    from whoosh.qparser import MultifieldParser, OrGroup

    from bench.baselines import clean_query

    queries = json.loads(queries_file.read_text(encoding="utf-8"))
    ix = whoosh_index.open_dir(str(folder))
    searcher = ix.searcher()
    parser = MultifieldParser(["title", "text"], ix.schema, group=OrGroup)

    def ask(text: str) -> None:
        for hit in searcher.search(parser.parse(clean_query(text)), limit=10):
            hit.fields()

    for q in queries:
        ask(q)
    warm = status()
    latencies = []
    deadline = time.perf_counter() + seconds
    for n in range(1_000_000):
        if time.perf_counter() >= deadline:
            break
        started = time.perf_counter()
        ask(queries[n % len(queries)])
        latencies.append(time.perf_counter() - started)
    print(json.dumps({"warm": warm, "end": status(), "latencies": latencies}))


def measure_stock(folder: Path, queries: list[str], seconds: float, workdir: Path) -> dict:
    queries_file = workdir / "queries.json"
    queries_file.write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    command = [sys.executable, "-m", "bench.memory", "--child-stock", str(folder)]
    command += ["--queries-file", str(queries_file), "--seconds", str(seconds)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"memory: the stock Whoosh run failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---- report -----------------------------------------------------------------------------


def quantile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def after_commits(result: dict) -> tuple[list[float], list[float]]:
    """Latency / the same query's median, for requests started within AFTER_COMMIT s after
    a commit, and for all the others."""
    requests = [r for r in result["requests"] if r[3]]
    by_query: dict[int, list[float]] = {}
    for _, index, seconds, _ in requests:
        by_query.setdefault(index, []).append(seconds)
    usual = {index: statistics.median(times) for index, times in by_query.items()}
    near, other = [], []
    for started, index, seconds, _ in requests:
        ratio = seconds / usual[index]
        close = any(0 <= started - at <= AFTER_COMMIT for at in result["commits"])
        (near if close else other).append(ratio)
    return near, other


def report(size: int, bahth: dict, stock: dict, args: argparse.Namespace) -> None:
    ok = [r[2] for r in bahth["requests"] if r[3]]
    failed = sum(not r[3] for r in bahth["requests"])
    peak = max([bahth["end"]["VmHWM"], *(s["VmRSS"] for _, s in bahth["samples"])])
    every5 = [f"{s['VmRSS']:.0f}" for t, s in bahth["samples"] if abs(t % 5) < 0.25]
    near, other = after_commits(bahth)
    print(f"\n### {size:,} articles\n")
    print(
        "| process | peak RSS MB | RSS after warm-up | RSS at end (anon) | requests "
        "| p50 ms | p95 ms |"
    )
    print("|---|---|---|---|---|---|---|")
    print(
        f"| bahth serve, {args.threads} threads, {args.clients} clients | {peak:.0f} | "
        f"{bahth['warm']['VmRSS']:.0f} | "
        f"{bahth['end']['VmRSS']:.0f} ({bahth['end']['RssAnon']:.0f}) | {len(ok)} "
        f"({failed} failed) | {1000 * quantile(ok, 0.5):.1f} | {1000 * quantile(ok, 0.95):.1f} |"
    )
    latencies = stock["latencies"]
    print(
        f"| stock Whoosh, 1 searcher, 1 thread | {stock['end']['VmHWM']:.0f} | "
        f"{stock['warm']['VmRSS']:.0f} | {stock['end']['VmRSS']:.0f} "
        f"({stock['end']['RssAnon']:.0f}) | {len(latencies)} | "
        f"{1000 * quantile(latencies, 0.5):.1f} | {1000 * quantile(latencies, 0.95):.1f} |"
    )
    print(f"\nbahth RSS every 5 s over {args.seconds:.0f} s (MB): {' '.join(every5)}")
    print(f"commits at (s): {' '.join(f'{t:.1f}' for t in bahth['commits'])}")
    if near:
        print(
            f"requests started within {AFTER_COMMIT:.0f} s after a commit: {len(near)}, "
            f"latency / the query's median: max x{max(near):.2f}, p95 x{quantile(near, 0.95):.2f}"
            f"; other requests: {len(other)}, max x{max(other):.2f}, "
            f"p95 x{quantile(other, 0.95):.2f}"
        )
    files = bahth["files"]
    print(
        f"bahth server at the end: {files['deleted_index_fds']} descriptors of deleted index "
        f"files ({files['deleted_fds']} of any deleted file), "
        f"{files['segment_fds']} of segment files, {files['segment_mappings']} segment mappings"
    )
    print(f"peak RSS bahth / stock Whoosh: {peak / stock['end']['VmHWM']:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--workdir", type=Path, help="keep the indexes here (reused if present)")
    parser.add_argument("--sizes", default="10000,31030", help="numbers of articles")
    parser.add_argument("--seconds", type=float, default=40.0, help="length of each load run")
    parser.add_argument("--commit-every", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--child-stock", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--queries-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_stock:
        stock_child(args.child_stock, args.queries_file, args.seconds)
        return 0
    if not args.data.exists():
        print(
            f"memory: SaudiNewsNet not found at {args.data} (it is read from ../shared beside "
            "the repository, never copied into it): pass --data PATH",
            file=sys.stderr,
        )
        return 2
    if not 1 <= args.clients <= 64 or not 0 < args.seconds <= 600:
        parser.error("--clients must be 1..64 and --seconds 0..600")
    workdir = args.workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bahth-memory-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(
        f"bench.memory: {args.clients} clients, waitress x{args.threads}, {args.seconds:.0f} s "
        f"per run, a one-document commit every {args.commit_every:.0f} s; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        articles = articles_of(args.data, size)
        size = len(articles)
        bahth_index, stock_index = workdir / f"bahth-{size}", workdir / f"stock-{size}"
        build_bahth(bahth_index, articles)
        build_stock(stock_index, articles)
        queries = query_cycle(articles)
        del articles
        bahth = measure_bahth(bahth_index, queries, args, tag=str(os.getpid()))
        stock = measure_stock(stock_index, queries, args.seconds, workdir)
        report(size, bahth, stock, args)
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
