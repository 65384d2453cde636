"""The library's calls say what is wrong with an argument a Python caller gives, in bahth's
own words (a document skipped and named in the run's report, or an ArgumentError naming the
argument), never an AttributeError or a TypeError from deep inside: the caller cannot tell
those from a bug in bahth. And a bad document loses nothing: the others are indexed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bahth import ArgumentError, Document, FilterError
from bahth.search.engine import SearchEngine

GOOD = {"id": "good", "title": "عنوان", "text": "نص عن الرباط"}

# (a document a Python caller built, what its failure in the report says)
BAD_DOCUMENTS = [
    pytest.param(Document(id=None, title="t", text="x"), "no id", id="no-id"),
    pytest.param(Document(id=True, title="t", text="x"), "neither text nor", id="id-a-bool"),
    pytest.param(Document(id=["a"], title="t", text="x"), "neither text nor", id="id-a-list"),
    pytest.param(
        Document(id="b", title=None, text=None), "no title and no text", id="no-title-no-text"
    ),
    pytest.param(Document(id="b", title="t", text=5), "text is not text", id="text-a-number"),
    pytest.param(Document(id="b", title=["t"], text="x"), "title is not text", id="title-a-list"),
    pytest.param(Document("b", "t", "x", date="nope"), "is not a date", id="unreadable-date"),
    pytest.param(Document("b", "t", "x", fields=[1]), "fields is not a dict", id="fields-a-list"),
]


@pytest.fixture()
def engine(tmp_path: Path) -> SearchEngine:
    return SearchEngine(tmp_path / "index")


@pytest.mark.parametrize(("document", "says"), BAD_DOCUMENTS)
def test_a_bad_document_is_named_and_the_others_indexed(
    engine: SearchEngine, document: Document, says: str
) -> None:
    report = engine.add_documents([document, GOOD])
    assert report.added == 1 and engine.document("good") is not None
    assert [failure.where.startswith("document ") for failure in report.failures] == [True]
    assert says in report.failures[0].reason


# (a document a Python caller built, as the index keeps it: what it reads the value as)
READ_AS = [
    pytest.param(Document(id=5, title="t", text="x"), "5", "id", "5", id="id-a-whole-number"),
    pytest.param(Document("n", 2015, "x"), "n", "title", "2015", id="title-a-number"),
    pytest.param(
        Document("d", "t", "x", date="2015-07-21"),
        "d",
        "date",
        "2015-07-21T00:00:00",
        id="date-as-text",
    ),
    pytest.param(Document("f", "t", "x", fields=None), "f", "fields", {}, id="fields-none"),
]


@pytest.mark.parametrize(("document", "doc_id", "name", "value"), READ_AS)
def test_a_document_is_read_as_a_record_with_the_same_values_would_be(
    engine: SearchEngine, document: Document, doc_id: str, name: str, value: object
) -> None:
    report = engine.add_documents([document])
    assert report.added == 1, report.failures
    assert getattr(engine.document(doc_id), name) == value


# (what is given as add_documents' documents, what the ArgumentError says)
NOT_DOCUMENTS = [
    pytest.param(None, "not None", id="none"),
    pytest.param("abc", "not 'abc'", id="a-string-is-not-documents"),
    pytest.param(5, "not 5", id="a-number"),
    pytest.param(GOOD, "give [document]", id="one-dict-not-in-a-list"),
    pytest.param(Document("a", "t", "x"), "give [document]", id="one-document-not-in-a-list"),
]


@pytest.mark.parametrize(("given", "says"), NOT_DOCUMENTS)
def test_add_documents_names_what_it_takes(engine: SearchEngine, given, says: str) -> None:
    with pytest.raises(ArgumentError, match="^documents: give an iterable") as raised:
        engine.add_documents(given)
    assert says in str(raised.value) and isinstance(raised.value, ValueError)
    assert not engine.store.exists(), "nothing was written"


@pytest.fixture(scope="module")
def searched(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    engine = SearchEngine(tmp_path_factory.mktemp("searched") / "index")
    engine.add_documents([GOOD, {"id": "n", "title": "أرقام", "text": "عام 2015", "year": "2015"}])
    return engine


# (the call, the argument the ArgumentError names, what it says the argument takes)
BAD_ARGUMENTS = [
    pytest.param(lambda e: e.search(["الرباط"]), "q", "as text", id="q-a-list"),
    pytest.param(lambda e: e.search(b"x"), "q", "as text", id="q-bytes"),
    pytest.param(lambda e: e.search("الرباط", page=None), "page", "whole number", id="page-none"),
    pytest.param(lambda e: e.search("الرباط", page=1.5), "page", "whole number", id="page-half"),
    pytest.param(lambda e: e.search("الرباط", page=True), "page", "whole number", id="page-bool"),
    pytest.param(lambda e: e.search("الرباط", page="two"), "page", "whole number", id="page-word"),
    pytest.param(
        lambda e: e.search("الرباط", per_page=None), "per_page", "whole number", id="per-page-none"
    ),
    pytest.param(lambda e: e.suggest("الرب", limit=None), "limit", "whole number", id="limit-none"),
    pytest.param(lambda e: e.suggest(5.5j), "prefix", "as text", id="prefix-not-text"),
    pytest.param(
        lambda e: e.suggest("الرب", time_limit=0), "time_limit", "seconds", id="suggest-limit-0"
    ),
    pytest.param(
        lambda e: e.document("good", time_limit=-1), "time_limit", "seconds", id="document-limit"
    ),
]


@pytest.mark.parametrize(("call", "parameter", "says"), BAD_ARGUMENTS)
def test_a_bad_argument_is_named(searched: SearchEngine, call, parameter: str, says: str) -> None:
    with pytest.raises(ArgumentError) as raised:
        call(searched)
    assert raised.value.parameter == parameter and says in str(raised.value)
    assert str(raised.value).startswith(f"{parameter}: ") and isinstance(raised.value, ValueError)


# What --time-limit refuses (tests/test_cli_search.py), the library's time_limit refuses too:
# it stopped every search as too slow (0, -1, nan), or never stopped one (inf, 1e400).
SECONDS = [
    pytest.param(value, id=reason)
    for value, reason in [
        (0, "zero"),
        (-1, "negative"),
        (float("nan"), "not-a-number"),
        (float("inf"), "infinite"),
        ("1e400", "past-the-largest-float-as-text"),
        ("abc", "not-a-number-at-all"),
        (True, "a-bool"),
    ]
]


@pytest.mark.parametrize("seconds", SECONDS)
def test_a_time_limit_is_seconds_above_zero_as_on_the_command_line(
    searched: SearchEngine, seconds
) -> None:
    with pytest.raises(ArgumentError, match="^time_limit: give a finite number of seconds"):
        searched.search("الرباط", time_limit=seconds)


def test_a_number_as_the_query_is_its_digits(searched: SearchEngine) -> None:
    """search(2015) raised TypeError (object of type 'int' has no len())."""
    page = searched.search(2015)
    assert page.query == "2015" and [hit.id for hit in page.hits] == ["n"]


# (filters or sort as given, the FilterError's parameter): what the caller gave is named
BAD_FILTERS = [
    pytest.param({"filters": [("year", "2015")]}, "filters", id="filters-as-pairs-not-a-dict"),
    pytest.param({"filters": "year=2015"}, "filters", id="filters-as-text"),
    pytest.param({"sort": 5}, "sort", id="sort-not-text"),
    pytest.param({"filters": {"year": ["2015", "2016"]}}, "year", id="a-list-of-values-not-one"),
]


@pytest.mark.parametrize(("options", "parameter"), BAD_FILTERS)
def test_filters_and_sort_that_are_not_their_type_are_a_filter_error(
    searched: SearchEngine, options: dict, parameter: str
) -> None:
    with pytest.raises(FilterError) as raised:
        searched.search("الرباط", **options)
    assert raised.value.parameter == parameter and str(raised.value).startswith(f"{parameter}: ")
