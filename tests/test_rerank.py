"""The second stage (search/rerank.py): one row per positional rule, on documents that BM25
alone cannot tell apart (same words, same counts, same length), listed so that BM25's tie
order (by document key, index/keys.py: the ids are chosen so) is the wrong one. Words stay
more than ``proximity_slop`` apart, so the first stage's phrase bonus does not see them."""

from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bahth.analyzers import AnalysisConfig, WordAnalysis
from bahth.analyzers.splits import Splits
from bahth.index.keys import document_key
from bahth.search import rerank
from bahth.search.engine import SearchEngine
from bahth.search.ranking import Ranking

FILLER = "كلمة"


def text(*runs: str) -> str:
    """Words separated by runs of filler: text("a b", 40, "c") = 'a b' + 40 fillers + 'c'."""
    out = []
    for run in runs:
        out.append(" ".join([FILLER] * run) if isinstance(run, int) else run)
    return " ".join(out)


ROWS = [
    pytest.param(
        "مكافحة الإرهاب",
        text(5, "مكافحة", 40, "الإرهاب", 5),
        text(5, "مكافحة", 10, "الإرهاب", 35),
        id="window-query-words-together-beat-scattered",
    ),
    pytest.param(
        "الرباط",
        text(80, "الرباط", 5),
        text(5, "الرباط", 80),
        id="lead-text-that-opens-with-the-word-first",
    ),
    pytest.param(
        "الأمن الوطني المغربي",
        text(2, "الأمن", 30, "الوطني", 30, "المغربي", 2),
        text(2, "الأمن", 30, "الوطني", 8, "المغربي", 24),
        id="window-counts-the-largest-share-of-the-query",
    ),
]


def tie_order(count: int) -> list[str]:
    """``count`` ids in the order equal scores come in (by document key)."""
    return sorted((f"d{n}" for n in range(count)), key=document_key)


def index_of(tmp_path: Path, *texts: str, ids: list[str] | None = None) -> SearchEngine:
    """The texts as documents d0, d1, ... (or ``ids``)."""
    engine = SearchEngine(tmp_path / "index")
    engine.add_documents(
        {"id": doc_id, "title": "", "text": t, "source": "test"}
        for doc_id, t in zip(ids or [f"d{n}" for n in range(len(texts))], texts, strict=True)
    )
    return engine


@pytest.mark.parametrize(("query", "worse", "better"), ROWS)
def test_positions_decide_what_bm25_ties(tmp_path, query, worse, better) -> None:
    worse_id, better_id = tie_order(2)
    engine = index_of(tmp_path, worse, better, ids=[worse_id, better_id])
    bm25_only = SearchEngine(engine.store.path, ranking=Ranking(rerank_depth=0))
    [(_, first_stage)] = bm25_only.run_queries([("q", query)])
    assert [doc for doc, _ in first_stage] == [worse_id, better_id]  # a tie, in key order
    assert first_stage[0][1] == pytest.approx(first_stage[1][1])
    [(_, reranked)] = engine.run_queries([("q", query)])
    assert [doc for doc, _ in reranked] == [better_id, worse_id]
    # (made of one filler word, the two texts are one story: the page lists both)
    assert [hit.id for hit in engine.search(query, collapse=False).hits] == [better_id, worse_id]


def test_hits_below_the_depth_keep_their_order_and_pages_agree(tmp_path) -> None:
    # Twelve documents, each a little longer than the last (BM25 order = index order); the
    # last ones open with the word, so the second stage would lift them if it saw them.
    texts = [text(2 + n, "الرباط", 60 - n) for n in range(9)]
    texts += [text("الرباط", 70 + n) for n in range(3)]
    engine = index_of(tmp_path, *texts)
    shallow = SearchEngine(engine.store.path, ranking=Ranking(rerank_depth=4))
    [(_, ranked)] = shallow.run_queries([("q", "الرباط")])
    ids = [doc for doc, _ in ranked]
    assert ids[4:] == [doc for doc, _ in sorted(ranked[4:], key=lambda hit: -hit[1])]
    every = {"collapse": False}  # texts of one filler word: near-duplicates, listed each
    whole = [hit.id for hit in shallow.search("الرباط", per_page=12, **every).hits]
    paged = [
        hit.id
        for p in (1, 2, 3)
        for hit in shallow.search("الرباط", page=p, per_page=4, **every).hits
    ]
    assert whole == paged == ids


@pytest.mark.parametrize(
    ("query", "counted"),
    [
        pytest.param("المغرب الرباط", 2, id="plain-words-count"),
        pytest.param("المغرب -الرباط", 1, id="a-negated-word-does-not"),
        pytest.param("المغرب NOT الرباط", 1, id="a-word-under-not-does-not"),
        pytest.param("المغرب title:الرباط", 1, id="a-title-only-word-does-not"),
        pytest.param("في من على", 0, id="stop-words-do-not"),
    ],
)
def test_which_words_the_second_stage_weighs(tmp_path, query, counted) -> None:
    engine = index_of(tmp_path, text("المغرب الرباط", 3))
    assert len(engine.parse(query).text_words) == counted


def test_hits_tied_at_the_depth_edge_are_all_reranked(tmp_path) -> None:
    # Two copies of one text tie; with depth 1, index order must not pick which one gains.
    copy = text("الرباط", 20)
    engine = index_of(tmp_path, copy, copy, text(30, "الرباط", 30))
    shallow = SearchEngine(engine.store.path, ranking=Ranking(rerank_depth=1))
    [(_, ranked)] = shallow.run_queries([("q", "الرباط")])
    scores = dict(ranked)
    assert scores["d0"] == scores["d1"] > scores["d2"]


