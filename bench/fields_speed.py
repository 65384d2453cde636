"""What declared fields cost: indexing and query speed with five declared fields beside the
default schema, on the same SaudiNewsNet articles, in the same run.

    python -m bench.fields_speed [--data PATH] [--limit 10000] [--queries 300]

* ``default``: bahth's default fields (source keyword + facet, date, year keyword + facet
  derived from date, url stored);
* ``declared``: a settings file with five fields mapped from SaudiNewsNet's keys: source and
  author (keyword, facet), date (date), orig_index (number), url (stored).

Each indexes the first ``--limit`` articles into a fresh folder (IndexStore.index_paths,
every core; wall and CPU seconds, the workers' included), then runs the same short queries
(the first two words of ``--queries`` titles, one warm-up pass, then timed) as a page of 10
with facets (``search()``), and the same queries sorted by date and filtered by a source.
Reads ../shared (not shipped: exits 2 when it is missing). One run, one process per schema,
one after the other on the same machine: the load average is printed beside the figures,
and CPU time beside wall time (on a busy machine the wall time mostly measures the
neighbours).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "saudinewsnet" / "docs.jsonl.gz"

DECLARED = """
[fields.source]
type = "keyword"
facet = true

[fields.author]
type = "keyword"
facet = true

[fields.date]
type = "date"

[fields.orig_index]
type = "number"

[fields.url]
type = "stored"
"""


def _first(path: Path, limit: int, out: Path) -> list[dict]:
    records = []
    with gzip.open(path, "rt", encoding="utf-8") as source, out.open("w") as sink:
        for number, line in enumerate(source):
            if number >= limit:
                break
            sink.write(line)
            records.append(json.loads(line))
    return records


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run_one(kind: str, data: Path, folder: Path, queries: list[str]) -> dict:
    from bahth.index.settings import Settings
    from bahth.index.whoosh.store import IndexStore
    from bahth.search.engine import SearchEngine

    settings = None
    if kind == "declared":
        (folder.parent / "settings.toml").write_text(DECLARED, encoding="utf-8")
        settings = Settings.load(folder.parent / "settings.toml")
    started, cpu = time.perf_counter(), _cpu()
    report = IndexStore(folder, settings=settings).index_paths([data])
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    engine = SearchEngine(folder)
    source = next(iter(engine.search(queries[0]).facets["source"]))
    timings: dict[str, list[float]] = {"page": [], "sorted": [], "filtered": []}
    cpu_ms: dict[str, float] = {}
    calls = {
        "page": {},
        "sorted": {"sort": "-date"},  # newest first
        "filtered": {"filters": {"source": source}},
    }
    for q in queries:  # warm-up: caches, column and facet arrays
        engine.search(q)
    for name, options in calls.items():
        spent = time.process_time()
        for q in queries:
            began = time.perf_counter()
            engine.search(q, **options)
            timings[name].append((time.perf_counter() - began) * 1000)
        cpu_ms[name] = round((time.process_time() - spent) * 1000 / len(queries), 1)
    size = sum(f.stat().st_size for f in (folder / "current").resolve().iterdir())
    result = {
        "kind": kind,
        "docs": report.added,
        "seconds": round(seconds, 1),
        "docs_per_second": round(report.added / seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "index_mb": round(size / 1e6, 1),
    }
    for name, values in timings.items():
        result[name] = (
            round(statistics.median(values), 1),
            round(_percentile(values, 0.95), 1),
            cpu_ms[name],
        )
    return result


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the indexing workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--one", choices=["default", "declared"], help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:  # a child process: one schema
        data = args.workdir / "data.jsonl"
        queries = json.loads((args.workdir / "queries.json").read_text(encoding="utf-8"))
        result = run_one(args.one, data, args.workdir / args.one / "index", queries)
        print(json.dumps(result))
        return 0
    if not args.data.exists():
        print(f"bench.fields_speed: no data at {args.data} (SaudiNewsNet)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bahth-fields-") as tmp:
        work = Path(tmp)
        records = _first(args.data, args.limit, work / "data.jsonl")
        titles = [r["title"] for r in records if len((r.get("title") or "").split()) >= 2]
        step = max(1, len(titles) // args.queries)
        queries = [" ".join(t.split()[:2]) for t in titles[::step][: args.queries]]
        (work / "queries.json").write_text(json.dumps(queries, ensure_ascii=False), "utf-8")
        rows = []
        for kind in ("default", "declared"):
            (work / kind).mkdir()
            load = os.getloadavg()[0]
            done = subprocess.run(
                [sys.executable, "-m", "bench.fields_speed", "--one", kind, "--workdir", tmp],
                capture_output=True,
                text=True,
                cwd=ROOT,
                check=True,
            )
            row = json.loads(done.stdout.strip().splitlines()[-1])
            row["load"] = f"{load:.1f}-{os.getloadavg()[0]:.1f}"
            rows.append(row)
    print(f"{len(queries)} two-word title queries, {args.limit:,} articles")
    print("index: wall seconds, docs/s, CPU seconds (main + workers), MB on disk")
    for r in rows:
        print(
            f"  {r['kind']:<9} {r['docs']:>6} docs {r['seconds']:>7} s {r['docs_per_second']:>7} "
            f"docs/s {r['cpu_seconds']:>7} cpu s {r['index_mb']:>7} MB   load {r['load']}"
        )
    print("search(), page of 10 with facets: wall ms p50 / p95, CPU ms a query")
    for name in ("page", "sorted", "filtered"):
        for r in rows:
            p50, p95, cpu = r[name]
            print(f"  {name:<9} {r['kind']:<9} {p50:>6} / {p95:<6} cpu {cpu}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
