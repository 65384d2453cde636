"""Expensive queries take turns, so that a few of them cannot slow everyone else down.

A server's threads share its cores. A query of forty prefixes, forty ``word~2`` or a phrase of
forty stop words costs 0.3-0.6 s of CPU, twenty to thirty times an ordinary query; eight
clients sending them beside 32 ordinary ones on ``bahth serve --workers 2`` took most of the
cores, and the ordinary clients' p95 went from 0.9-1.2 s to 3.2-5.6 s (bench/load.py
--slow-clients 8). The time limit does not help: each such query still ran up to it.

The rule, in one place: a query is *ordinary* while its work stays within what ordinary
queries need, and *expensive* past that:

* ORDINARY_EXAMINED dictionary entries for its ``*`` and ``~`` words (and "did you mean",
  and suggestions): the queries of bench/load.py read at most 806; ``ال*`` reads 96,395,
  ``امير~2`` 253,629 (a comparison counts as five entries, as in search.expansion);
* ORDINARY_TERMS words its ``*`` and ``~`` expand into: one full expansion;
* ORDINARY_PHRASE_WORK for its quoted phrases: a phrase makes the first stage decode the
  positions of its words in every document that has them all, at most the documents of its
  rarest word times its words (``"مجلس الوزراء"`` 4,104 on SaudiNewsNet; ``"في من"`` 64,202,
  0.45 s; forty stop words 72,128).

An expensive query needs a turn: EXPENSIVE_AT_ONCE of them per index on a machine (a quarter
of its cores, at least one), shared by the threads of a process and by the processes of a
server (a lock file per turn in the temporary folder, taken without waiting and let go by
the kernel if its process dies). One turn per process was not enough: while it runs, an
expensive query has its process's share of the GIL, a quarter of a core beside three
ordinary requests, in each process. With no turn free the query stops at once with
SearchBusy (a 503 that says to try again in a moment), having done no more than an ordinary
query's work; where a cut answer is still an answer (did-you-mean, suggestions) it is cut
there instead. Turns are not waited for: a waiting request would hold a server thread, and
eight slow clients would hold them all. A query text found expensive is remembered
(KNOWN_KEPT of them): asked again, it needs its turn before any work, so that a client
repeating it while the turns are taken costs next to nothing (a 40-prefix query refused
the first time has read 20,000 entries). Only the query's own work counts: a query whose
did-you-mean went past the ordinary is answered with it cut, again and again (remembered,
8 of 500 SaudiNewsNet titles were refused whenever a turn was taken: 26-38 refusals in a
30 s load run of 8 clients). Only a request with a time limit takes turns (the
web gives every request one); a caller without one runs every query whole, as before.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

from bahth.index import nodes
from bahth.index.deadline import DID_YOU_MEAN, EXPANDING, SUGGESTIONS
from bahth.index.errors import SearchBusy

ORDINARY_EXAMINED = 20_000  # dictionary entries: about 20 ms of reading
ORDINARY_TERMS = 50  # words of * and ~ expansions: one full expansion (max_expansions)
ORDINARY_PHRASE_WORK = 20_000  # a phrase's rarest word's documents times its words
EXPENSIVE_AT_ONCE = max(1, (os.cpu_count() or 1) // 4)  # expensive queries at a time
CUT_SHORT = (DID_YOU_MEAN, SUGGESTIONS)  # refused a turn, these stop where they are
KNOWN_KEPT = 10_000  # query texts remembered as expensive


class Turns:
    """The turns for expensive queries on one index: ``at_once`` of them, shared by this
    process's threads and, through lock files named after ``location``, by the other
    processes searching it (none: this process's only); with counters."""

    def __init__(self, location: str | None = None, at_once: int | None = None) -> None:
        self.at_once = at_once or EXPENSIVE_AT_ONCE
        self._lock = threading.Lock()
        self._held: set[int] = set()  # the turns this process holds
        self._files: dict[int, int] = {}  # turn -> this process's descriptor of its lock file
        self._name = None
        if location is not None:
            digest = hashlib.blake2b(str(location).encode(), digest_size=8).hexdigest()
            self._name = f"bahth-turn-{digest}"
        self.taken = 0  # turns given
        self.refused = 0  # requests refused one
        self._known: OrderedDict[bytes, None] = OrderedDict()  # texts found expensive

    def ticket(self, time_limit: float | None, text: str | None = None) -> Ticket:
        """A request's claim on a turn: one that takes turns when it has a time limit.
        ``text``: the query's, remembered if it proves expensive; a text remembered so
        needs its turn at once (SearchBusy here when none is free)."""
        ticket = Ticket(self if time_limit is not None else None, time_limit, text)
        if ticket.turns is not None and text is not None and self.known(text):
            ticket.need(EXPANDING)
        return ticket

    def known(self, text: str) -> bool:
        with self._lock:
            return _key(text) in self._known

    def remember(self, text: str) -> None:
        key = _key(text)
        with self._lock:
            self._known[key] = None
            self._known.move_to_end(key)
            if len(self._known) > KNOWN_KEPT:
                self._known.popitem(last=False)

    def take(self) -> int | None:
        """A free turn, taken (its number), or None when every turn is held."""
        with self._lock:
            for turn in range(self.at_once):
                if turn not in self._held and self._lock_file(turn):
                    self._held.add(turn)
                    self.taken += 1
                    return turn
            self.refused += 1
            return None

    def give_back(self, turn: int) -> None:
        with self._lock:
            self._held.discard(turn)
            fd = self._files.get(turn)
            if fd is not None:
                _flock(fd, unlock=True)

    def close(self) -> None:
        """Close the lock files (a turn still held is let go with them)."""
        with self._lock:
            files, self._files = self._files, {}
        for fd in files.values():
            os.close(fd)

    def _lock_file(self, turn: int) -> bool:
        """Take the lock file of ``turn`` (without waiting); True without lock files."""
        if self._name is None or _fcntl is None:
            return True
        fd = self._files.get(turn)
        if fd is None:
            path = Path(tempfile.gettempdir()) / f"{self._name}-{turn}.lock"
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
            except OSError:
                return True  # another user's file, a full disk: this process's turns only
            self._files[turn] = fd
        return _flock(fd)


def _key(text: str) -> bytes:
    """A text as it is remembered: 16 bytes, however long the text (a library caller's
    query has no length limit)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


try:
    import fcntl as _fcntl
except ImportError:  # Windows: a process's own turns only (one process serves there)
    _fcntl = None


def _flock(fd: int, unlock: bool = False) -> bool:
    """Lock (without waiting) or unlock a lock file; False when another process holds it."""
    try:
        _fcntl.flock(fd, _fcntl.LOCK_UN if unlock else _fcntl.LOCK_EX | _fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


class Ticket:
    """One request's claim: ``need`` asks for a turn (at most once), and the turn is given
    back when the request ends (``with ticket:``)."""

    def __init__(
        self, turns: Turns | None, seconds: float | None = None, text: str | None = None
    ) -> None:
        self.turns = turns
        self.seconds = seconds
        self.text = text
        self.turn: int | None = None  # the turn held

    @property
    def free(self) -> bool:
        """Takes no turns: every query may go past the ordinary."""
        return self.turns is None

    def need(self, stage: str) -> bool:
        """May the request go on past an ordinary query's work? True when it takes no
        turns, holds one, or takes a free one now. Otherwise False for the stages whose
        answer can be cut short (CUT_SHORT), and SearchBusy for the others."""
        if self.turns is None or self.turn is not None:
            return True
        if self.text is not None and stage not in CUT_SHORT:
            # (a query whose did-you-mean or suggestions went past it is still ordinary:
            # remembered, it was refused before any work whenever a turn was taken)
            self.turns.remember(self.text)
        self.turn = self.turns.take()
        if self.turn is not None:
            return True
        if stage in CUT_SHORT:
            return False
        raise SearchBusy(self.seconds or 0.0, stage)

    def release(self) -> None:
        if self.turn is not None:
            self.turns.give_back(self.turn)
            self.turn = None

    def __enter__(self) -> Ticket:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


FREE = Ticket(None)  # takes no turns (no time limit): nothing is ever refused


def phrase_work(query, reader) -> int:
    """What the quoted phrases of ``query`` (index/nodes.py) make the first stage decode: for
    each, the document frequency of its rarest word times its words (``reader``: the index's,
    index/contract.py)."""
    total = 0
    for node in nodes.walk(query) if query is not None else ():
        if isinstance(node, nodes.Phrase) and node.slop <= 1 and len(node.words) > 1:
            words = list(dict.fromkeys(node.words))
            counts = reader.frequencies(node.field, words)
            total += min(counts.get(word, 0) for word in words) * len(words)
    return total
