"""Search Ranking values on the arwiki TUNING split (ARCD train + XQuAD), then report the best
setting on the held-out split (ARCD test + TyDi), which tuning never looks at.

    .venv/bin/python -m bench.tune [--stem light] [--rounds 2]

Coordinate ascent: for each Ranking field in turn, try each candidate value with the others
fixed, keep the best MRR@10 on the tuning split; repeat for ``--rounds``. Only the public API
is used (AnalysisConfig, Ranking, SearchEngine.run_queries), so whatever it finds can be
copied into search/ranking.py as new defaults.
"""

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

from bench.arwiki_data import DATA_DIR, load
from bench.evaluate import evaluate

CANDIDATES = {
    "k1": (0.6, 0.9, 1.2, 1.5, 2.0),
    "b": (0.4, 0.6, 0.75, 0.9),
    "title_b": (0.0, 0.3, 0.6),
    "title_boost": (0.5, 1.0, 1.5, 2.0, 3.0),
    "exact_boost": (0.0, 0.25, 0.5, 1.0, 1.5),
    "coord_scale": (0.0, 0.5, 1.0, 2.0),
    "all_words_boost": (0.0, 0.5, 1.0, 2.0),
    "all_words_max": (4, 6, 10, 40),
    "proximity_boost": (0.0, 0.5, 1.0, 2.0),
    "proximity_slop": (1, 3, 6),
    "idf": ("whoosh", "bm25"),
    "rerank_depth": (20, 30, 50),
    "window_boost": (0.0, 0.35, 0.5, 0.7, 1.0),
    "window_size": (12, 24, 40),
    "lead_boost": (0.0, 0.2, 0.35, 0.5),
    "lead_words": (40, 60, 100),
}


def main(argv: list[str] | None = None) -> int:
    from bahth.analyzers import AnalysisConfig
    from bahth.search.engine import SearchEngine
    from bahth.search.ranking import DEFAULT_RANKING

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stem", default="light")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--data", type=Path, default=DATA_DIR)
    args = parser.parse_args(argv)
    data = load(args.data)
    tuning = set(data.groups["tuning"])
    tuning_queries = [(q.id, q.text) for q in data.questions if q.id in tuning]
    all_queries = [(q.id, q.text) for q in data.questions]
    candidates = {k: v for k, v in CANDIDATES.items() if hasattr(DEFAULT_RANKING, k)}
    analysis = AnalysisConfig(stem=args.stem)

    with tempfile.TemporaryDirectory(prefix="bahth-tune-") as tmp:
        path = Path(tmp) / "index"
        SearchEngine(path, analysis=analysis).add_documents(data.docs)
        seen: dict = {}

        def score(ranking, queries, group="tuning") -> dict:
            key = (ranking, len(queries))
            if key not in seen:
                engine = SearchEngine(path, analysis=analysis, ranking=ranking)
                run = {qid: dict(hits) for qid, hits in engine.run_queries(queries, limit=100)}
                engine.close()
                seen[key] = evaluate(data.qrels, run, data.groups)
            return seen[key][group]

        best = DEFAULT_RANKING
        best_mrr = score(best, tuning_queries)["mrr@10"]
        print(f"start {best}: tuning MRR@10 {best_mrr:.4f}", flush=True)
        for round_number in range(1, args.rounds + 1):
            for name, values in candidates.items():
                for value in values:
                    trial = dataclasses.replace(best, **{name: value})
                    started = time.perf_counter()
                    mrr = score(trial, tuning_queries)["mrr@10"]
                    print(
                        f"  round {round_number} {name}={value}: {mrr:.4f} "
                        f"({time.perf_counter() - started:.0f} s)",
                        flush=True,
                    )
                    if mrr > best_mrr + 1e-4:
                        best, best_mrr = trial, mrr
                print(f"round {round_number} after {name}: best {best_mrr:.4f}", flush=True)
        print(f"\nstem={args.stem} best on tuning: {best}")
        for label, ranking in (("default", DEFAULT_RANKING), ("tuned", best)):
            full = {g: score(ranking, all_queries, g) for g in ("all", "tuning", "held-out")}
            print(
                f"{label:8} all MRR@10 {full['all']['mrr@10']:.4f} nDCG@10 "
                f"{full['all']['ndcg@10']:.4f} R@100 {full['all']['recall@100']:.4f} | "
                f"tuning {full['tuning']['mrr@10']:.4f} | held-out {full['held-out']['mrr@10']:.4f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