def test_one_word_bonus_counts_an_occurrence_past_the_lead(tmp_path) -> None:
    # One query word: the window share is 1 wherever the word is, the lead share only early.
    engine = index_of(tmp_path, text(5, "الرباط", 80), text(80, "الرباط", 5))
    ranking = engine.ranking
    bm25_only = SearchEngine(engine.store.path, ranking=Ranking(rerank_depth=0))
    [(_, before)] = bm25_only.run_queries([("q", "الرباط")])
    [(_, after)] = engine.run_queries([("q", "الرباط")])
    best, before, after = before[0][1], dict(before), dict(after)
    early = best * (ranking.window_boost + ranking.lead_boost)
    assert after["d0"] - before["d0"] == pytest.approx(early)
    assert after["d1"] - before["d1"] == pytest.approx(best * ranking.window_boost)


def test_a_title_that_holds_the_whole_query_goes_first(tmp_path) -> None:
    """A pasted headline: its article's title holds every word; another article has them all
    in its text, more often. Without the title share the other one ranks first."""
    headline = "الحكومة تعلن خطة جديدة لمكافحة البطالة"
    engine = SearchEngine(tmp_path / "index")
    engine.add_documents(
        [
            {"id": "other", "title": "تقرير", "text": f"{headline} {headline} تفاصيل كثيرة"},
            {"id": "own", "title": headline, "text": "أعلنت الحكومة خطة للتشغيل تفاصيل كثيرة"},
            {"id": "third", "title": "خطة", "text": "الحكومة تعلن عن ميزانية جديدة"},
        ]
    )
    without = SearchEngine(engine.store.path, ranking=Ranking(title_share_boost=0.0))
    assert [doc for doc, _ in dict(without.run_queries([("q", headline)]))["q"]][0] == "other"
    assert [doc for doc, _ in dict(engine.run_queries([("q", headline)]))["q"]][0] == "own"


# A hit's text is read only until its features are settled (rerank._settled): one window
# holding every word of the query. Reranking must come out exactly as reading
# every word would: same scores to the last bit, same order, for any texts and queries.
SCAN_VOCABULARY = ["الوزير", "وزارة", "المغرب", "بالمغرب", "الرباط", "قال", "كلمة", "،", "\n"]


@given(
    texts=st.lists(
        st.lists(st.sampled_from(SCAN_VOCABULARY), max_size=150).map(" ".join),
        min_size=1,
        max_size=6,
    ),
    query=st.lists(st.sampled_from(SCAN_VOCABULARY[:6]), min_size=1, max_size=rerank.SETTLE_WORDS),
    synonym=st.sampled_from([None, "الرباط", "قال"]),
    factor=st.sampled_from([0.9, 1.5]),
    sizes=st.sampled_from([(40, 60), (4, 5), (2, 1)]),
    first_part=st.integers(min_value=1, max_value=40),
    title=st.sampled_from(["", "الوزير", "قال بالمغرب في الرباط"]),
)
@example(  # the same words in another order further on: their mass is the same float
    texts=["الرباط المغرب الوزير كلمة كلمة كلمة كلمة كلمة الوزير المغرب الرباط"],
    query=["الوزير", "المغرب", "الرباط"],
    synonym=None,
    factor=0.9,
    sizes=(4, 5),
    first_part=20,
    title="",
)
@example(  # a synonym weighed above its word, further on, adds: read all
    texts=["الوزير المغرب كلمة كلمة كلمة كلمة كلمة الرباط المغرب"],
    query=["الوزير", "المغرب"],
    synonym="الرباط",
    factor=1.5,
    sizes=(4, 5),
    first_part=10,
    title="",
)
@settings(max_examples=200, deadline=None)
def test_a_hit_read_until_settled_reranks_as_one_read_whole(
    texts, query, synonym, factor, sizes, first_part, title
) -> None:
    window, lead = sizes
    ranking = Ranking(window_size=window, lead_words=lead)
    analysis = WordAnalysis(AnalysisConfig())
    analysis.splits = Splits(analysis.pattern, first_part=(first_part, max(1, first_part // 6)))
    # weights whose sum depends on the order they are added in: (0.1 + 0.2) + 0.3 > 0.6
    words = [rerank.Word(analysis.word(w).stems, 0.1 * (n + 1)) for n, w in enumerate(query)]
    paths = []
    if synonym is not None:
        paths = [rerank.Path(((analysis.word(synonym).stems),), frozenset({0}), factor)]
    documents = {n: {"text": text, "title": title} for n, text in enumerate(texts)}
    hits = [(10.0 - n, n) for n in range(len(texts))]

    def rank() -> list:
        return rerank.rerank(hits, words, ranking, analysis, documents.__getitem__, paths=paths)

    with patch.object(rerank, "_settled", return_value=None):
        whole = rank()  # every word of every text read (and the texts kept)
    assert rank() == whole, "read in parts of the kept split"
    analysis.splits = Splits(analysis.pattern, first_part=(first_part, first_part))
    assert rank() == whole, "read in parts split as they are asked for"


@pytest.mark.parametrize(
    ("words", "factor", "stops_early"),
    [
        (1, None, True),
        (rerank.SETTLE_WORDS, 0.9, True),
        (rerank.SETTLE_WORDS + 1, None, False),  # seldom all in one window: read whole
        (2, 1.5, False),  # a synonym weighed above its word could still add further on
    ],
    ids=["one-word", "short-with-synonym", "long-query-read-whole", "synonym-above-its-word"],
)
def test_which_queries_read_a_hit_only_until_settled(words, factor, stops_early) -> None:
    paths = [] if factor is None else [rerank.Path((("x",),), frozenset({0}), factor)]
    assert (rerank._settled(words, paths, Ranking()) is not None) == stops_early
