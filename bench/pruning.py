"""What dynamic pruning (MaxScore) could save bahth's first stage, at most, on SaudiNewsNet.

    .venv/bin/python -m bench.pruning --index DIR [--data PATH] [--top 100] [--queries 300]

DIR is an index of SaudiNewsNet's articles with titles (``bench.news --workdir W`` leaves one
in W/bahth-titled). For each query (titles of a fixed sample, seed 5, and the short 1-3 word
queries of bench/news.py), an *ideal* MaxScore is simulated: the true k-th score is known in
advance, each term's bound is idf x (k1 + 1) x its boosts (BM25's term-frequency part never
reaches k1 + 1), and the terms of smallest bound whose bounds add up to less than the k-th
score are the ones it would not add whole. The script prints what share of the postings
those terms hold, and times their per-posting work (field lengths, BM25, adding into the
scores), which is all pruning can remove, against the whole ranking of the same queries
(``run_queries``, warm). A real MaxScore saves less: it learns the k-th score as it goes,
and still marks every match (a page counts them, and counts facets over them).

The corpus is CC BY-NC-SA: read from ../shared beside the repository, never copied.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

from bench.known_item import data_missing, read_articles
from bench.news import DEFAULT_DATA, short_queries

SAMPLE_SEED = 5


def ideal_maxscore(engine, queries: list[str], top: int) -> tuple[float, float, float]:
    """(share of postings skipped, their per-posting work in ms a query, the ranking's ms a
    query) for an ideal MaxScore over ``queries``."""
    from bahth.index import nodes
    from bahth.search.scorer import score

    ranking = engine.ranking
    list(engine.run_queries([(str(i), q) for i, q in enumerate(queries)], limit=top))  # warm
    whole = work = 0.0
    skipped = total = 0
    with engine._reading() as reader:
        builder = engine._builder(reader)
        for text in queries:
            started = time.perf_counter()
            list(engine.run_queries([("q", text)], limit=top))
            whole += time.perf_counter() - started
            query = builder.parse(text).query
            if isinstance(query, nodes.AndNot):
                query = query.positive
            if not isinstance(query, nodes.Or):
                continue
            selection = reader.select(query, None)
            matches = score(selection, query, None, ranking)
            scores = matches.scores[matches.eligible]
            if len(scores) < top:
                continue
            kth = np.sort(scores)[len(scores) - top]
            terms = []
            for part in query.parts:
                if isinstance(part, nodes.Term):
                    postings = selection.postings(part.field, part.text)
                    if len(postings.slots):
                        idf = ranking.word_idf(postings.documents, selection.collection_size())
                        bound = idf * (ranking.k1 + 1) * part.boost * query.boost
                        terms.append((bound, part, postings, idf))
            terms.sort(key=lambda term: term[0])
            bounds, left_out = 0.0, []
            for bound, part, postings, idf in terms:
                total += len(postings.slots)
                if bounds + bound < kth:
                    bounds += bound
                    left_out.append((part, postings, idf))
                    skipped += len(postings.slots)
            sums = np.zeros(selection.size)
            started = time.perf_counter()
            for part, postings, idf in left_out:
                lengths = selection.lengths(part.field)[postings.slots]
                average = selection.average_length(part.field)
                bm25 = idf * ranking.bm25(part.field, postings.frequencies, lengths, average)
                sums[postings.slots] += (bm25 * part.boost) * query.boost
            work += time.perf_counter() - started
    n = len(queries)
    return skipped / max(total, 1), 1000 * work / n, 1000 * whole / n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="SaudiNewsNet with titles")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="docs.jsonl.gz")
    parser.add_argument("--top", type=int, default=100, help="k: the depth ranked")
    parser.add_argument("--queries", type=int, default=300, help="title queries")
    args = parser.parse_args(argv)
    if data_missing(args.data):
        return 2
    from bahth.search.engine import SearchEngine

    if not (args.index / "current").exists():
        print(f"no bahth index at {args.index}: make one with bench.news", file=sys.stderr)
        return 2
    articles = read_articles(args.data)
    titles = [a["title"] for a in random.Random(SAMPLE_SEED).sample(articles, args.queries)]
    engine = SearchEngine(args.index)
    print(f"index: {args.index}, top {args.top}")
    for name, queries in (("titles", titles), ("short", short_queries(articles, 200))):
        share, work, whole = ideal_maxscore(engine, queries, args.top)
        print(
            f"{name}: an ideal MaxScore leaves {100 * share:.1f}% of the postings out; their "
            f"per-posting work {work:.3f} ms a query, {100 * work / whole:.1f}% of the ranking "
            f"({whole:.2f} ms a query)"
        )
    engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
