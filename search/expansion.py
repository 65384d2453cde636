"""Expanding a typed word into indexed words, on one budget per query.

``word*`` (a prefix), ``word~`` (fuzzy), "did you mean" and suggestions as one types all read
the term dictionary: every indexed word that starts with some letters. That is cheap for
``الكتا*`` and costly for ``ال*`` (about 90,000 entries on SaudiNewsNet), and a query could
ask for forty of them: before this budget, ``ال*`` forty times ran for 55 s and ``امير~2``
forty times for 19 s, holding a server thread all along. So:

* each distinct expansion (kind, word, fields) is worked out once per query and reused;
* all of a query's expansions, and its "did you mean", share one ``ExpansionBudget``: at
  most ``MAX_EXAMINED`` dictionary entries examined (comparing a word by edit distance
  counts ``COMPARE_COST`` entries, since it costs about that much more), and at most
  ``MAX_TERMS`` words all the query's ``*`` and ``~`` may expand into;
* when the budget runs out, the query runs with what was expanded, and says so.

The store lists its dictionary (index/contract.py ``Reader.vocabulary``): a folder segment by
segment from Whoosh's term tables, a cluster page by page from its dictionary tables; both
pass over a word longer than any term (index/limits.py) unread.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from whoosh.support.levenshtein import distance as edit_distance

from bahth.analyzers import split_article
from bahth.index.deadline import EXPANDING, NO_DEADLINE, Deadline
from bahth.search import admission
from bahth.search.admission import FREE, Ticket

MAX_EXAMINED = 300_000  # about 0.5 s of dictionary reading, a third of the slowest query's
MAX_TERMS = 150  # words all of a query's * and ~ expand into (three full expansions of 50)
COMPARE_COST = 5  # an edit-distance comparison costs about five entries read
CHECK_EVERY = 1024  # entries between two looks at the clock


@dataclass(frozen=True)
class Expansion:
    """The indexed words a typed word stands for, and whether every candidate was examined
    (False: the budget ran out, and only the words found before that are here)."""

    words: tuple[str, ...]
    complete: bool = True


@dataclass
class ExpansionBudget:
    """One query's (or one suggest request's) allowance for reading the term dictionary, and
    the counters of what it spent (ParsedQuery.expansion: tests read them). Past an ordinary
    query's share (search.admission) the rest is there only for a query that may go on as
    an expensive one: its ``ticket`` says (a turn taken, SearchBusy, or a cut)."""

    max_examined: int = field(default_factory=lambda: MAX_EXAMINED)
    max_terms: int = field(default_factory=lambda: MAX_TERMS)
    deadline: Deadline = NO_DEADLINE
    ticket: Ticket = FREE
    examined: int = 0  # dictionary entries examined (comparisons count COMPARE_COST)
    terms: int = 0  # words given to the query by * and ~ expansions
    expansions: int = 0  # distinct expansions worked out
    reused: int = 0  # expansions answered from the cache
    cut: int = 0  # expansions that stopped short for want of budget
    expensive: bool = False  # went past an ordinary query's share (search.admission)
    cache: dict = field(default_factory=dict, repr=False)
    _next_check: int = field(default=CHECK_EVERY, repr=False)

    @property
    def ceiling(self) -> int:
        """Dictionary entries it may examine in all: an ordinary query's share of them
        until it goes past the ordinary (``more_room``)."""
        if self.expensive:
            return self.max_examined
        return min(self.max_examined, admission.ORDINARY_EXAMINED)

    @property
    def room(self) -> int:
        """Dictionary entries that may still be examined, within the ceiling."""
        return max(0, self.ceiling - self.examined)

    @property
    def terms_left(self) -> int:
        return max(0, self.max_terms - self.terms)

    def more_room(self, stage: str, needed: int = 1) -> int:
        """``room``; when that is less than ``needed`` at an ordinary query's share with
        more to give, the rest if the query may go on as an expensive one (search.admission:
        SearchBusy when it may not, or no more for a stage that is cut short)."""
        if self.room < needed and self.examined + needed <= self.max_examined:
            self.go_past_ordinary(stage)
        return self.room

    def go_past_ordinary(self, stage: str) -> bool:
        """May this query do more than an ordinary one? Its ticket says, once: a turn
        taken (or none needed), SearchBusy, or a cut (then an ordinary query's share is all
        it gets)."""
        if not self.expensive:
            if self.ticket.need(stage):
                self.expensive = True
            else:
                self.max_examined = min(self.max_examined, admission.ORDINARY_EXAMINED)
                self.max_terms = min(self.max_terms, max(self.terms, admission.ORDINARY_TERMS))
        return self.expensive

    def charge(self, units: int, stage: str) -> bool:
        """Spend ``units``; False when they are not there, and then nothing more may be
        examined. Looks at the deadline every CHECK_EVERY units."""
        if units > self.more_room(stage, units):
            self.examined = max(self.examined, self.ceiling)
            return False
        self.examined += units
        if self.examined >= self._next_check:
            self._next_check = self.examined + CHECK_EVERY
            self.deadline.check(stage)
        return True


# ---- reading the dictionary -------------------------------------------------------------


class _Scan:
    """One segment's entries, taken ``n`` at a time; ``done`` once none is left."""

    def __init__(self, entries: Iterator[tuple[bytes, int]]) -> None:
        self._entries = entries
        self._next = next(entries, None)

    @property
    def done(self) -> bool:
        return self._next is None

    def take(self, n: int) -> list[tuple[bytes, int]]:
        taken = []
        while self._next is not None and len(taken) < n:
            taken.append(self._next)
            self._next = next(self._entries, None)
        return taken


