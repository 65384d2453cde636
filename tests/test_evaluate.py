"""bench/evaluate.py on tiny runs whose figures were worked out by hand."""

import math

import pytest

from bahth.search.runs import read_run, write_run
from bench.evaluate import evaluate, ndcg, read_qrels, recall, reciprocal_rank

LOG2_3 = math.log2(3)


@pytest.mark.parametrize(
    ("ranking", "relevant", "expected"),
    [
        pytest.param(["a", "b"], {"a": 1}, 1.0, id="first-is-relevant"),
        pytest.param(["x", "y", "a"], {"a": 1}, 1 / 3, id="relevant-third"),
        pytest.param(["x", "a", "b"], {"a": 1, "b": 1}, 1 / 2, id="first-relevant-counts"),
        pytest.param([f"d{i}" for i in range(10)] + ["a"], {"a": 1}, 0.0, id="rank-11-is-0"),
        pytest.param(["a"], {"a": 0}, 0.0, id="rel-0-is-not-relevant"),
        pytest.param([], {"a": 1}, 0.0, id="empty-run"),
    ],
)
def test_reciprocal_rank(ranking, relevant, expected):
    assert reciprocal_rank(ranking, relevant, 10) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("ranking", "relevant", "expected"),
    [
        pytest.param(["a", "x"], {"a": 1}, 1.0, id="ideal"),
        # DCG = 1/log2(3); ideal DCG = 1
        pytest.param(["x", "a"], {"a": 1}, 1 / LOG2_3, id="second-rank"),
        # DCG = 1/log2(3) + 1/log2(4) = 1/log2(3) + 0.5; ideal = 1 + 1/log2(3)
        pytest.param(
            ["x", "a", "b"],
            {"a": 1, "b": 1},
            (1 / LOG2_3 + 0.5) / (1 + 1 / LOG2_3),
            id="two-relevant-ranks-2-3",
        ),
        # one of two relevant found at rank 1: 1 / (1 + 1/log2(3))
        pytest.param(["a", "x"], {"a": 1, "b": 1}, 1 / (1 + 1 / LOG2_3), id="one-of-two-found"),
        pytest.param(["x"] * 10 + ["a"], {"a": 1}, 0.0, id="beyond-cutoff"),
        pytest.param(["a"], {"a": 3}, 1.0, id="gains-are-binary"),
    ],
)
def test_ndcg(ranking, relevant, expected):
    assert ndcg(ranking, relevant, 10) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("ranking", "relevant", "k", "expected"),
    [
        pytest.param(["a", "b"], {"a": 1, "b": 1, "c": 1}, 100, 2 / 3, id="two-of-three"),
        pytest.param(["x", "a"], {"a": 1}, 1, 0.0, id="beyond-cutoff"),
        pytest.param([], {"a": 1}, 100, 0.0, id="nothing-found"),
    ],
)
def test_recall(ranking, relevant, k, expected):
    assert recall(ranking, relevant, k) == pytest.approx(expected)


def test_files_round_trip_and_queries_missing_from_the_run_score_zero(tmp_path):
    (tmp_path / "qrels.txt").write_text("q1 0 a 1\nq1 0 b 1\nq2 0 c 1\nq3 0 d 1\n")
    # q1: a at rank 2 (scores given unsorted on purpose), q2: c at rank 1, q3: absent
    run = write_run(
        tmp_path / "run.trec", [("q1", [("a", 1.0), ("x", 2.0)]), ("q2", [("c", 5.0)])], tag="t"
    )
    assert read_run(tmp_path / "run.trec") == run
    assert (tmp_path / "run.trec").read_text().splitlines()[0] == "q1 Q0 x 1 2.000000 t"
    result = evaluate(read_qrels(tmp_path / "qrels.txt"), run, {"first-two": ["q1", "q2"]})
    assert result["all"]["mrr@10"] == pytest.approx((0.5 + 1 + 0) / 3)
    assert result["first-two"]["mrr@10"] == pytest.approx(0.75)
    assert result["all"]["recall@100"] == pytest.approx((0.5 + 1 + 0) / 3)


def test_equal_scores_are_ordered_by_id_descending_as_trec_eval_does():
    qrels = {"q": {"a": 1}}
    assert evaluate(qrels, {"q": {"a": 1.0, "b": 1.0}})["all"]["mrr@10"] == pytest.approx(0.5)
