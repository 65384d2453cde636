"""Expensive queries take turns (search/admission.py): while one runs in an engine, another
stops before its expensive part with SearchBusy (a 503 on the web), ordinary queries never
wait, and a caller without a time limit is never refused. On both stores.

The thresholds are scaled to the small test corpus (SaudiNewsNet's are 20,000 dictionary
entries, 50 words, 20,000 phrase positions); the rows name the shapes the rule is for. The
work is counted, never timed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bahth.index import deadline
from bahth.index.errors import SearchBusy, SearchTimeout
from bahth.search import admission, expansion
from bahth.search.engine import SearchEngine
from bahth.web import create_app
from tests.test_sphinx_backend import twin  # noqa: F401 - the fixture: a folder and a cluster

LIMIT = 5.0

# (query, expensive?): the reason is the row's id
QUERIES = [
    pytest.param("الإرهاب", False, id="a-word"),
    pytest.param("الإرهاب في المغرب", False, id="words"),
    pytest.param("تعا*", False, id="a-prefix-of-few-words"),
    pytest.param("مكافحة~", False, id="a-fuzzy-word-with-few-neighbours"),
    pytest.param('"الشراكة الأمنية"', False, id="a-phrase-of-rare-words"),
    pytest.param("ال*", True, id="a-prefix-of-many-words"),
    pytest.param("امن~2", True, id="a-short-fuzzy-word-read-from-its-first-letter"),
    pytest.param("تعا* مكاف* ال* الأمن~2", True, id="many-prefixes-and-fuzzy-words"),
    pytest.param('"في من"', True, id="a-phrase-of-stop-words"),
    pytest.param('"مكافحة الإرهاب" المغرب', True, id="a-phrase-every-document-has"),
]
EXPENSIVE = [row for row in QUERIES if row.values[1]]


@pytest.fixture(autouse=True)
def scaled(monkeypatch: pytest.MonkeyPatch) -> None:
    """An ordinary query here: 300 dictionary entries, 10 words, 30 phrase positions."""
    monkeypatch.setattr(admission, "ORDINARY_EXAMINED", 300)
    monkeypatch.setattr(admission, "ORDINARY_TERMS", 10)
    monkeypatch.setattr(admission, "ORDINARY_PHRASE_WORK", 30)


@pytest.fixture(params=["folder", "cluster"])
def engine(request, twin) -> SearchEngine:  # noqa: F811 - the fixture imported above
    whoosh, sphinx, _ = twin
    return whoosh if request.param == "folder" else sphinx


@pytest.fixture()
def another(engine: SearchEngine) -> Iterator[list[admission.Ticket]]:
    """Other requests holding every turn, as expensive queries under way do."""
    tickets = [engine.turns.ticket(LIMIT) for _ in range(engine.turns.at_once)]
    assert all(ticket.need(deadline.EXPANDING) for ticket in tickets)
    yield tickets
    for ticket in tickets:
        ticket.release()


@pytest.mark.parametrize(("q", "expensive"), QUERIES)
def test_while_an_expensive_query_runs_another_is_refused(engine, another, q, expensive) -> None:
    refused = engine.turns.refused
    if expensive:
        with pytest.raises(SearchBusy) as caught:
            engine.search(q, time_limit=LIMIT)
        assert isinstance(caught.value, SearchTimeout), "the same 503 and exit status"
        assert caught.value.stage in (deadline.EXPANDING, deadline.SCORING)
        assert engine.turns.refused == refused + 1
    else:
        page = engine.search(q, time_limit=LIMIT)
        assert page.total > 0 and engine.turns.refused == refused, "ordinary: never waits"


@pytest.mark.parametrize(("q", "expensive"), EXPENSIVE)
def test_alone_an_expensive_query_runs_whole_and_gives_its_turn_back(engine, q, expensive):
    whole = engine.search(q)  # no time limit: takes no turn
    taken = engine.turns.taken
    page = engine.search(q, time_limit=LIMIT)
    assert (page.total, [hit.id for hit in page.hits]) == (whole.total, [h.id for h in whole.hits])
    assert engine.turns.taken == taken + 1
    with engine.turns.ticket(LIMIT) as ticket:
        assert ticket.need(deadline.EXPANDING), "the turn was given back"


@pytest.mark.parametrize(("q", "expensive"), EXPENSIVE)
def test_without_a_time_limit_no_query_is_refused(engine, another, q, expensive) -> None:
    refused = engine.turns.refused
    assert engine.search(q).query == q and engine.turns.refused == refused


def test_a_refused_query_read_no_more_than_an_ordinary_one(twin, monkeypatch) -> None:  # noqa: F811
    whoosh, _, _ = twin
    taken: list[int] = []
    take = expansion._Scan.take

    def counting(self, n):
        part = take(self, n)
        taken.append(len(part))
        return part

    monkeypatch.setattr(expansion._Scan, "take", counting)
    whoosh.search("امن~2 ال*")
    alone = sum(taken)
    taken.clear()
    held = [whoosh.turns.ticket(LIMIT) for _ in range(whoosh.turns.at_once)]
    assert all(ticket.need(deadline.EXPANDING) for ticket in held)
    with pytest.raises(SearchBusy):
        whoosh.search("امن~2 ال*", time_limit=LIMIT)
    for ticket in held:
        ticket.release()
    assert alone > admission.ORDINARY_EXAMINED >= sum(taken) > 0


def test_did_you_mean_and_suggestions_are_cut_short_not_refused(engine, another) -> None:
    words = engine.suggest("ال", time_limit=LIMIT)
    assert words and len(words) <= 10, "what an ordinary query's share found"
    page = engine.search("الارهابب", time_limit=LIMIT)  # did-you-mean reads the dictionary
    assert page.total == 0


def test_a_query_cut_short_is_answered_again_and_again(engine, another) -> None:
    """Only its did-you-mean went past an ordinary query's work: asked again (a popular
    query is), it is still an ordinary query, not one that needs a turn before any work. A
    SaudiNewsNet title with a typo was refused this way whenever a turn was taken."""
    for _ in range(3):
        assert engine.search("الارهابب", time_limit=LIMIT).total == 0


def test_a_did_you_mean_that_took_a_free_turn_leaves_its_query_ordinary(engine) -> None:
    assert engine.search("الارهابب", time_limit=LIMIT).total == 0  # alone: a turn was free
    held = [engine.turns.ticket(LIMIT) for _ in range(engine.turns.at_once)]
    assert all(ticket.need(deadline.EXPANDING) for ticket in held)
    try:
        assert engine.search("الارهابب", time_limit=LIMIT).total == 0, "cut short, not refused"
    finally:
        for ticket in held:
            ticket.release()


def test_the_web_answers_503_busy_and_says_when_to_try_again(twin) -> None:  # noqa: F811
    whoosh, _, _ = twin
    app = create_app({"BAHTH_INDEX": str(whoosh.store.path), "REQUEST_TIME_LIMIT": LIMIT})
    client = app.test_client()
    held = [whoosh.turns.ticket(LIMIT) for _ in range(whoosh.turns.at_once)]
    assert all(ticket.need(deadline.EXPANDING) for ticket in held)  # the app's engine is
    api = client.get("/api/search", query_string={"q": "امن~2"})  # another on the index
    page = client.get("/search", query_string={"q": "امن~2"})
    ordinary = client.get("/api/search", query_string={"q": "الإرهاب"})
    for ticket in held:
        ticket.release()
    app.extensions["bahth"].engine().close()
    assert api.status_code == 503 and api.json["code"] == "busy"
    assert api.headers["Retry-After"] == "1"
    assert page.status_code == 503 and "أعد المحاولة بعد لحظات" in page.get_data(as_text=True)
    assert ordinary.status_code == 200


def _ticket(kind: str) -> admission.Ticket:
    if kind == "free":
        return admission.FREE
    turns = admission.Turns(at_once=1)
    if kind == "refused":
        turns.ticket(LIMIT).need(deadline.EXPANDING)  # another request holds the one turn
    return turns.ticket(LIMIT)


# (whose ticket, the stage, what a charge past an ordinary query's share does)
STRADDLING = [
    pytest.param("free", deadline.EXPANDING, True, id="no-time-limit-goes-on"),
    pytest.param("turn-free", deadline.EXPANDING, True, id="a-free-turn-is-taken"),
    pytest.param("refused", deadline.DID_YOU_MEAN, False, id="did-you-mean-is-cut"),
    pytest.param("refused", deadline.SUGGESTIONS, False, id="suggestions-are-cut"),
    pytest.param("refused", deadline.EXPANDING, SearchBusy, id="expanding-is-refused"),
]


@pytest.mark.parametrize(("kind", "stage", "goes_on"), STRADDLING)
def test_a_charge_across_the_ordinary_share(kind, stage, goes_on) -> None:
    """A comparison costs five entries: one that starts two entries short of the ordinary
    share must ask for the rest, not stop there."""
    budget = expansion.ExpansionBudget(ticket=_ticket(kind))
    assert budget.charge(admission.ORDINARY_EXAMINED - 2, stage)
    if goes_on is SearchBusy:
        with pytest.raises(SearchBusy):
            budget.charge(expansion.COMPARE_COST, stage)
        return
    assert budget.charge(expansion.COMPARE_COST, stage) is goes_on
    assert budget.expensive is goes_on
    assert (budget.room > 0) is goes_on, "cut: nothing more, and no second ask"


def test_a_query_found_expensive_needs_its_turn_before_any_work_next_time(
    twin,  # noqa: F811
    monkeypatch,
) -> None:
    whoosh, _, _ = twin
    q = "تعا* ال* مكا*"
    whoosh.search(q, time_limit=LIMIT)  # alone: found expensive, runs whole
    taken: list[int] = []
    take = expansion._Scan.take
    monkeypatch.setattr(expansion._Scan, "take", lambda self, n: taken.append(n) or take(self, n))
    held = [whoosh.turns.ticket(LIMIT) for _ in range(whoosh.turns.at_once)]
    assert all(ticket.need(deadline.EXPANDING) for ticket in held)
    with pytest.raises(SearchBusy):
        whoosh.search(q, time_limit=LIMIT)
    for ticket in held:
        ticket.release()
    assert taken == [], "refused before reading the dictionary"


HOLD_A_TURN = """
import sys, time
from bahth.search.admission import Turns
turns = Turns(sys.argv[1], at_once=1)
assert turns.take() == 0
print("held", flush=True)
time.sleep(120)
"""


def test_the_processes_of_a_server_share_the_turns_until_one_dies(tmp_path) -> None:
    import subprocess
    import sys

    location = str(tmp_path / "index")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_A_TURN, location], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        here = admission.Turns(location, at_once=1)
        assert here.take() is None, "the other process holds the one turn"
        assert admission.Turns(str(tmp_path / "other"), at_once=1).take() == 0, "per index"
    finally:
        holder.kill()
        holder.wait(timeout=30)
    assert here.take() == 0, "the kernel let go of a dead process's turn"
    here.close()


def test_the_texts_remembered_are_bounded_whatever_their_length(monkeypatch) -> None:
    monkeypatch.setattr(admission, "KNOWN_KEPT", 3)
    turns = admission.Turns(at_once=1)
    texts = [f"{n} " + "ال* " * 250_000 for n in range(5)]  # a million characters each
    for text in texts:
        turns.remember(text)
    assert len(turns._known) == 3 and {len(key) for key in turns._known} == {16}
    assert turns.known(texts[-1]) and not turns.known(texts[0]), "the oldest go first"
