"""The one scorer (search/scorer.py) gives what Whoosh's own search gives on a folder: same
documents, same order, same scores, same totals and facets, for every shape of query, on one
index and on an index of several segments with deleted documents.

Each engine pair shares one index: ``SearchEngine(path)`` (the scorer) and
``SearchEngine(path, vectorized=False)`` (Whoosh's matchers, index/whoosh/reference.py).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bahth.index import nodes
from bahth.index.keys import document_key
from bahth.index.sources import Document
from bahth.index.whoosh.reference import reference_scores
from bahth.index.whoosh.writing import document_fields
from bahth.search.engine import SearchEngine
from bahth.search.ranking import Ranking
from bahth.search.scorer import score
from tests.conftest import SEEDS, generated_news, hostile_document

TOLERANCE = 1e-6

MADE = [
    {"id": "adjacent", "title": "تقرير", "text": "الأمن الوطني يعلن نتائج جديدة"},
    {"id": "scattered", "title": "تقرير", "text": "الأمن يعلن نتائج جديدة على المستوى الوطني"},
    {"id": "reversed", "title": "تقرير", "text": "الوطني الأمن في تقرير اخر عن الأمن"},
    {"id": "phrase-stop", "title": "رحلة", "text": "سافر الوفد إلى الرباط صباحا"},
    {"id": "phrase-apart", "title": "رحلة", "text": "سافر الوفد صباحا ووصل الرباط إلى المساء"},
    {"id": "exact", "title": "خبر", "text": "زار الوفد المدينة المغربية أمس"},
    {"id": "stem-only", "title": "خبر", "text": "زار الوفد المدن المغربي أمس"},
    {"id": "title-word", "title": "مهرجان السينما", "text": "عروض كثيرة هذا العام"},
    {"id": "no-source", "title": "مكافحة الإرهاب", "text": "مكافحة الإرهاب بلا مصدر ولا تاريخ"},
    {"id": "repeated", "title": "تكرار", "text": "قال قال قال الوفد في في الرباط في في في"},
]


def _add_segment(engine: SearchEngine, docs: list[dict]) -> None:
    """One commit that Whoosh does not merge with the segments before it."""
    writer = engine.store.open_index().writer()  # Whoosh's own writer: a segment of its own
    for doc in docs:
        writer.update_document(**document_fields(Document.from_dict(doc)))
    writer.commit(merge=False)


@contextmanager
def engine_pair(path: Path) -> Iterator[tuple[SearchEngine, SearchEngine]]:
    fast, whoosh = SearchEngine(path), SearchEngine(path, vectorized=False)
    try:
        yield fast, whoosh
    finally:
        fast.close()
        whoosh.close()


@pytest.fixture(scope="module")
def single(news_index: Path):
    """Seeds + generated news (sources, dates) + a hostile document: conftest's index."""
    with engine_pair(news_index) as pair:
        yield pair


@pytest.fixture(scope="module")
def segmented(tmp_path_factory: pytest.TempPathFactory):
    """The same kind of documents added in several commits, then some deleted and one
    updated: several segments, some with deleted documents."""
    path = tmp_path_factory.mktemp("segments") / "index"
    writer = SearchEngine(path)
    writer.index_paths([SEEDS])
    news = generated_news()
    for start in range(0, len(news), 5):
        _add_segment(writer, news[start : start + 5])
    _add_segment(writer, [*MADE, hostile_document()])
    writer.delete("news-03")
    writer.delete("scattered")
    _add_segment(writer, [{**news[7], "text": news[7]["text"] + " الأمن الوطني"}])
    writer.close()
    with engine_pair(path) as (fast, whoosh):
        leaves = [sub.reader() for sub, _ in fast._reader().searcher.leaf_searchers()]
        assert len(leaves) > 1, "the fixture should make several segments"
        assert any(r.has_deletions() for r in leaves), "and some deleted documents"
        yield fast, whoosh


