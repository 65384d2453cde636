"""Field clauses (``source:a``, ``year:2015``, ``date:...``) obey the query language as words
do: NOT, -, +, OR and brackets, on a folder (numpy scoring and Whoosh's own matchers) and on a
real two-node cluster. One row per rule of the language, the rule as its id."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bahth.search.engine import SearchEngine
from tests.test_sphinx_backend import LocalCluster

DOCUMENTS = [
    {
        "id": "a",
        "title": "وزير الصحة",
        "text": "وزير الصحة يزور المستشفى",
        "source": "a",
        "date": "2014-05-01",
    },
    {
        "id": "b",
        "title": "وزير التعليم",
        "text": "وزير التعليم يفتتح مدرسة",
        "source": "b",
        "date": "2015-03-01",
    },
    {
        "id": "c",
        "title": "وزير المالية",
        "text": "وزير المالية يقدم الميزانية",
        "source": "c",
        "date": "2015-07-01",
    },
    {
        "id": "d",
        "title": "مباراة الكرة",
        "text": "فاز الفريق في المباراة",
        "source": "a",
        "date": "2015-09-01",
    },
]

# (query, ids it finds); a row a cluster cannot run says so (a notice) and finds nothing
RULES = [
    pytest.param("وزير -source:a", {"b", "c"}, id="minus-excludes-a-field-value"),
    pytest.param("وزير NOT source:a", {"b", "c"}, id="not-excludes-a-field-value"),
    pytest.param("NOT source:a", {"b", "c"}, id="not-alone-keeps-the-other-values"),
    pytest.param("source:a", {"a", "d"}, id="a-field-clause-alone-filters"),
    pytest.param("وزير +source:c", {"c"}, id="plus-on-a-field-is-required-as-without"),
    pytest.param("وزير source:a OR source:b", {"a", "b"}, id="or-binds-its-two-neighbours"),
    pytest.param("year:2014 OR year:2015", {"a", "b", "c", "d"}, id="or-of-field-clauses-alone"),
    pytest.param("وزير (source:a OR source:b)", {"a", "b"}, id="brackets-around-an-or"),
    pytest.param("وزير NOT (source:a OR source:b)", {"c"}, id="not-over-a-bracketed-or"),
    pytest.param("وزير -(source:a OR source:c)", {"b"}, id="minus-over-a-bracketed-or"),
    pytest.param("وزير source:a source:b", set(), id="two-values-of-one-field-are-both-required"),
    pytest.param("وزير AND source:b", {"b"}, id="and-with-a-field-clause"),
    pytest.param("date:2015 -source:c", {"b", "d"}, id="a-date-range-less-a-value"),
    pytest.param(
        "(وزير source:a) OR (المباراة source:a)", {"a", "d"}, id="or-of-groups-narrowed-alike"
    ),
    pytest.param("الصحة OR source:b", {"a", "b"}, id="or-of-a-word-and-a-field-clause"),
    pytest.param(
        "(الصحة source:a) OR (التعليم source:b)", {"a", "b"}, id="or-of-groups-narrowed-each-way"
    ),
    pytest.param("NOT (الصحة source:a) وزير", {"b", "c"}, id="not-over-a-narrowed-group"),
]
# The engine's MATCH runs words only and its filters narrow the whole query: these shapes
# put a field clause inside the tree, and a cluster says it cannot run them.
INSIDE_THE_TREE = {
    "الصحة OR source:b",
    "(الصحة source:a) OR (التعليم source:b)",
    "NOT (الصحة source:a) وزير",
}
STORES = ["folder", "folder-whoosh-matchers", "cluster"]


@pytest.fixture(scope="module")
def engines(tmp_path_factory) -> Iterator[dict[str, SearchEngine]]:
    root = tmp_path_factory.mktemp("clauses")
    local = LocalCluster(root / "cluster")
    try:
        folder, cluster = SearchEngine(root / "index"), SearchEngine(local.url)
        for engine in (folder, cluster):
            report = engine.add_documents(DOCUMENTS)
            assert report.added == len(DOCUMENTS), report.failures
        reference = SearchEngine(root / "index", vectorized=False)
        yield {"folder": folder, "folder-whoosh-matchers": reference, "cluster": cluster}
    finally:
        local.stop()


@pytest.mark.parametrize("store", STORES)
@pytest.mark.parametrize("q, expected", RULES)
def test_field_clauses_obey_the_query_language(engines, store: str, q: str, expected) -> None:
    page = engines[store].search(q, per_page=10)
    found = {hit.id for hit in page.hits}
    if store == "cluster" and q in INSIDE_THE_TREE:
        assert not found
        assert [n.code for n in page.notices] == ["condition_inside_or"]
        return
    assert found == expected
    assert page.total == len(expected)


@pytest.mark.parametrize("store", STORES)
def test_a_field_clause_never_changes_a_score(engines, store: str) -> None:
    """Conditions narrow: the hits they keep score as they do without them."""
    engine = engines[store]
    plain = {hit.id: hit.score for hit in engine.search("وزير").hits}
    narrowed = {hit.id: hit.score for hit in engine.search("وزير source:a OR source:b").hits}
    assert narrowed and narrowed == {key: plain[key] for key in narrowed}


def test_a_word_beside_a_field_clause_in_an_or_scores_as_alone(engines) -> None:
    """``الصحة OR source:b``: b is found by its source and scores 0; a scores as for الصحة."""
    engine = engines["folder"]
    alone = {hit.id: hit.score for hit in engine.search("الصحة").hits}
    both = {hit.id: hit.score for hit in engine.search("الصحة OR source:b").hits}
    assert both == {"a": alone["a"], "b": 0.0}
