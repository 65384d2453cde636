"""Indexing speed: bahth beside stock Whoosh on the same articles, in the same run.

    python -m bench.index_speed [--data PATH] [--limit N] [--workdir DIR]

Reads SaudiNewsNet (31,030 articles, ../shared/data/saudinewsnet/docs.jsonl.gz relative to
the repository; not shipped with bahth, so this says so and exits 2 when it is missing).
Each contender runs in its own fresh subprocess, which reads the file, indexes it into an
empty folder and commits:

* ``bahth``: ``bahth index`` 's own code (IndexStore.index_paths): title and text each
  indexed twice (stemmed and exact), source, date, year, url, content hash, using every core;
* ``whoosh``: stock Whoosh 2.7.4 as a user would first write it: id, title and text (both
  stored, as bahth stores them for snippets), StandardAnalyzer, one writer, limitmb=256.

Both read the same documents through index.sources (the 57 articles with neither title nor
text are skipped by both). Printed per contender: documents, seconds, docs/s, and peak
resident memory of the indexing process and of its largest worker process (bahth's workers
run beside it, so the sum is an upper bound of the whole run's peak).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "saudinewsnet" / "docs.jsonl.gz"


def _limited(path: Path, limit: int | None, workdir: Path) -> Path:
    """The data file, or its first ``limit`` lines copied into workdir (for quick runs)."""
    if not limit:
        return path
    import gzip

    out = workdir / f"first-{limit}.jsonl"
    with gzip.open(path, "rt", encoding="utf-8") as source, out.open("w") as sink:
        for number, line in enumerate(source):
            if number >= limit:
                break
            sink.write(line)
    return out


def run_bahth(data: Path, folder: Path) -> int:
    from bahth.index.whoosh.store import IndexStore

    report = IndexStore(folder).index_paths([data])
    return report.added


def run_whoosh(data: Path, folder: Path) -> int:
    from whoosh import index as whoosh_index
    from whoosh.analysis import StandardAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    from bahth.index.sources import Document, read_sources

    folder.mkdir(parents=True)
    schema = Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=StandardAnalyzer(), stored=True),
        text=TEXT(analyzer=StandardAnalyzer(), stored=True),
    )
    writer = whoosh_index.create_in(str(folder), schema).writer(limitmb=256)
    count = 0
    for doc in read_sources([data]):
        if isinstance(doc, Document):
            writer.add_document(id=doc.id, title=doc.title, text=doc.text)
            count += 1
    writer.commit()
    return count


CONTENDERS = {"bahth": run_bahth, "whoosh": run_whoosh}


def child(name: str, data: Path, folder: Path) -> None:
    """Run one contender in this process and print its figures as one JSON line."""
    started = time.perf_counter()
    documents = CONTENDERS[name](data, folder)
    seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    print(
        json.dumps(
            {
                "name": name,
                "documents": documents,
                "seconds": seconds,
                "cpu_seconds": own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime,
                "peak_rss_mb": own.ru_maxrss / 1024,
                "worker_peak_rss_mb": workers.ru_maxrss / 1024,
                "index_mb": size / 1e6,
            }
        )
    )


def measure(name: str, data: Path, workdir: Path) -> dict:
    folder = workdir / name
    load_before = os.getloadavg()[0]
    command = [sys.executable, "-m", "bench.index_speed", "--child", name, "--data", str(data)]
    command += ["--workdir", str(folder)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{name} failed:\n{done.stderr}")
    row = json.loads(done.stdout.strip().splitlines()[-1])
    row["load"] = f"{load_before:.1f}-{os.getloadavg()[0]:.1f}"
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="Only the first N articles.")
    parser.add_argument("--workdir", type=Path, default=None, help="Where indexes go (tmp).")
    parser.add_argument("--child", choices=sorted(CONTENDERS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(
            f"index_speed: the SaudiNewsNet data is not at {args.data} (it is not shipped with "
            "bahth): pass --data PATH/docs.jsonl.gz",
            file=sys.stderr,
        )
        return 2
    if args.child:
        child(args.child, args.data, args.workdir)
        return 0
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)  # a folder to make, not an error
    with tempfile.TemporaryDirectory(prefix="bahth-index-speed-", dir=args.workdir) as tmp:
        workdir = Path(tmp)
        data = _limited(args.data, args.limit, workdir)
        print(f"data: {args.data}" + (f" (first {args.limit} lines)" if args.limit else ""))
        print(f"cores: {len(os.sched_getaffinity(0))}, python {sys.version.split()[0]}")
        rows = [measure(name, data, workdir) for name in ("whoosh", "bahth")]
    header = f"{'':8} {'docs':>7} {'seconds':>8} {'docs/s':>7} {'cpu s':>7} "
    header += f"{'peak RSS MB (main + largest worker)':>36} {'index MB':>9} {'load avg':>9}"
    print(header)
    for row in rows:
        rss = f"{row['peak_rss_mb']:.0f} + {row['worker_peak_rss_mb']:.0f}"
        print(
            f"{row['name']:8} {row['documents']:>7,} {row['seconds']:>8.1f} "
            f"{row['documents'] / row['seconds']:>7.1f} {row['cpu_seconds']:>7.1f} "
            f"{rss:>36} {row['index_mb']:>9.1f} {row['load']:>9}"
        )
    whoosh, bahth = rows
    ratio = (bahth["documents"] / bahth["seconds"]) / (whoosh["documents"] / whoosh["seconds"])
    print(f"bahth / stock Whoosh, docs/s: {ratio:.2f}x")
    print(
        "load avg: the machine's 1-minute load before-after each run (other work shares the cores)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
