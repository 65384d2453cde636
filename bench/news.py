"""News known-item search and query latency on SaudiNewsNet, bahth beside stock Whoosh.

    .venv/bin/python -m bench.news [--data ../shared/data/saudinewsnet/docs.jsonl.gz]

(a) Known-item search: every article's TEXT is indexed without its title; each of 2,000 titles
    (a fixed sample, seed 42: titles of 3+ words, texts of 200+ characters, titles found once
    in the corpus) is a query whose answer is its article (and any article with the very same
    text, which no engine can tell apart without titles). MRR@10, top 100.
(b) Latency, one process, warm (a first pass over every query is not timed): p50/p95 ms of
    the 2,000 title queries and of 300 short 1-3 word queries (words and word runs taken from
    titles, seed 42), top 100 (doc ids and scores, no snippets), for each engine. bahth's
    page-of-10 ``search()`` (snippets, facets) is timed too, on 500 titles and the short
    queries: that is what a user waits for.

The corpus is CC BY-NC-SA and must not be copied into the project: it is read from
../shared beside the repository. Indexing speed and memory are bench/index_speed.py's job.
"""

import argparse
import cProfile
import gzip
import io
import json
import pstats
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.evaluate import evaluate

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "saudinewsnet" / "docs.jsonl.gz"
SEED = 42
TITLE_QUERIES = 2000
SHORT_QUERIES = 300
PAGE_QUERIES = 500  # search() with snippets is timed on the first 500 titles
_ARABIC_WORD = re.compile(r"[\u0621-\u064A\u0671-\u06D3]{2,}")


@dataclass(frozen=True)
class KnownItem:
    qid: str
    title: str
    doc_id: str


