"""Analyzer speed in tokens per second, beside Whoosh's StandardAnalyzer on the same text.

    python bench/analyzer_speed.py                 # the seeds
    python bench/analyzer_speed.py --saudinewsnet  # ../shared/data/saudinewsnet (5,000 articles)

Each analyzer runs twice over the text; the second (warm) pass is the figure, since bahth
caches normalization and stems per word form, as it does when indexing. Times are CPU time.
"""

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

from whoosh.analysis import StandardAnalyzer

from bahth.analyzers import arabic_analyzer, exact_analyzer

ROOT = Path(__file__).resolve().parent.parent
SNN = ROOT.parent / "shared" / "data" / "saudinewsnet" / "docs.jsonl.gz"


def seed_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]


def news_texts(path: Path, limit: int) -> list[str]:
    if not path.exists():
        sys.exit(f"bench: {path} is missing (it comes with ../shared, beside the project)")
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        texts = []
        for line in lines:
            record = json.loads(line)
            texts.append(f"{record.get('title') or ''}\n{record.get('text') or ''}")
            if len(texts) == limit:
                break
    return texts


def measure(analyzer, texts: list[str]) -> tuple[int, float]:
    """(tokens, tokens per second) of the warm pass."""
    for text in texts:  # cold pass: fills the per-word caches
        for _ in analyzer(text):
            pass
    started, tokens = time.process_time(), 0
    for text in texts:
        for _ in analyzer(text, positions=True, chars=True):
            tokens += 1
    return tokens, tokens / max(time.process_time() - started, 1e-9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saudinewsnet", action="store_true")
    parser.add_argument("--data", type=Path, default=SNN)
    parser.add_argument("--limit", type=int, default=5000)
    args = parser.parse_args()
    texts = news_texts(args.data, args.limit) if args.saudinewsnet else seed_texts()
    chars = sum(map(len, texts))
    print(f"{len(texts)} texts, {chars:,} characters")
    rows = [
        ("Whoosh StandardAnalyzer (baseline)", StandardAnalyzer()),
        ("bahth exact (tokenize + normalize)", exact_analyzer()),
        ("bahth light (full pipeline)", arabic_analyzer("light")),
        ("bahth snowball", arabic_analyzer("snowball")),
    ]
    baseline = None
    for name, analyzer in rows:
        tokens, rate = measure(analyzer, texts)
        baseline = baseline or rate
        print(f"{name:<38} {tokens:>9,} tokens {rate:>12,.0f} tokens/s  {rate / baseline:.2f}x")


if __name__ == "__main__":
    main()