# (query, search options): one row per shape of query the parser makes
SHAPES = [
    pytest.param("الإرهاب", {}, id="one-word"),
    pytest.param("مكافحة الإرهاب", {}, id="two-words-with-proximity"),
    pytest.param("الأمن الوطني", {}, id="proximity-adjacent-vs-scattered"),
    pytest.param("مكافحة الإرهاب الأمن", {}, id="three-words-all-words-bonus"),
    pytest.param("تعاون أمني في الرباط من أجل مكافحة", {}, id="long-query-no-bonuses"),
    pytest.param("الحموشي بومبيو المغرب", {}, id="seed-words"),
    pytest.param("الحموشي كلمةغيرموجودة", {}, id="one-word-unknown"),
    pytest.param("كلمةغيرموجودة", {}, id="nothing-found"),
    pytest.param("من هم", {}, id="stop-words-only"),
    pytest.param("title:مكافحة", {}, id="title-field"),
    pytest.param("title:تعاون title:أمني", {}, id="title-field-two-words"),
    pytest.param('"مكافحة الإرهاب"', {}, id="phrase"),
    pytest.param('"إلى الرباط"', {}, id="phrase-with-stop-word"),
    pytest.param('"مكافحة الإرهاب والجريمة"', {}, id="three-word-phrase"),
    pytest.param('الأمن "مكافحة الإرهاب"', {}, id="word-and-phrase"),
    pytest.param('"قال قال الوفد"', {}, id="phrase-repeating-a-word"),
    pytest.param('"في في في"', {}, id="phrase-of-one-stop-word-thrice"),
    pytest.param('"في في في في"', {}, id="phrase-repeating-more-than-the-text-does"),
    pytest.param('"في الرباط في"', {}, id="phrase-word-repeated-apart"),
    pytest.param("الإره*", {}, id="prefix"),
    pytest.param("زززز*", {}, id="prefix-matching-nothing"),
    pytest.param("الارهب~", {}, id="fuzzy"),
    pytest.param("مكافحه~2 الأمن", {}, id="fuzzy-and-word"),
    pytest.param("مكافحة -الرباط", {}, id="minus-word"),
    pytest.param("مكافحة NOT طنجة", {}, id="not-word"),
    pytest.param('مكافحة -"الدار البيضاء"', {}, id="minus-phrase"),
    pytest.param("الرباط AND مكافحة", {}, id="and"),
    pytest.param("الرباط OR طنجة", {}, id="or"),
    pytest.param("+الرباط مكافحة", {}, id="required-word"),
    pytest.param("(الرباط OR طنجة) الإرهاب", {}, id="brackets"),
    pytest.param("source:le360 الإرهاب", {}, id="source-filter"),
    pytest.param("year:2021", {}, id="filter-only"),
    pytest.param("year:2021 مكافحة", {}, id="year-filter"),
    pytest.param("date:2020..2022 الأمن", {}, id="date-range"),
    pytest.param("date:2023-04 الإرهاب", {}, id="date-month"),
    pytest.param("-source:le360 مكافحة", {}, id="minus-source"),
    pytest.param("مكافحة", {"filters": {"source": "هسبريس"}}, id="facet-filter-source"),
    pytest.param("مكافحة الإرهاب", {"filters": {"year": "2022"}}, id="facet-filter-year"),
    pytest.param("مكافحة الإرهاب", {"sort": "date"}, id="sort-by-date"),
    pytest.param("year:2021", {"sort": "date"}, id="filter-sorted-by-date"),
    pytest.param("مكافحة الإرهاب", {"page": 2, "per_page": 5}, id="second-page"),
    pytest.param("مكافحة الإرهاب", {"page": 99, "per_page": 5}, id="page-past-the-end"),
    pytest.param("الأمن", {"page": 3, "per_page": 1}, id="one-per-page"),
    pytest.param("الإرهاب", {"page": 2, "per_page": 3, "sort": "date"}, id="date-second-page"),
    pytest.param("FBI alert", {}, id="latin-words"),
]


