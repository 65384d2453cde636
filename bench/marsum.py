"""Known-item search on MArSum: Moroccan news (goud.ma) found by its Darija headline.

    .venv/bin/python -m bench.marsum [--data ../shared/data/marsum_moroccan_test/docs.jsonl]

1,981 articles, their text indexed without the headline; every headline of 2+ words that
appears once, and whose article has 100+ characters, is a query whose answer is its article.
bahth beside stock Whoosh and Whoosh + Snowball (bench/baselines.py) in the same run, and
bahth without its built-in Darija groups on the same index, MRR@10 overall and per kind of
query (bench/kinds.py). A third dev set beside arwiki and
SaudiNewsNet: dialect headlines, and site tags pasted with them (`... -فيديو`).

The data (CC BY 4.0) is read from ../shared beside the repository; without it this says so
and exits 2.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bahth.search.engine import SearchEngine
from bench.known_item import (
    bahth_engine,
    baseline_engine,
    evaluate_known_items,
    known_item_qrels,
    known_items,
    read_articles,
)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "marsum_moroccan_test" / "docs.jsonl"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="docs.jsonl")
    parser.add_argument("--workdir", type=Path, help="keep the indexes here (reused if present)")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(
            f"MArSum not found at {args.data}: this benchmark reads it from ../shared beside "
            "the repository; pass --data PATH",
            file=sys.stderr,
        )
        return 2
    articles = read_articles(args.data)
    items = known_items(articles, min_words=2, min_chars=100, prefix="marsum")
    qrels = known_item_qrels(articles, items)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bahth-marsum-"))
    engine = bahth_engine(workdir / "bahth", articles, with_title=False)
    # the same index without the built-in Darija groups (query time): what they add
    plain = SearchEngine(workdir / "bahth", darija_synonyms=False)
    engines = {
        "bahth": lambda qs: engine.run_queries(qs, limit=100),
        "bahth, no Darija groups": lambda qs: plain.run_queries(qs, limit=100),
    }
    for name in ("stock", "whoosh+snowball"):
        searcher = baseline_engine(name, workdir / name, articles, with_title=False)
        engines[f"whoosh-{name}" if name == "stock" else name] = lambda qs, s=searcher: (
            s.run_queries(qs, limit=100)
        )
    print(f"\nMArSum: {len(articles)} articles indexed by their text only; {len(items)} headlines")
    evaluate_known_items(
        "known-item search: article found by its headline (text-only index), top 100",
        engines,
        items,
        qrels,
        touched=lambda text: bool(engine.parse(text).variants),
        darija=lambda text: bool(engine.parse(text).synonyms),  # the only groups here
    )
    engine.close()
    plain.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
