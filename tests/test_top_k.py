"""The top k is exact where the scorer skips work (search/scorer.py): a query's proximity
bonuses, the only part of a score that reads word positions, are checked only for the
documents whose best possible score can still enter the top k. Property: for random
queries, on a folder and on a real two-node cluster, the k hits (and scores) of that lazy path
are those of scoring every match in full, the proximity pairs as any other phrase."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bahth.index import nodes
from bahth.index.keys import best
from bahth.search import scorer
from bahth.search.engine import SearchEngine
from tests.conftest import SEEDS, engine_on, generated_news

WORDS = (
    "الأمن الوطني مكافحة الإرهاب التعاون الأمريكي المغربي المدير العام مراقبة التراب "
    "الولايات المتحدة الرباط الزيارة عبد اللطيف الحموشي الجريمة المنظمة الأجهزة الأمنية "
    "السلطات اجتماع شركاء دوليين التنسيق اللقاء"
).split()
KS = (1, 3, 10)


@pytest.fixture(scope="module", params=["folder", "cluster"])
def engine(request, tmp_path_factory) -> Iterator[SearchEngine]:
    """The seeds and generated news in a folder, or in a real two-node cluster (the two read
    paths the scorer works over)."""
    with engine_on(request.param, tmp_path_factory.mktemp(f"top-k-{request.param}")) as engine:
        engine.index_paths([SEEDS])
        engine.add_documents(generated_news())
        yield engine


def tops(engine: SearchEngine, q: str, k: int) -> tuple[list, list]:
    """(lazy, full): the top k as (handle, score) pairs, from score() and from evaluating the
    whole query tree for every document over the same selection."""
    parsed = engine.parse(q)
    if parsed.query is None or parsed.query is nodes.NOTHING:
        return [], []
    reader = engine._reader()
    selection = reader.select(parsed.query, parsed.filter)
    handles, scores = scorer.score(selection, parsed.query, None, engine.ranking).top(k)
    lazy = list(zip(handles.tolist(), scores.tolist(), strict=True))
    full_scores, matched = scorer.Evaluator(selection, engine.ranking).evaluate(parsed.query)
    slots = np.flatnonzero(matched & selection.live())
    picked = best(full_scores[slots], selection.keys(slots), k)
    handles = selection.handles(slots[picked])
    full = list(zip(handles.tolist(), full_scores[slots][picked].tolist(), strict=True))
    return lazy, full


def has_proximity(engine: SearchEngine, q: str) -> bool:
    return bool(scorer._trailing_pairs(engine.parse(q).query))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_the_lazy_top_k_is_the_full_top_k(engine, data) -> None:
    words = data.draw(st.lists(st.sampled_from(WORDS), min_size=2, max_size=5, unique=True))
    q = " ".join(words)
    for k in KS:
        lazy, full = tops(engine, q, k)
        assert lazy == full, (q, k)


# Queries whose proximity bonus decides the order of their top hits (adjacent pairs the
# generated news and the seeds write together, and apart).
DECIDED_BY_PROXIMITY = ["الأمن الوطني", "مكافحة الإرهاب", "الجريمة المنظمة", "المدير العام"]


@pytest.mark.parametrize("q", DECIDED_BY_PROXIMITY)
def test_the_queries_have_proximity_bonuses(engine, q: str) -> None:
    """The property is about something: these queries do take the lazy path."""
    assert has_proximity(engine, q)
    assert tops(engine, q, 3)[0], q


def test_the_comparison_fails_when_the_bound_is_wrong(engine, monkeypatch) -> None:
    """A bound that checks nothing (every candidate taken to be below the k-th score) leaves
    the bonuses out of the lazy top k: the comparison above must see it."""
    monkeypatch.setattr(scorer, "_kth_score", lambda scores, k: np.inf)
    differs = [q for q in DECIDED_BY_PROXIMITY for k in KS if (t := tops(engine, q, k))[0] != t[1]]
    assert differs
