"""Stories on SaudiNewsNet: issue 23's goal figures, measured through SearchEngine.search.

    python -m bench.stories [--data PATH] [--limit N] [--queries 300] [--builds 1]

Title and text indexed (with source and date), twice in the same run: with stories (the
default) and with ``[stories] enabled = false``, each build in a fresh subprocess (its
seconds and peak memory: the main process and its largest worker). Then 300 held-out titles
(seed 7, not bench.news's 42) as queries, a page of ten each:

* near-duplicate slots: a hit whose text is 60% or more the same (word 5-gram Jaccard of the
  normalized words, computed exactly) as a higher hit's, on the default (collapsed) page and
  with collapse=False; and the share of queries with one;
* false stories: of the members shown with a hit (its story's other documents), the share at
  least 50% the same as the hit;
* copies (80% or more the same) on an uncollapsed page that share a story;
* known-item MRR@10: the title's article (or one of the very same text) first; collapsed, the
  target's story counts;
* query p50 (page of ten, warm) on the index with stories and on the one without.

Reads ../shared/data/saudinewsnet/docs.jsonl.gz (not shipped with bahth: this says so and
exits 2 when it is missing).
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.known_item import known_item_qrels, known_items, read_articles

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "saudinewsnet" / "docs.jsonl.gz"
SEED = 7
NEAR, FALSE_BELOW, COPY = 0.6, 0.5, 0.8


def build(data: Path, folder: Path, stories: bool) -> None:
    """One build in this process (the child): its figures as one JSON line."""
    from bahth.index.settings import Settings
    from bahth.index.whoosh.store import IndexStore

    started = time.perf_counter()
    report = IndexStore(folder, settings=Settings(stories=stories)).index_paths([data])
    seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    row = {
        "documents": report.added,
        "seconds": seconds,
        "peak_rss_mb": own.ru_maxrss / 1024,
        "worker_peak_rss_mb": workers.ru_maxrss / 1024,
    }
    print(json.dumps(row))


def measure_build(data: Path, folder: Path, stories: bool) -> dict:
    command = [sys.executable, "-m", "bench.stories", "--child", "on" if stories else "off"]
    command += ["--data", str(data), "--workdir", str(folder)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"the build failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def grams(text: str) -> frozenset:
    """The word 5-grams of ``text``'s normalized words (as index/stories.py reads words), each
    kept as its hash (this process's: compared within it only)."""
    from bahth.analyzers import normalize_word, surfaces

    words = [w for w in map(normalize_word, surfaces(text)) if w]
    if len(words) < 5:
        return frozenset([hash(tuple(words))]) if words else frozenset()
    return frozenset(hash(tuple(words[i : i + 5])) for i in range(len(words) - 4))


class Grams(dict):
    """id -> the 5-grams of its text, made when a page first shows the document."""

    def __init__(self, articles: list[dict]) -> None:
        super().__init__()
        self.texts = {a["id"]: a.get("text") or "" for a in articles}

    def __missing__(self, doc_id: str) -> frozenset:
        made = self[doc_id] = grams(self.texts[doc_id])
        return made


def jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def near_slots(ids: list[str], gram: dict, at_least: float = NEAR) -> int:
    """Hits at least ``at_least`` the same as a higher hit."""
    return sum(
        any(jaccard(gram[ids[j]], gram[ids[i]]) >= at_least for i in range(j))
        for j in range(len(ids))
    )


def story_of_document(engine, doc_id: str) -> str:
    """A document's story id, read from a folder's reader (a bench may look inside)."""
    from bahth.index.stories import story_id

    with engine._reading() as reader:
        docnum = reader.searcher.document_number(id=doc_id)
        return story_id(int(reader.story_keys()[docnum]))


def one_document_runs(on, off, article: dict) -> dict:
    """Seconds of a run that adds one copy of an article (what `bahth index` of one file
    costs), with stories and without."""
    copy = {"id": "bench-one-copy", "title": article.get("title") or "", "text": article["text"]}
    seconds = {}
    for name, engine in (("one_on", on), ("one_off", off)):
        started = time.perf_counter()
        engine.add_documents([copy])
        seconds[name] = time.perf_counter() - started
    return seconds


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def evaluate(on, off, items, qrels, gram) -> dict:
    figures = {k: 0 for k in ("slots", "near_on", "near_off", "q_on", "q_off", "shown", "true")}
    figures.update(copies=0, shared=0, rr_on=0.0, rr_off=0.0, near_on_70=0)
    times: dict[str, list[float]] = {"on": [], "off": []}
    for item in items:
        q, relevant = item.title, qrels[item.qid]
        for _name, engine in (("on", on), ("off", off)):  # warm
            engine.search(q)
        for name, engine in (("on", on), ("off", off)):
            started = time.perf_counter()
            engine.search(q)
            times[name].append(1000 * (time.perf_counter() - started))
        collapsed, every = on.search(q), on.search(q, collapse=False)
        shown = [h.id for h in collapsed.hits]
        listed = [h.id for h in every.hits]
        figures["slots"] += len(listed)
        near_on, near_off = near_slots(shown, gram), near_slots(listed, gram)
        figures["near_on"] += near_on
        figures["near_on_70"] += near_slots(shown, gram, 0.7) if near_on else 0
        figures["near_off"] += near_off
        figures["q_on"] += bool(near_on)
        figures["q_off"] += bool(near_off)
        for hit in collapsed.hits:
            if hit.story_size > 1:
                for member in on.story(hit.story_id):
                    if member != hit.id:
                        figures["shown"] += 1
                        figures["true"] += jaccard(gram[member], gram[hit.id]) >= FALSE_BELOW
        story_of = {h.id: h.story_id for h in every.hits}
        for j, b in enumerate(listed):
            for a in listed[:j]:
                if jaccard(gram[a], gram[b]) >= COPY:
                    figures["copies"] += 1
                    figures["shared"] += story_of[a] == story_of[b]
        target_stories = {story_of_document(on, d) for d in relevant}
        figures["rr_off"] += next((1 / r for r, d in enumerate(listed, 1) if d in relevant), 0)
        figures["rr_on"] += next(
            (1 / r for r, h in enumerate(collapsed.hits, 1) if h.story_id in target_stories), 0
        )
    figures["p50_on"] = percentile(times["on"], 50)
    figures["p50_off"] = percentile(times["off"], 50)
    return figures


def report(args, builds: dict, figures: dict, n: int) -> None:
    print(f"data: {args.data}" + (f" (first {args.limit} articles)" if args.limit else ""))
    for name, rows in builds.items():
        for row in rows:
            print(
                f"build, stories {name}: {row['documents']:,} docs, {row['seconds']:.1f} s, "
                f"peak RSS {row['peak_rss_mb']:.0f} + {row['worker_peak_rss_mb']:.0f} MB"
            )
    seconds = {k: statistics.median(r["seconds"] for r in v) for k, v in builds.items()}
    memory = {
        k: max(r["peak_rss_mb"] + r["worker_peak_rss_mb"] for r in v) for k, v in builds.items()
    }
    f = figures
    slots = f["slots"] or 1
    print(f"{n} title queries, a page of 10:")
    print(
        f"  near-duplicate slots (>= {NEAR:.0%} alike a higher hit): collapsed "
        f"{f['near_on'] / slots:.1%} ({f['near_on']}), collapse=False {f['near_off'] / slots:.1%}"
        f" ({f['near_off']}); queries with one: {f['q_on'] / n:.0%} vs {f['q_off'] / n:.0%}"
    )
    print(f"  of the collapsed page's, 70% or more alike (the threshold): {f['near_on_70']}")
    true = f["true"] / f["shown"] if f["shown"] else 1.0
    print(f"  members shown >= {FALSE_BELOW:.0%} alike their hit: {true:.1%} of {f['shown']}")
    shared = f["shared"] / f["copies"] if f["copies"] else 1.0
    print(f"  copies (>= {COPY:.0%}) on an uncollapsed page sharing a story: {shared:.1%} of "
          f"{f['copies']}")  # fmt: skip
    print(f"  known-item MRR@10: collapsed {f['rr_on'] / n:.4f}, not {f['rr_off'] / n:.4f}")
    print(
        f"  query p50 ms: stories {f['p50_on']:.2f}, without {f['p50_off']:.2f} "
        f"({f['p50_on'] / f['p50_off']:.2f}x)"
    )
    print(f"  a one-document run: {f['one_on']:.2f} s with stories, {f['one_off']:.2f} s without")
    print(
        f"indexing: {seconds['on'] / seconds['off']:.2f}x the time, "
        f"{memory['on'] / memory['off']:.2f}x the peak memory (main + largest worker)"
    )


def limited(path: Path, limit: int | None, workdir: Path) -> Path:
    if not limit:
        return path
    out = workdir / f"first-{limit}.jsonl"
    with gzip.open(path, "rt", encoding="utf-8") as source, out.open("w") as sink:
        for number, line in enumerate(source):
            if number >= limit:
                break
            sink.write(line)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="Only the first N articles.")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--builds", type=int, default=1, help="Builds of each, alternated.")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--child", choices=("on", "off"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(
            f"stories: the SaudiNewsNet data is not at {args.data} (it is not shipped with "
            "bahth): pass --data PATH/docs.jsonl.gz",
            file=sys.stderr,
        )
        return 2
    if args.child:
        build(args.data, args.workdir, args.child == "on")
        return 0
    from bahth.search.engine import SearchEngine

    with tempfile.TemporaryDirectory(prefix="bahth-stories-", dir=args.workdir) as tmp:
        work = Path(tmp)
        data = limited(args.data, args.limit, work)
        builds: dict[str, list[dict]] = {"on": [], "off": []}
        for n in range(args.builds):
            for name in ("off", "on") if n % 2 == 0 else ("on", "off"):
                folder = work / f"{name}-{n}"
                builds[name].append(measure_build(data, folder, name == "on"))
        articles = read_articles(data)
        gram = Grams(articles)
        items = known_items(articles, args.queries, seed=SEED)
        qrels = known_item_qrels(articles, items)
        on, off = SearchEngine(work / "on-0"), SearchEngine(work / "off-0")
        one = one_document_runs(on, off, articles[0])
        gram.texts["bench-one-copy"] = articles[0]["text"]
        figures = evaluate(on, off, items, qrels, gram)
        figures.update(one)
        report(args, builds, figures, len(items))
    return 0


if __name__ == "__main__":
    sys.exit(main())
