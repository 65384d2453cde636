"""A request's time limit, checked where a query's work can pile up.

A server thread that runs one query for a minute makes every other user wait behind it. So a
caller may give ``search()``, ``suggest()`` or ``document()`` a time limit; the work is then
checked against it where it grows with the query or the documents (the dictionary entries an
expansion reads, each term's postings, each document the second stage reads, each hit's
snippet), and past it the request stops with ``SearchTimeout``, whose message tells the user
how to narrow the query. Without a limit nothing is ever stopped.
"""

from __future__ import annotations

import math
import time

from bahth.index.errors import ArgumentError, SearchTimeout

# The stages a SearchTimeout names (its ``stage``), for a log line.
EXPANDING = "expanding words"
SCORING = "scoring"
RERANKING = "re-ranking"
SNIPPETS = "snippets"
DID_YOU_MEAN = "did you mean"
SUGGESTIONS = "suggestions"
HIGHLIGHTING = "highlighting"


def limit_seconds(value: object, parameter: str = "time_limit") -> float | None:
    """A time limit as a caller gives it: None (no limit), or a finite number of seconds
    greater than 0; else ArgumentError naming ``parameter``. The one rule, for the library's
    ``time_limit`` and the CLI's ``--time-limit``: a limit of 0, -1 or nan stopped every
    request as past its time (a SearchTimeout that blamed the query), and nan stopped
    nothing on the command line."""
    if value is None:
        return None
    try:
        seconds = float("nan") if isinstance(value, bool) else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        seconds = float("nan")
    if not math.isfinite(seconds) or seconds <= 0:
        reason = f"give a finite number of seconds greater than 0, not {value!r:.40}"
        raise ArgumentError(parameter, reason, value)
    return seconds


def now() -> float:
    """The clock deadlines read (a module function, so that a test can move time on)."""
    return time.monotonic()


class Deadline:
    """The moment a request must stop by, or none (``seconds`` None)."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = seconds
        self.at = None if seconds is None else now() + max(0.0, float(seconds))

    def check(self, stage: str) -> None:
        """Raise SearchTimeout when the limit has passed; ``stage`` names the work under way."""
        if self.at is not None and now() >= self.at:
            raise SearchTimeout(self.seconds, stage)


NO_DEADLINE = Deadline(None)
