"""What one document or one setting may cost, and answers that do not depend on the order
documents were written in (issue "Reliability, second round"), on both stores: Whoosh
folders and a two-node cluster of real searchd nodes. Each row's id is its reason.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

import pytest

from bahth.analyzers import MAX_WORD_CHARS
from bahth.search import suggestions as engine_module
from bahth.search.engine import SearchEngine
from tests.test_sphinx_backend import LocalCluster

BLOB = "ب" * 300_000  # one "word" of 300,000 letters
OTHERS = [
    {"id": "blob", "title": "وثيقة طويلة", "text": f"بداية الوثيقة {BLOB} خاتمة الوثيقة"},
    {"id": "bidi", "title": "حصاد العام\u202c", "text": "قال إن العام\u202c الماضي كان جيدا"},
    {"id": "shy", "title": "تقرير", "text": "ارتفع الاستث\u00adمار الأجنبي"},
]
# Documents that score the same for every query below: which comes first must not depend on
# the order they were written in (nor on the segment or shard each is in).
TIED = [
    {
        "id": f"tie-{name}",
        "title": "تعاون متطابق",
        "text": "نص متطابق عن التعاون الأمني",
        "date": "2020-01-01T00:00:00",
    }
    for name in "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima".split()
]
TIE_QUERIES = [
    pytest.param("التعاون", id="one-word"),
    pytest.param("تعاون متطابق", id="two-words-with-proximity"),
    pytest.param("year:2020", id="filter-only"),
    pytest.param("متطاب*", id="prefix"),
]


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> Iterator[dict[str, SearchEngine]]:
    """The same documents: in one folder in one order, in another folder in the reverse
    order over three commits, in a cluster in a third order, and in a cluster whose engine
    scores only 10 candidates itself (which ones, its own ranking chooses)."""
    root = tmp_path_factory.mktemp("bounds")
    local = LocalCluster(root / "cluster")
    try:
        written = SearchEngine(root / "written")
        written.add_documents([*OTHERS, *TIED])
        backwards = SearchEngine(root / "backwards")
        for start in range(0, len(TIED), 5):
            backwards.add_documents(TIED[::-1][start : start + 5])
        backwards.add_documents(OTHERS)
        cluster = SearchEngine(local.url)
        cluster.add_documents([*TIED[5:], *OTHERS, *TIED[:5]])
        few = SearchEngine(f"{local.url}?candidates=10")
        yield {
            "written": written,
            "backwards": backwards,
            "whoosh-matchers": SearchEngine(root / "backwards", vectorized=False),
            "cluster": cluster,
            "few": few,
        }
    finally:
        local.stop()


STORES = ["written", "cluster"]


def ids(engine: SearchEngine, q: str, **options) -> list[str]:
    """Every document's id in the page's order (the tied documents are one story: a
    collapsed page would show one of them)."""
    return [hit.id for hit in engine.search(q, collapse=False, **options).hits]


def first_stage(engine: SearchEngine, q: str, k: int) -> list[str]:
    """The ids of the first stage's best ``k`` (the cut the second stage starts from)."""
    with engine._reading() as reader:
        parsed = engine._builder(reader).parse(q)
        handles, _ = engine._matches(reader, parsed.query, parsed.filter).top(k)
        return reader.ids(handles.tolist())


# ---- item 4: a word's length is bounded ----------------------------------------------------


@pytest.mark.parametrize("store", STORES)
def test_word_length_unbounded_a_word_too_long_is_not_indexed(stores, store) -> None:
    engine = stores[store]
    assert engine.search(BLOB).total == 0, "no term, so no query finds it"
    assert ids(engine, "خاتمة") == ["blob"], "the words around it are indexed"
    assert engine.suggest("بببب") == []
    assert engine.search("ببب*").total == 0


@pytest.mark.parametrize("store", STORES)
def test_suggestion_size_unbounded_a_suggestion_is_a_word(stores, store, monkeypatch) -> None:
    """An index built before the limit may hold such a word in its dictionary (the most
    frequent one here): a suggestion never gives it."""
    engine = stores[store]
    expected = engine.suggest("بد", limit=1_000)
    assert expected, "the index has words starting so"
    real = engine_module.prefix_frequencies

    def older(reader, fields, prefix, budget, stage):
        counts, cut = real(reader, fields, prefix, budget, stage)
        for length in (MAX_WORD_CHARS + 1, 100_000):
            counts["بد" + "ب" * (length - 2)] = 10**6
        return counts, cut

    monkeypatch.setattr(engine_module, "prefix_frequencies", older)
    assert engine.suggest("بد", limit=1_000) == expected


# ---- item 10: format characters, ties, synonyms --------------------------------------------


@pytest.mark.parametrize("store", STORES)
def test_bidi_control_kept_in_a_suggestion_words_are_shown_without_them(stores, store) -> None:
    engine = stores[store]
    found = engine.suggest("الع")
    assert "العام" in found
    assert not [word for word in found if any(unicodedata.category(c) == "Cf" for c in word)]
    assert ids(engine, "العام الماضي") == ["bidi"]
    assert ids(engine, "الاستثمار") == ["shy"], "a soft hyphen does not split its word"


@pytest.mark.parametrize("q", TIE_QUERIES)
def test_equal_scores_in_write_order_ties_go_by_id(stores, q) -> None:
    """Whatever the order, commits or shards they were written in, equal scores come in one
    order: the same on every store, every page, and in date order among equal dates."""
    first = ids(stores["written"], q, per_page=50)
    assert len(first) == len(TIED)
    for name in ("backwards", "whoosh-matchers", "cluster"):
        engine = stores[name]
        assert ids(engine, q, per_page=50) == first, name
        assert ids(engine, q, per_page=3) + ids(engine, q, per_page=3, page=2) == first[:6], name
        assert ids(engine, q, sort="-date") == ids(stores["written"], q, sort="-date"), name
        for k in (1, 5, len(TIED)):
            assert first_stage(engine, q, k) == first_stage(stores["written"], q, k), (name, k)
    assert ids(stores["few"], q) == first[:10], "the engine's candidates are the same ones"