def read_articles(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def known_items(articles: list[dict], n: int = TITLE_QUERIES, seed: int = SEED) -> list[KnownItem]:
    """The fixed sample of title queries, in corpus order of choice (deterministic)."""
    title_count = Counter((a.get("title") or "").strip() for a in articles)
    eligible = [
        a
        for a in articles
        if len((a.get("title") or "").split()) >= 3
        and len((a.get("text") or "").strip()) >= 200
        and title_count[(a.get("title") or "").strip()] == 1
    ]
    chosen = random.Random(seed).sample(eligible, n)
    return [KnownItem(f"title-{i:04d}", a["title"].strip(), a["id"]) for i, a in enumerate(chosen)]


def known_item_qrels(articles: list[dict], items: list[KnownItem]) -> dict[str, dict[str, int]]:
    """Each title's article, plus any article with exactly the same text."""
    by_text: dict[str, list[str]] = defaultdict(list)
    text_of = {}
    for a in articles:
        text = (a.get("text") or "").strip()
        by_text[text].append(a["id"])
        text_of[a["id"]] = text
    return {item.qid: {d: 1 for d in by_text[text_of[item.doc_id]]} for item in items}


def short_queries(articles: list[dict], n: int = SHORT_QUERIES, seed: int = SEED) -> list[str]:
    """1-3 consecutive Arabic words from random titles: what people type into a search box."""
    rng = random.Random(seed)
    titles = [a["title"] for a in articles if len(_ARABIC_WORD.findall(a.get("title") or "")) >= 3]
    queries: list[str] = []
    while len(queries) < n:
        words = _ARABIC_WORD.findall(rng.choice(titles))
        size = rng.choice((1, 2, 3))
        start = rng.randrange(0, len(words) - size + 1)
        query = " ".join(words[start : start + size])
        if query not in queries:
            queries.append(query)
    return queries


def timed(results: Iterator) -> tuple[list, list[float]]:
    """Drain a generator of per-query results, timing each item in milliseconds."""
    out, times = [], []
    while True:
        started = time.perf_counter()
        try:
            item = next(results)
        except StopIteration:
            return out, times
        times.append(1000 * (time.perf_counter() - started))
        out.append(item)


def percentiles(times: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return statistics.median(times), cuts[94]


RunQueries = Callable[[Iterable[tuple[str, str]]], Iterator]


def latency(
    run_queries: RunQueries, queries: list[tuple[str, str]], warm: int | None = None
) -> tuple[float, float]:
    """p50 and p95 ms; the first ``warm`` queries (all when None) run once untimed first."""
    list(run_queries(queries if warm is None else queries[:warm]))
    _, times = timed(run_queries(queries))
    return percentiles(times)


def profile(run_queries: RunQueries, queries: list[tuple[str, str]], top: int = 25) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    list(run_queries(queries))
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def _bahth_docs(articles: list[dict]) -> Iterator[dict]:
    for a in articles:
        yield {"id": a["id"], "title": "", "text": a.get("text") or "", "source": a.get("source")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="docs.jsonl.gz")
    parser.add_argument("--workdir", type=Path, help="keep the indexes here (reused if present)")
    parser.add_argument("--profile", type=Path, help="write a cProfile report of bahth's queries")
    parser.add_argument("--limit-docs", type=int, help="index only the first N articles (smoke)")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(
            f"SaudiNewsNet not found at {args.data}: this benchmark reads it from ../shared "
            "beside the repository (it may not be copied into the project); pass --data PATH",
            file=sys.stderr,
        )
        return 2

    from whoosh import index as whoosh_index

    from bahth.search.engine import SearchEngine
    from bench.baselines import BaselineSearcher, Indexed, build_index

    articles = read_articles(args.data)
    items = known_items(articles)
    if args.limit_docs:  # smoke runs: the sampled articles plus the first N
        wanted = {i.doc_id for i in items}
        articles = [a for n, a in enumerate(articles) if n < args.limit_docs or a["id"] in wanted]
    qrels = known_item_qrels(articles, items)
    titles = [(i.qid, i.title) for i in items]
    shorts = [(f"short-{n:03d}", q) for n, q in enumerate(short_queries(articles))]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bahth-news-"))
    workdir.mkdir(parents=True, exist_ok=True)

    stock_dir = workdir / "whoosh-stock"
    if whoosh_index.exists_in(stock_dir):
        stock = Indexed("stock", whoosh_index.open_dir(str(stock_dir)), 0.0)
    else:
        stock_dir.mkdir(parents=True, exist_ok=True)
        stock = build_index("stock", articles, str(stock_dir), with_title=False)
    bahth_dir = workdir / "bahth"
    bahth_seconds = 0.0
    engine = SearchEngine(bahth_dir)
    if not engine.store.exists():
        started = time.perf_counter()
        engine.add_documents(_bahth_docs(articles))
        bahth_seconds = time.perf_counter() - started
    baseline = BaselineSearcher(stock)

    engines: dict[str, RunQueries] = {
        "bahth": lambda qs: engine.run_queries(qs, limit=100),
        "whoosh-stock": lambda qs: baseline.run_queries(qs, limit=100),
    }
    print(
        f"\nSaudiNewsNet: {len(articles)} articles indexed by their text only; "
        f"{len(titles)} title queries, {len(shorts)} short queries; top 100"
    )
    if bahth_seconds or stock.seconds:
        print(
            f"(index builds in this run: bahth {bahth_seconds:.0f} s, "
            f"stock Whoosh {stock.seconds:.0f} s; see bench/index_speed.py for docs/s)"
        )

    quality = {}
    for name, run_queries in engines.items():
        run = {qid: dict(hits) for qid, hits in run_queries(titles)}
        quality[name] = evaluate(qrels, run)["all"]
    print("\n(a) known-item search: article found by its title\n")
    print("| engine | MRR@10 | nDCG@10 | R@100 |\n|---|---|---|---|")
    for name, m in quality.items():
        print(f"| {name} | {m['mrr@10']:.3f} | {m['ndcg@10']:.3f} | {m['recall@100']:.3f} |")

    figures = {}
    for name, run_queries in engines.items():  # the quality pass above warmed title queries
        figures[name] = (latency(run_queries, titles, warm=0), latency(run_queries, shorts))
    pages = titles[:PAGE_QUERIES]
    page_title = latency(lambda qs: (engine.search(q) for _, q in qs), pages, warm=100)
    page_short = latency(lambda qs: (engine.search(q) for _, q in qs), shorts)
    print("\n(b) query latency, ms, single process, warm\n")
    print("| engine | title p50 | title p95 | short p50 | short p95 |\n|---|---|---|---|---|")
    for name, ((t50, t95), (s50, s95)) in figures.items():
        print(f"| {name} top 100 | {t50:.1f} | {t95:.1f} | {s50:.1f} | {s95:.1f} |")
    print(
        f"| bahth search() page of 10 | {page_title[0]:.1f} | {page_title[1]:.1f} "
        f"| {page_short[0]:.1f} | {page_short[1]:.1f} |"
    )
    (b_title, b_short), (w_title, w_short) = figures["bahth"], figures["whoosh-stock"]
    print(
        f"\nstock Whoosh / bahth: title p50 x{w_title[0] / b_title[0]:.2f}, "
        f"title p95 x{w_title[1] / b_title[1]:.2f}, short p50 x{w_short[0] / b_short[0]:.2f}, "
        f"short p95 x{w_short[1] / b_short[1]:.2f} (above 1: bahth is faster)"
    )
    if args.profile:
        report = profile(engines["bahth"], titles[:300]) + profile(
            lambda qs: (engine.search(q) for _, q in qs), titles[:200]
        )
        args.profile.write_text(report, encoding="utf-8")
        print(f"\ncProfile of bahth's title queries written to {args.profile}")
    baseline.close()
    engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
