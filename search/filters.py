"""Filters and sort keys on an index's declared fields: the one reading of ``FIELD:value``,
``filters={...}``, ``--filter``, a web page's ``?section=sport`` and ``sort=-published``.

A keyword filter is one exact value; a date filter a day, month or year, or a range
``A..B`` (either end may be left open); a number filter a number or a range ``A..B``. The
year field of the default schema takes a year in any digits, as before. A field the index
does not declare, or a value its type cannot read, is a FilterError (a ValueError) that
names what would work: ignoring it would answer another question than the one asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from whoosh import query as wq

from bahth.analyzers import normalize_digits, normalize_word
from bahth.index.settings import Settings
from bahth.search.notices import Notice, notice

RELEVANCE = "relevance"
_YEAR = re.compile(r"^[0-9]{4}$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")


class FilterError(ValueError):
    """A filter or a sort key the index cannot apply; ``str(error)`` says what would, in
    English. For callers that say it otherwise: ``kind`` (unknown_field, unknown_sort, or
    the notice code of a bad value: bad_year, bad_number, bad_date), ``parameter`` (the field,
    or "sort"), ``value`` as given, ``allowed`` (the names that would do), and ``notice``
    (search.notices) for a bad value."""

    def __init__(
        self,
        message: str | Notice,
        *,
        kind: str,
        parameter: str,
        value: str,
        allowed: tuple[str, ...] = (),
    ) -> None:
        super().__init__(str(message))
        self.notice = message if isinstance(message, Notice) else None
        self.kind, self.parameter, self.value, self.allowed = kind, parameter, value, allowed


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool


class FieldFilters:
    """The filter and sort rules of one index's settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.types = {
            spec.name: spec.type
            for spec in settings.fields
            if spec.type in ("keyword", "date", "number")
        }
        self.years = {spec.name for spec in settings.fields if spec.year_of}

    @property
    def names(self) -> list[str]:
        """The fields that filter, in declaration order."""
        return list(self.types)

    @property
    def sort_names(self) -> list[str]:
        return [name for name, kind in self.types.items() if kind in ("date", "number")]

    def condition(self, name: str, value: object) -> wq.Query:
        """The query that keeps the documents whose ``name`` is ``value``."""
        kind = self.types.get(name)
        text = str(value).strip()
        if kind is None:
            allowed = ", ".join(self.names) or "none: the index declares no such field"
            raise FilterError(
                f"unknown filter field {name!r}: the index's filter fields are {allowed}.",
                kind="unknown_field",
                parameter=name,
                value=text,
                allowed=tuple(self.names),
            )
        if kind == "keyword":
            if name in self.years:
                year = normalize_digits(text)
                if not _YEAR.fullmatch(year):
                    raise self._bad("bad_year", name, text)
                return wq.Term(name, year)
            return wq.Term(name, text)
        if kind == "date":
            span = parse_date_range(text)
            if span is None:
                raise self._bad("bad_date", name, text)
            return wq.DateRange(name, span[0], span[1])
        span = _number_range(text)
        if span is None:
            raise self._bad("bad_number", name, text)
        return wq.NumericRange(name, span[0], span[1])

    def sort_key(self, sort: str | None) -> SortKey | None:
        """None for relevance; else the field to sort by and the direction (``-`` first:
        descending). A field that cannot sort is a FilterError naming those that can."""
        sort = (sort or RELEVANCE).strip()
        if sort == RELEVANCE:
            return None
        descending = sort.startswith("-")
        name = sort[1:] if descending else sort
        if name not in self.sort_names:
            keys = [RELEVANCE] + [k for n in self.sort_names for k in (n, f"-{n}")]
            raise FilterError(
                f"unknown sort key {sort[:40]!r}: use one of {', '.join(keys)}.",
                kind="unknown_sort",
                parameter="sort",
                value=sort,
                allowed=tuple(keys),
            )
        return SortKey(name, descending)

    def _bad(self, code: str, name: str, text: str) -> FilterError:
        """A value the field's type cannot read: the notice ``code`` says what would."""
        values = {"value": text[:40]} if code == "bad_date" else {"field": name, "value": text[:40]}
        return FilterError(notice(code, **values), kind=code, parameter=name, value=text)


def _number_range(text: str) -> tuple[float | None, float | None] | None:
    """``250`` → (250, 250); ``100..500``, ``100..``, ``..500``; None when not numbers."""
    text = normalize_digits(text)
    if ".." in text:
        left, _, right = text.partition("..")
        low, high = _number(left), _number(right)
        if (left.strip() and low is None) or (right.strip() and high is None):
            return None
        if low is None and high is None:
            return None
        return low, high
    value = _number(text)
    return None if value is None else (value, value)


def _number(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _date_bound(text: str, end: bool) -> datetime | None:
    m = _DATE.match(normalize_word(text) if text else "")
    if not m:
        return None
    year, month, day = int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)
    try:
        if not end:
            return datetime(year, month or 1, day or 1)
        if not month:
            return datetime(year, 12, 31, 23, 59, 59)
        if not day:
            next_month = datetime(year + month // 12, month % 12 + 1, 1)
            return datetime.fromtimestamp(next_month.timestamp() - 1)
        return datetime(year, month, day, 23, 59, 59)
    except ValueError:
        return None


def parse_date_range(text: str) -> tuple[datetime | None, datetime | None] | None:
    """``2015``, ``2015-07``, ``2015-07-01``, ``A..B``, ``A..`` or ``..B`` → (start, end)."""
    if ".." in text:
        left, _, right = text.partition("..")
        start = _date_bound(left, end=False) if left else None
        stop = _date_bound(right, end=True) if right else None
        if (left and start is None) or (right and stop is None) or (start is None and stop is None):
            return None
        return start, stop
    start, stop = _date_bound(text, end=False), _date_bound(text, end=True)
    return None if start is None else (start, stop)