def _canonical(ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Documents with equal scores may come in any order ("ties aside")."""
    return sorted(ranked, key=lambda pair: (-round(pair[1], 9), pair[0]))


def assert_same_ranking(got: list[tuple[str, float]], want: list[tuple[str, float]]) -> None:
    assert len(got) == len(want)
    got, want = _canonical(got), _canonical(want)
    assert [doc for doc, _ in got] == [doc for doc, _ in want]
    for (doc, a), (_, b) in zip(got, want, strict=True):
        assert abs(a - b) <= TOLERANCE * max(1.0, abs(b)), doc


def assert_same_page(fast: SearchEngine, whoosh: SearchEngine, q: str, **options) -> None:
    a, b = fast.search(q, **options), whoosh.search(q, **options)
    assert (a.total, a.page, a.message, a.suggestion) == (b.total, b.page, b.message, b.suggestion)
    assert list(a.facets.items()) == list(b.facets.items())
    assert [list(v.items()) for v in a.facets.values()] == [
        list(v.items()) for v in b.facets.values()
    ]
    assert_same_ranking([(h.id, h.score) for h in a.hits], [(h.id, h.score) for h in b.hits])
    by_id = {h.id: h for h in b.hits}
    assert all(h == by_id[h.id] for h in a.hits)  # snippets, fields: the whole hit


def whoosh_ranking(engine: SearchEngine, q: str) -> list[tuple[str, float]]:
    """Every match, scored by Whoosh's matchers (its unlimited collector: exact, no pruning);
    equal scores in bahth's order of ties (by document_key, index/keys.py), not Whoosh's
    docnum order, so that a top k cut inside a tie is the one bahth makes."""
    reader = engine._reader()
    parsed = engine.parse(q)
    if parsed.query is None or parsed.query is nodes.NOTHING:
        return []
    scores, matched = reference_scores(reader, parsed.query, parsed.filter, engine.ranking)
    docnums = np.flatnonzero(matched)
    ranked = list(zip(reader.ids(docnums), scores[docnums].tolist(), strict=True))
    return sorted(ranked, key=lambda hit: (-hit[1], document_key(hit[0])))


def matches_of(engine: SearchEngine, q: str):
    reader = engine._reader()
    parsed = engine.parse(q)
    selection = reader.select(parsed.query, parsed.filter)
    return reader, score(selection, parsed.query, parsed.filter, engine.ranking)


def fast_ranking(engine: SearchEngine, q: str, k: int = 10_000) -> list[tuple[str, float]]:
    parsed = engine.parse(q)
    if parsed.query is None or parsed.query is nodes.NOTHING:
        return []
    reader, matches = matches_of(engine, q)
    handles, scores = matches.top(k)
    return list(zip(reader.ids(handles), scores.tolist(), strict=True))


@pytest.mark.parametrize("index", ["single", "segmented"])
@pytest.mark.parametrize(("q", "options"), SHAPES)
def test_search_page_is_whooshs(request, index, q, options) -> None:
    fast, whoosh = request.getfixturevalue(index)
    assert_same_page(fast, whoosh, q, **options)


@pytest.mark.parametrize("index", ["single", "segmented"])
@pytest.mark.parametrize(("q", "options"), SHAPES)
def test_every_match_scored_as_whoosh_scores_it(request, index, q, options) -> None:
    fast, whoosh = request.getfixturevalue(index)
    assert_same_ranking(fast_ranking(fast, q), whoosh_ranking(whoosh, q))


# Whoosh's top-k collector is exact for a top-level Or (plain words), but for a top-level
# AND or NOT it stops early: its pruning takes an Or's best single term as the bound of the
# whole Or's score. So run_queries is compared with Whoosh's run_queries on plain queries and
# with the exact (unlimited) ranking on all of them.
PLAIN = [
    p.values[0] for p in SHAPES if not any(op in p.values[0] for op in ("AND", "NOT", "-", "+"))
]


@pytest.mark.parametrize("index", ["single", "segmented"])
@pytest.mark.parametrize("limit", [1, 3, 100])
def test_run_queries_is_whooshs(request, index, limit) -> None:
    fast, whoosh = request.getfixturevalue(index)
    queries = [(str(n), q) for n, q in enumerate(PLAIN)]
    got = dict(fast.run_queries(queries, limit=limit))
    want = dict(whoosh.run_queries(queries, limit=limit))
    for qid, _ in queries:
        assert_same_ranking(got[qid], want[qid])


@pytest.mark.parametrize("index", ["single", "segmented"])
@pytest.mark.parametrize("limit", [1, 3, 100])
def test_run_queries_is_the_exact_top_k(request, index, limit) -> None:
    fast, whoosh = request.getfixturevalue(index)
    first_stage = SearchEngine(fast.store.path, ranking=Ranking(rerank_depth=0))
    queries = [(str(n), p.values[0]) for n, p in enumerate(SHAPES)]
    got = dict(first_stage.run_queries(queries, limit=limit))
    for qid, q in queries:
        assert_same_ranking(got[qid], whoosh_ranking(whoosh, q)[:limit])


@pytest.mark.parametrize("k", [1, 2, 3, 5, 8])
def test_proximity_checked_only_for_the_top_k_is_still_exact(segmented, k) -> None:
    fast, whoosh = segmented
    for q in ("الأمن الوطني", "مكافحة الإرهاب", "الوطني الأمن", "سافر الرباط"):
        assert_same_ranking(fast_ranking(fast, q, k), whoosh_ranking(whoosh, q)[:k])


def test_a_larger_k_after_a_smaller_one_is_still_exact(segmented) -> None:
    fast, whoosh = segmented
    for q in ("الأمن الوطني", "مكافحة الإرهاب"):
        reader, matches = matches_of(fast, q)
        for k in (1, 4, 50):
            handles, scores = matches.top(k)
            got = list(zip(reader.ids(handles), scores.tolist(), strict=True))
            assert_same_ranking(got, whoosh_ranking(whoosh, q)[:k])


def test_the_comparison_can_fail(news_index: Path) -> None:
    """A different k1 changes scores: the helpers above would notice a wrong scorer."""
    other = SearchEngine(news_index, ranking=Ranking(k1=1.2), vectorized=False)
    fast = SearchEngine(news_index)
    try:
        with pytest.raises(AssertionError):
            assert_same_ranking(fast_ranking(fast, "مكافحة"), whoosh_ranking(other, "مكافحة"))
    finally:
        other.close()
        fast.close()


def _vocabulary(path: Path) -> list[str]:
    engine = SearchEngine(path)
    try:
        words = [w.decode("utf-8") for w in engine._reader().whoosh.lexicon("text_exact")]
    finally:
        engine.close()
    return sorted(w for w in words if not w.isdigit())


@pytest.fixture(scope="module")
def vocabulary(seeds_index: Path) -> list[str]:
    return _vocabulary(seeds_index)


@pytest.fixture(scope="module")
def seeds_engines(seeds_index: Path):
    with engine_pair(seeds_index) as pair:
        yield pair


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_random_phrases(segmented, data) -> None:
    """Runs of words from the texts (found) and with a word repeated or swapped (mostly not
    found): the phrase's documents and scores are Whoosh's."""
    fast, whoosh = segmented
    text = data.draw(st.sampled_from([d["text"] for d in MADE + generated_news()]))
    words = text.split()
    start = data.draw(st.integers(0, len(words) - 1))
    run = words[start : start + data.draw(st.integers(2, 6))]
    if data.draw(st.booleans()):
        at = data.draw(st.integers(0, len(run) - 1))
        run.insert(at, data.draw(st.sampled_from(run)))
    q = '"' + " ".join(run) + '"'
    assert_same_ranking(fast_ranking(fast, q), whoosh_ranking(whoosh, q))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_random_word_queries(seeds_engines, vocabulary, data) -> None:
    fast, whoosh = seeds_engines
    words = data.draw(st.lists(st.sampled_from(vocabulary), min_size=1, max_size=5))
    q = " ".join(words)
    assert_same_ranking(fast_ranking(fast, q), whoosh_ranking(whoosh, q))
    assert_same_ranking(
        dict(fast.run_queries([("q", q)], limit=10))["q"],
        dict(whoosh.run_queries([("q", q)], limit=10))["q"],
    )


def test_proximity_pairs_stay_lazy_when_a_joined_word_is_a_variant(tmp_path: Path) -> None:
    """فيس بوك also finds فيسبوك (a variant clause in the Or); the proximity pair must still
    end the Or, where the scorer checks positions for the top documents only (in the middle,
    Whoosh's span matcher read every candidate's positions: 48 ms for أمير منطقة مكة)."""
    docs = [
        {"id": "apart", "title": "", "text": "أطلق فيس بوك خدمة جديدة"},
        {"id": "glued", "title": "", "text": "أطلق فيسبوك خدمة جديدة"},
        {"id": "far", "title": "", "text": "فيس كلمة كلمة كلمة كلمة كلمة بوك"},
    ]
    engine = SearchEngine(tmp_path / "index")
    engine.add_documents(docs)
    whoosh = SearchEngine(tmp_path / "index", vectorized=False)
    try:
        parsed = engine.parse("فيس بوك")
        assert parsed.variants, "the joined word is a variant"
        _, matches = matches_of(engine, "فيس بوك")
        assert matches.bonuses, "the proximity pair is checked lazily"
        assert_same_ranking(fast_ranking(engine, "فيس بوك"), whoosh_ranking(whoosh, "فيس بوك"))
    finally:
        engine.close()
        whoosh.close()


def test_an_index_written_by_worker_processes_scores_as_whoosh_reads_it(
    tmp_path: Path, monkeypatch
) -> None:
    """Workers keep a term with one posting in its own term entry ("inlined"): the scorer
    reads those from the entry, Whoosh's matchers from theirs; both must agree."""
    from bahth.index.whoosh import writing

    monkeypatch.setattr(writing, "PARALLEL_FROM", 20)
    path = tmp_path / "index"
    writer = SearchEngine(path)
    writer.store.procs = 2
    report = writer.add_documents([*generated_news(40), *MADE, hostile_document()])
    assert report.added == 51
    writer.close()
    with engine_pair(path) as (fast, whoosh):
        inlined = 0
        for sub, _ in fast._reader().searcher.leaf_searchers():
            for _, info in sub.reader().iter_field("text_exact"):
                inlined += info.is_inlined()
        assert inlined, "the workers inlined the terms found once"
        for q in ("الأمن الوطني", "الإرهاب", "سافر الرباط", '"الوفد المدينة"', "تقرير اخر"):
            assert_same_ranking(fast_ranking(fast, q), whoosh_ranking(whoosh, q))
