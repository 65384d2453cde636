"""News known-item search and query latency on SaudiNewsNet, bahth beside stock Whoosh.

    .venv/bin/python -m bench.news [--data ../shared/data/saudinewsnet/docs.jsonl.gz]

(a) Known-item search: every article's TEXT is indexed without its title; each of 2,000 titles
    (a fixed sample, seed 42: titles of 3+ words, texts of 200+ characters, titles found once
    in the corpus) is a query whose answer is its article (and any article with the very same
    text, which no engine can tell apart without titles). MRR@10, top 100, and MRR@10 per
    kind of query (quoted or not, short or long: bench/kinds.py).
(c) Exact headline lookup: title AND text indexed, the same 2,000 titles as queries: a person
    who pastes a whole headline expects that article first.
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
import io
import pstats
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from bench.known_item import (
    bahth_engine,
    baseline_engine,
    data_missing,
    evaluate_known_items,
    known_item_qrels,
    known_items,
    read_articles,
)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "saudinewsnet" / "docs.jsonl.gz"
SEED = 42
TITLE_QUERIES = 2000
SHORT_QUERIES = 300
PAGE_QUERIES = 500  # search() with snippets is timed on the first 500 titles
_ARABIC_WORD = re.compile(r"[\u0621-\u064A\u0671-\u06D3]{2,}")


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="docs.jsonl.gz")
    parser.add_argument("--workdir", type=Path, help="keep the indexes here (reused if present)")
    parser.add_argument("--profile", type=Path, help="write a cProfile report of bahth's queries")
    parser.add_argument("--limit-docs", type=int, help="index only the first N articles (smoke)")
    args = parser.parse_args(argv)
    if data_missing(args.data):
        return 2

    articles = read_articles(args.data)
    items = known_items(articles, TITLE_QUERIES, SEED)
    if args.limit_docs:  # smoke runs: the sampled articles plus the first N
        wanted = {i.doc_id for i in items}
        articles = [a for n, a in enumerate(articles) if n < args.limit_docs or a["id"] in wanted]
    qrels = known_item_qrels(articles, items)
    titles = [(i.qid, i.title) for i in items]
    shorts = [(f"short-{n:03d}", q) for n, q in enumerate(short_queries(articles))]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bahth-news-"))
    workdir.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    stock = baseline_engine("stock", workdir / "whoosh-stock", articles, with_title=False)
    engine = bahth_engine(workdir / "bahth", articles, with_title=False)
    print(
        f"\nSaudiNewsNet: {len(articles)} articles indexed by their text only; "
        f"{len(titles)} title queries, {len(shorts)} short queries; top 100 "
        f"(indexes built or opened in {time.perf_counter() - started:.0f} s; "
        "bench/index_speed.py measures indexing)"
    )
    engines: dict[str, RunQueries] = {
        "bahth": lambda qs: engine.run_queries(qs, limit=100),
        "whoosh-stock": lambda qs: stock.run_queries(qs, limit=100),
    }
    evaluate_known_items(
        "(a) known-item search: article found by its title (text-only index)",
        engines,
        items,
        qrels,
        touched=lambda text: bool(engine.parse(text).variants),
    )
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
    titled = bahth_engine(workdir / "bahth-titled", articles, with_title=True)
    stock_titled = baseline_engine("stock", workdir / "whoosh-stock-titled", articles, True)
    evaluate_known_items(
        "(c) exact headline lookup: title and text indexed, the exact title as the query",
        {
            "bahth": lambda qs: titled.run_queries(qs, limit=100),
            "whoosh-stock": lambda qs: stock_titled.run_queries(qs, limit=100),
        },
        items,
        qrels,
    )
    titled.close()
    stock_titled.close()
    if args.profile:
        report = profile(engines["bahth"], titles[:300]) + profile(
            lambda qs: (engine.search(q) for _, q in qs), titles[:200]
        )
        args.profile.write_text(report, encoding="utf-8")
        print(f"\ncProfile of bahth's title queries written to {args.profile}")
    stock.close()
    engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