def entries(
    reader,
    fieldname: str,
    prefix: str,
    budget: ExpansionBudget,
    stage: str = EXPANDING,
    counted: bool = True,
) -> tuple[list[tuple[str, int | None]], bool]:
    """(word, document frequency) of the words of ``fieldname`` starting with ``prefix``, one
    pair for each segment that holds the word (add them up), as many as the budget allows,
    charged to it; and whether that was all. The budget is shared out between the segments
    in rounds (what one segment does not need goes to the others), so that a cut leaves
    each segment read about as far into the alphabet as the others. Not ``counted``: the
    caller needs the frequencies of a few of the words only, and a cluster leaves them
    None (``frequencies`` asks for them). A spent budget reads nothing, not even a first
    entry (on a cluster, that is a round trip)."""
    if not budget.more_room(stage):
        return [], False
    scans = [
        _Scan(words)
        for words in reader.vocabulary(fieldname, prefix, budget.deadline, stage, counted)
    ]
    found: list[tuple[str, int | None]] = []
    active = [scan for scan in scans if not scan.done]
    while active and budget.more_room(stage):
        share = max(1, budget.room // len(active))
        for scan in active:
            part = scan.take(min(share, budget.room))
            budget.charge(len(part), stage)
            found += part
        active = [scan for scan in active if not scan.done]
    return found, not active


# ---- the expansions ---------------------------------------------------------------------


def prefix_frequencies(
    reader, fieldnames: Sequence[str], prefix: str, budget: ExpansionBudget, stage: str
) -> tuple[dict[str, int], bool]:
    """Every word of ``fieldnames`` starting with ``prefix`` and its document frequency
    (summed over the fields), as far as the budget goes; and whether that was all of them."""
    found: dict[str, int] = {}
    complete = True
    for fieldname in fieldnames:
        pairs, whole = entries(reader, fieldname, prefix, budget, stage)
        complete = complete and whole
        for word, frequency in pairs:
            found[word] = found.get(word, 0) + frequency
    return found, complete


def prefix_words(
    reader,
    fieldnames: Sequence[str],
    prefix: str,
    budget: ExpansionBudget,
    limit: int,
    stage: str = EXPANDING,
) -> Expansion:
    """The ``limit`` most frequent words starting with ``prefix`` (fewer when the query's
    term budget is nearly spent), once per query: a second ask is answered from the cache."""

    def work() -> Expansion:
        found, complete = prefix_frequencies(reader, fieldnames, prefix, budget, stage)
        return _top(found, complete, budget, limit, stage)

    return _cached(budget, ("prefix", prefix, tuple(fieldnames), limit), work)


def fuzzy_words(
    reader,
    fieldnames: Sequence[str],
    word: str,
    distance: int,
    budget: ExpansionBudget,
    limit: int,
    stage: str = EXPANDING,
) -> Expansion:
    """The ``limit`` most frequent indexed words within ``distance`` edits of ``word`` in any
    of ``fieldnames`` (a word's frequency: its largest in one field), once per query."""

    def work() -> Expansion:
        found: dict[str, int] = {}
        complete = True
        for fieldname in fieldnames:
            close, complete = _close(reader, fieldname, word, distance, budget, stage)
            if len(close) > min(limit, budget.terms_left):  # a cluster's: the ranking needs
                close = _counted(reader, fieldname, close, budget.deadline, stage)
            for candidate, frequency in close.items():
                found[candidate] = max(found.get(candidate, 0), frequency or 0)
            if not complete:
                break
        return _top(found, complete, budget, limit, stage)

    return _cached(budget, ("fuzzy", word, tuple(fieldnames), distance, limit), work)


def close_words(
    reader,
    fieldname: str,
    word: str,
    distance: int,
    budget: ExpansionBudget | None = None,
    stage: str = EXPANDING,
) -> list[str]:
    """Indexed words within ``distance`` edits of ``word``, sorted, as far as the budget goes
    (a fresh one when none is given). Only words that share the first letters are compared:
    typos rarely touch a word's first two letters, or the article (ال) and the letter after
    it, and so the dictionary is read from there, not whole."""
    budget = budget if budget is not None else ExpansionBudget()

    def work() -> Expansion:
        found, complete = _close(reader, fieldname, word, distance, budget, stage)
        return Expansion(tuple(sorted(found)), complete)

    return list(_cached(budget, ("close", word, fieldname, distance), work).words)


def _close(
    reader, fieldname: str, word: str, distance: int, budget: ExpansionBudget, stage: str
) -> tuple[dict[str, int | None], bool]:
    """{word within ``distance`` edits: its document frequency}, and whether all were seen.
    On a cluster the frequencies are None: a round trip, needed only when there are more
    words than a query may take (``_counted``)."""
    shared = 3 if split_article(word)[0] else 2 if len(word) >= 5 else 1
    lo, hi = len(word) - distance, len(word) + distance
    pairs, complete = entries(reader, fieldname, word[:shared], budget, stage, counted=False)
    found: dict[str, int | None] = {}
    rejected: set[str] = set()
    for candidate, frequency in pairs:
        if not lo <= len(candidate) <= hi or candidate in rejected:
            continue  # (an edit changes the length by at most one)
        if candidate in found:  # the same word in another segment
            found[candidate] = (found[candidate] or 0) + (frequency or 0)
            continue
        if not budget.charge(COMPARE_COST, stage):
            complete = False
            break
        if within_edits(candidate, word, distance):
            found[candidate] = frequency
        else:
            rejected.add(candidate)
    return found, complete


def _counted(
    reader, fieldname: str, found: dict[str, int | None], deadline: Deadline, stage: str
) -> dict[str, int | None]:
    """``found`` with the frequencies a cluster's dictionary leaves out (None) looked up, in
    one round trip, and the words no document holds any more (it keeps them) left out."""
    unknown = [word for word, frequency in found.items() if frequency is None]
    if not unknown:
        return found
    deadline.check(stage)
    counts = reader.frequencies(fieldname, unknown)
    known = {word: frequency for word, frequency in found.items() if frequency is not None}
    return {**known, **{word: counts[word] for word in unknown if counts.get(word)}}


def within_edits(a: str, b: str, limit: int) -> bool:
    """Are ``a`` and ``b`` within ``limit`` edits (Whoosh's Damerau-Levenshtein, as
    ``terms_within``)? The common beginning and end are set aside first (they cost no edit),
    and two words that differ in more distinct letters than ``limit`` edits can change are
    told apart without the distance table."""
    if abs(len(a) - len(b)) > limit:
        return False
    n, i = min(len(a), len(b)), 0
    while i < n and a[i] == b[i]:
        i += 1
    a, b = a[i:], b[i:]
    n, j = min(len(a), len(b)), 0
    while j < n and a[-1 - j] == b[-1 - j]:
        j += 1
    if j:
        a, b = a[:-j], b[:-j]
    if not a or not b:
        return len(a) + len(b) <= limit
    if len(set(a) ^ set(b)) > 2 * limit:  # an edit adds or removes at most two letters
        return False
    return edit_distance(a, b, limit=limit) <= limit


def _top(
    found: dict[str, int], complete: bool, budget: ExpansionBudget, limit: int, stage: str
) -> Expansion:
    """The most frequent of ``found`` (ties by word), as many as the limit and the query's
    term budget allow, charged to that budget; past an ordinary query's words, only when
    the query may go on as an expensive one (search.admission)."""
    room = min(limit, budget.terms_left)
    ranked = sorted(found, key=lambda w: (-found[w], w))
    ordinary = max(0, admission.ORDINARY_TERMS - budget.terms)
    if min(room, len(ranked)) > ordinary and not budget.go_past_ordinary(stage):
        room = min(room, ordinary)
    words = tuple(ranked[:room])
    budget.terms += len(words)
    starved = room < limit and len(ranked) > room  # the query's other expansions took the rest
    return Expansion(words, complete and not starved)


def _cached(budget: ExpansionBudget, key: tuple, work) -> Expansion:
    expansion = budget.cache.get(key)
    if expansion is not None:
        budget.reused += 1
        return expansion
    expansion = budget.cache[key] = work()
    budget.expansions += 1
    if not expansion.complete:
        budget.cut += 1
    return expansion
