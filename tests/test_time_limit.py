"""A time limit stops a request where its work piles up, with SearchTimeout and nothing else.

No test waits: the deadline's clock (``bahth.index.deadline.now``) is a fake one that a
stage moves past the limit when it starts; the next look at the clock must then stop the
request and name where it was (``SearchTimeout.stage``). Without a time limit the same
jumps change nothing.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bahth.index import deadline
from bahth.index.errors import BahthError, SearchTimeout
from bahth.index.whoosh import reader as folder_reader
from bahth.search import expansion, rerank, suggestions
from bahth.search.engine import SearchEngine
from bahth.search.query import QueryBuilder

LIMIT = 2.0


class Clock:
    """Time stands still unless a stage moves it on."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def jump(self, seconds: float = 60.0) -> None:
        self.now += seconds


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(deadline, "now", fake)
    return fake


@pytest.fixture(scope="module")
def engine(news_index: Path):
    engine = SearchEngine(news_index)
    yield engine
    engine.close()


def jump_when_called(monkeypatch, clock: Clock, owner, name: str) -> list[int]:
    """``owner.name`` moves the clock past any limit each time it is called; the list
    returned counts the calls."""
    if isinstance(owner, str):
        owner = __import__(owner, fromlist=[name])
    original = getattr(owner, name)
    calls: list[int] = []

    def moved(*args, **kwargs):
        calls.append(1)
        clock.jump()
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, moved)
    return calls


def _search(q: str, **options):
    return lambda engine, limit: engine.search(q, time_limit=limit, **options)


# (stage that runs long, where it starts, the request, the stage SearchTimeout must name)
STAGES = [
    pytest.param(
        (expansion, "entries"), _search("الأم*"), deadline.EXPANDING, id="expanding-a-prefix"
    ),
    pytest.param(
        (folder_reader.FolderReader, "postings"),
        _search("الأمن"),  # four terms: its stems and its exact form, in titles and texts
        deadline.SCORING,
        id="scoring-term-by-term",
    ),
    pytest.param(
        (folder_reader, "_in_sequence"),
        _search('+"مكافحة الإرهاب"'),
        deadline.SCORING,
        id="checking-a-phrase-document-by-document",
    ),
    pytest.param((rerank, "query_words"), _search("الأمن"), deadline.RERANKING, id="second-stage"),
    pytest.param(
        ("bahth.search.highlight", "snippet"),
        _search("مكافحة الإرهاب"),
        deadline.SNIPPETS,
        id="snippets-hit-by-hit",
    ),
    pytest.param(
        (suggestions, "did_you_mean"),
        _search("الارهابب"),
        deadline.DID_YOU_MEAN,
        id="did-you-mean",
    ),
    pytest.param(
        (suggestions, "prefix_frequencies"),
        lambda engine, limit: engine.suggest("ال", time_limit=limit),
        deadline.SUGGESTIONS,
        id="suggestions",
    ),
    pytest.param(
        (suggestions, "surface"),  # each suggestion's spelling reads a document's text
        lambda engine, limit: engine.suggest("ال", time_limit=limit),
        deadline.SUGGESTIONS,
        id="suggestions-word-by-word",
    ),
    pytest.param(
        (QueryBuilder, "parse"),
        lambda engine, limit: engine.document("news-01", q="الأمن", time_limit=limit),
        deadline.HIGHLIGHTING,
        id="document-page",
    ),
]


@pytest.mark.parametrize(("where", "request_", "stage"), STAGES)
def test_a_stage_past_the_limit_stops_the_request(
    engine, clock, monkeypatch, where, request_, stage
) -> None:
    calls = jump_when_called(monkeypatch, clock, *where)
    with pytest.raises(SearchTimeout) as caught:
        request_(engine, LIMIT)
    assert caught.value.stage == stage
    assert len(calls) == 1, "stopped at the next look at the clock, before more of the same"
    assert isinstance(caught.value, BahthError)
    assert f"longer than {LIMIT:g} s" in str(caught.value)


@pytest.mark.parametrize(("where", "request_", "stage"), STAGES)
def test_without_a_limit_nothing_is_stopped(
    engine, clock, monkeypatch, where, request_, stage
) -> None:
    expected = request_(engine, None)
    calls = jump_when_called(monkeypatch, clock, *where)
    got = request_(engine, None)
    assert _same(got, expected)
    assert calls, "the stage ran and moved the clock"


def _same(a, b) -> bool:
    if hasattr(a, "hits"):
        return (a.total, [h.id for h in a.hits], a.suggestion) == (
            b.total,
            [h.id for h in b.hits],
            b.suggestion,
        )
    return a == b


def test_the_whoosh_path_looks_at_the_clock_too(news_index: Path, clock, monkeypatch) -> None:
    engine = SearchEngine(news_index, vectorized=False)
    try:
        from whoosh.searching import Searcher

        jump_when_called(monkeypatch, clock, Searcher, "search_with_collector")
        with pytest.raises(SearchTimeout) as caught:
            engine.search("الأمن", time_limit=LIMIT)
        assert caught.value.stage == deadline.SCORING
    finally:
        engine.close()


QUERIES = ["الأمن", "الأم*", "الارهب~", '"مكافحة الإرهاب"', "الأمن الوطني OR طنجة", "الارهابب"]


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=st.sampled_from(QUERIES), calls=st.integers(1, 200))
def test_a_limit_passing_at_any_moment_raises_only_search_timeout(
    engine, monkeypatch, q: str, calls: int
) -> None:
    """The clock passes the limit at its ``calls``-th reading: whatever the work was doing
    then, the search returns the page a search without a limit returns, or raises
    SearchTimeout, never anything else."""
    expected = engine.search(q)
    readings = iter(range(10**6))

    def clock() -> float:
        return 1000.0 + (100.0 if next(readings) >= calls else 0.0)

    monkeypatch.setattr(deadline, "now", clock)
    try:
        page = engine.search(q, time_limit=LIMIT)
    except SearchTimeout as error:
        assert error.stage
    else:
        assert (page.total, [h.id for h in page.hits]) == (
            expected.total,
            [h.id for h in expected.hits],
        )


def run_search(index: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bahth", "search", "--index", str(index), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_cli_turns_a_timeout_into_one_line_and_exit_status_1(news_index: Path) -> None:
    stopped = run_search(news_index, "الأمن", "--time-limit", "1e-9")
    assert stopped.returncode == 1 and stopped.stdout == ""
    assert stopped.stderr.startswith("bahth: The query took longer than 1e-09 s")
    assert stopped.stderr.count("\n") == 1 and "Traceback" not in stopped.stderr
    done = run_search(news_index, "الأمن", "--time-limit", "60")
    assert done.returncode == 0 and "documents" in done.stdout
    refused = run_search(news_index, "الأمن", "--time-limit", "0")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
