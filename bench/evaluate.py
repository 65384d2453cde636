"""Score TREC run files against TREC qrels: MRR@10, nDCG@10 and Recall@100.

Why our own evaluator: the benchmark must run in CI in seconds without heavy dependencies
(ranx pulls in numba). The definitions are the standard ones and were checked once against
ranx 0.3.21 on a real run (bench/README.md says how closely they agree):

* MRR@10: 1 / rank of the first relevant document in the top 10, else 0.
* nDCG@10: binary gains, DCG = sum over ranks r <= 10 of rel_r / log2(r + 1), divided by the
  DCG of the ideal ranking (all relevant documents first).
* Recall@100: relevant documents in the top 100 / all relevant documents.

Every query in the qrels counts; a query missing from the run scores 0. Ties in score are
broken by document id (descending), as trec_eval and ranx do, so the same run always gives
the same figures.
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

from bahth.search.runs import Run, ranked

Qrels = dict[str, dict[str, int]]  # qid -> {docid: relevance}

METRICS = ("mrr@10", "ndcg@10", "recall@100")


def read_qrels(path: str | Path) -> Qrels:
    """TREC qrels: ``qid 0 docid rel`` per line; rel <= 0 is not relevant."""
    qrels: Qrels = defaultdict(dict)
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            qid, _, docid, rel = line.split()
            qrels[qid][docid] = int(rel)
    return dict(qrels)


def reciprocal_rank(ranking: list[str], relevant: Mapping[str, int], k: int = 10) -> float:
    for rank, docid in enumerate(ranking[:k], start=1):
        if relevant.get(docid, 0) > 0:
            return 1.0 / rank
    return 0.0


def ndcg(ranking: list[str], relevant: Mapping[str, int], k: int = 10) -> float:
    """Binary-gain nDCG@k with the log2(rank + 1) discount."""
    dcg = sum(
        1.0 / math.log2(rank + 1)
        for rank, docid in enumerate(ranking[:k], start=1)
        if relevant.get(docid, 0) > 0
    )
    n_relevant = sum(1 for rel in relevant.values() if rel > 0)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(n_relevant, k) + 1))
    return dcg / ideal if ideal else 0.0


def recall(ranking: list[str], relevant: Mapping[str, int], k: int = 100) -> float:
    wanted = {docid for docid, rel in relevant.items() if rel > 0}
    return len(wanted.intersection(ranking[:k])) / len(wanted) if wanted else 0.0


def per_query(qrels: Qrels, run: Run) -> dict[str, dict[str, float]]:
    """Each metric for each query of the qrels."""
    scores = {}
    for qid, relevant in qrels.items():
        ranking = [docid for docid, _ in ranked(run.get(qid, {}))]
        scores[qid] = {
            "mrr@10": reciprocal_rank(ranking, relevant, 10),
            "ndcg@10": ndcg(ranking, relevant, 10),
            "recall@100": recall(ranking, relevant, 100),
        }
    return scores


def mean(
    scores: Mapping[str, Mapping[str, float]], qids: Iterable[str] | None = None
) -> dict[str, float]:
    """Average each metric over ``qids`` (all queries when None)."""
    chosen = list(scores) if qids is None else [q for q in qids if q in scores]
    if not chosen:
        return {m: 0.0 for m in METRICS}
    return {m: sum(scores[q][m] for q in chosen) / len(chosen) for m in METRICS}


def evaluate(
    qrels: Qrels, run: Run, groups: Mapping[str, Iterable[str]] | None = None
) -> dict[str, dict[str, float]]:
    """Mean metrics overall (key ``all``) and for each named group of query ids."""
    scores = per_query(qrels, run)
    result = {"all": mean(scores)}
    for name, qids in (groups or {}).items():
        result[name] = mean(scores, qids)
    return result
