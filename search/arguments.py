"""What SearchEngine's calls take, checked where a caller gives it: a query that is not text,
a page that is not a whole number, say what the argument takes (an ArgumentError naming it)
instead of a TypeError from deep inside, which a caller cannot tell from a bug in bahth.
The query's own text is never refused (search() never raises on user text)."""

from __future__ import annotations

from bahth.index.deadline import limit_seconds
from bahth.index.errors import ArgumentError

__all__ = ["limit_seconds", "query_text", "whole_number"]  # the engine's checks, in one place


def query_text(value: object, parameter: str = "q") -> str:
    """The text of a query: a str as it is, None as no query, a number as its digits (a
    caller's ``search(2015)`` means the query 2015); anything else an ArgumentError."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    reason = f"give the query as text (a str), not {value!r:.40} (type {type(value).__name__})"
    raise ArgumentError(parameter, reason, value)


def whole_number(value: object, parameter: str, low: int, high: int) -> int:
    """A whole number (an int, or a float or a str that holds one), brought within
    ``low``..``high`` as a page number always was; anything else an ArgumentError."""
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        try:
            number = int(value.strip())
        except ValueError:
            number = None
    if number is None:
        reason = f"give a whole number from {low} to {high:,}, not {value!r:.40}"
        raise ArgumentError(parameter, reason, value)
    return min(max(low, number), high)
