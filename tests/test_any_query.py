"""No query string of any shape makes search(), suggest() or document() raise.

The parser reads anything, and its recursion is bounded: brackets nest up to MAX_DEPTH (deeper
ones are read as if they were not there), a run of NOTs is one NOT or none, and stray closing
brackets do not nest. 400 nested brackets used to raise RecursionError out of search().
"""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bahth.search.engine import SearchEngine
from bahth.search.language import MAX_DEPTH

WORD = "الأمن"


@pytest.fixture(scope="module")
def engine(news_index: Path):
    engine = SearchEngine(news_index)
    yield engine
    engine.close()


# Synonym groups made of the words the queries below are made of (a word, phrases, a stop
# word, a Latin word, numbers), so that every shape of query meets the synonyms' paths too.
GROUPS = [[WORD, "مكافحة الإرهاب", "FBI"], ["طنجة", "في الرباط"], ["2015", "١٣"]]


@pytest.fixture(scope="module", params=[(), GROUPS], ids=["no-synonyms", "synonyms"])
def any_engine(news_index: Path, request):
    engine = SearchEngine(news_index, synonyms=request.param)
    yield engine
    engine.close()


def ids(engine: SearchEngine, q: str) -> list[str]:
    return [hit.id for hit in engine.search(q, per_page=50).hits]


def answer(engine: SearchEngine, q: str) -> tuple[set[str], list[str]]:
    """What a query gives: its hits, and the codes of what its page says about itself."""
    page = engine.search(q, per_page=50)
    return {hit.id for hit in page.hits}, [n.code for n in page.notices]


# (query, a query that must give the same hits): one row per way a query can nest or repeat,
# each within the 2,000 characters a query is cut to
DEEP = [
    pytest.param("(" * 400 + WORD, WORD, id="400-open-brackets"),
    pytest.param("(" * 400 + WORD + ")" * 400, WORD, id="400-nested-brackets"),
    pytest.param("(" * 1000 + WORD + ")" * 3, WORD, id="1000-open-brackets-a-few-closed"),
    pytest.param(f"({WORD} OR " * 150 + "طنجة" + ")" * 150, f"{WORD} OR طنجة", id="nested-ors"),
    pytest.param(")" * 600 + WORD, WORD, id="600-stray-closing-brackets"),
    pytest.param(f"{WORD} )" * 250, WORD, id="a-word-and-a-stray-bracket-250-times"),
    pytest.param("NOT " * 400 + WORD, WORD, id="an-even-run-of-nots-cancels"),
    pytest.param(f"مكافحة {'NOT ' * 401}{WORD}", f"مكافحة NOT {WORD}", id="an-odd-run-is-one-not"),
    pytest.param("-" * 600 + WORD, "-" + WORD, id="600-minus-signs"),
    pytest.param('"' * 999 + WORD, WORD, id="999-quotes"),
    pytest.param("AND " * 200 + WORD + " OR" * 200, WORD, id="dangling-operators"),
    pytest.param(
        "(" * (MAX_DEPTH - 1) + WORD + ")" * (MAX_DEPTH - 1), WORD, id="as-deep-as-allowed"
    ),
]


@pytest.mark.parametrize(("q", "same_as"), DEEP)
def test_deep_and_repeated_syntax_is_read_not_raised(engine, q: str, same_as: str) -> None:
    expected = answer(engine, same_as)
    assert expected[0] or expected[1], "the query it reads as finds something, or says why not"
    assert answer(engine, q)[0] == expected[0]


TOKENS = st.sampled_from(
    [
        WORD,
        "مكافحة",
        "الإرهاب",
        "طنجة",
        "الرباط",
        "في",
        "من",
        "و",
        "FBI",
        "alert",
        "2015",
        "١٣",
        "ال",
        "اا",
        '"',
        "“",
        "”",
        "«",
        "»",
        "'",
        "(",
        ")",
        "AND",
        "OR",
        "NOT",
        "and",
        "+",
        "-",
        "*",
        "~",
        "~2",
        "~9",
        ":",
        "title:",
        "text:",
        "source:",
        "year:",
        "date:",
        "date:2015..",
        "date:..2015-13",
        "؟",
        "،",
        "\u064b",
        "ـ",
        "\u200f",
        "ﻻ",
        "\x00",
        "\t",
        "\n",
        " ",
    ]
)
GLUE = st.sampled_from(["", " ", " ", "  "])
QUERIES = st.one_of(
    st.lists(st.tuples(TOKENS, GLUE), max_size=60).map(lambda p: "".join(a + b for a, b in p)),
    st.tuples(TOKENS, st.integers(1, 3000)).map(lambda t: t[0] * t[1]),
    st.text(max_size=300),
    st.text(alphabet=st.characters(min_codepoint=0x0600, max_codepoint=0x06FF), max_size=200),
)


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    q=QUERIES, page=st.integers(-5, 20_000), sort=st.sampled_from(["relevance", "date", "-date"])
)
@example(q='title:"في', page=1, sort="relevance")
@example(q='title:+"في"', page=1, sort="relevance")
def test_search_never_raises_on_any_query(any_engine, q: str, page: int, sort: str) -> None:
    result = any_engine.search(q, page=page, per_page=5, sort=sort)
    shown_before = (result.page - 1) * 5  # the page shown: page clamped to 1..the last one
    assert len(result.hits) == max(0, min(5, result.total - shown_before)), "paging adds up"
    assert len({hit.id for hit in result.hits}) == len(result.hits), "no hit twice"
    assert result.message == " ".join(str(n) for n in result.notices)
    assert result.total or result.notices, "an empty page says why"


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(q=QUERIES)
@example(q='title:"في')  # a quoted stop word on one field: one exact term, not an Or
@example(q='+"في"')
def test_suggest_and_the_document_page_never_raise_on_any_query(any_engine, q: str) -> None:
    found = any_engine.suggest(q)
    assert len(found) <= 10 and len(set(found)) == len(found)
    assert all(word and not any(ch.isspace() for ch in word) for word in found), found
    view = any_engine.document("news-01", q=q)
    assert view is not None and view.body_html.startswith("<p>")
