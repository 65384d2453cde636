"""Field types: for each type a declared field can have (index/settings.py), the one answer to
how a document's value is read, indexed, filtered, faceted, sorted and shown. Both stores, the
settings, the filters and the web ask here; nothing else decides by a type's name what a value
becomes (the web names the date fields only to offer "newest first").

A type says what it is by three capabilities, which is all a store needs to know:

* ``searched`` (text): analyzed into terms, searched with its weight, highlighted;
* ``valued`` (keyword): exact values, one or a list per document: filter by value, facet;
* ``ordered`` (date, number): one key per document, a float: filter by range, sort. A date's
  key is its seconds since 1970 (UTC); a number's, itself.

A stored field is only kept (every document's own fields come back with its hits anyway).

A value a text or keyword field cannot take (an object, a list of lists) is bad input, named
with the document. A date or number that cannot be read is not indexed (the document sorts
with those that have none) and stays in the document's fields as given: losing a whole
document over one odd value would cost more than it saves.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bahth.analyzers import normalize_digits, normalize_word
from bahth.index.sources import Document, parse_date

EPOCH = datetime(1970, 1, 1)
_YEAR = re.compile(r"^[0-9]{4}$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")


# ---- reading values ----------------------------------------------------------------------


def number(value: object) -> float | None:
    """A number as given (42, 4.2, "42", " 4.2 ", "٤٢"): None when it is not a finite number.
    The one reading of a number, for documents and for filters alike."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = normalize_digits(value).strip()
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            return None
    if not isinstance(value, int | float):
        return None
    try:
        result = float(value)
    except OverflowError:  # an integer of 309 digits or more
        return None
    return result if math.isfinite(result) else None


def date_key(moment: datetime) -> float:
    """A date's key: seconds since 1970 (UTC; naive datetimes are UTC)."""
    return (moment - EPOCH).total_seconds()


def key_date(key: float) -> datetime:
    return EPOCH + timedelta(seconds=key)


def keyword_values(name: str, value: object) -> list[str]:
    """The exact values of a keyword field (empty strings dropped); ValueError when the
    value is not text, a number, or a list of them."""
    items = value if isinstance(value, list) else [value]
    values = []
    for item in items:
        if item is None:
            continue
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise ValueError(f"{name} is not text, a number, or a list of them")
        text = str(item).strip()
        if text:
            values.append(text)
    return values


def text_value(name: str, value: object) -> str:
    """A declared text field's text: a string, or a list of them (one paragraph each);
    ValueError for anything else."""
    if value is None:
        return ""
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, str) for item in items):
        raise ValueError(f"{name} is not text or a list of texts")
    return "\n".join(item.strip() for item in items if item.strip())


# ---- the types ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldType:
    """What one type of field is; ``bad_value``: the notice code (search.notices) of a
    filter value the type cannot read."""

    name: str
    searched: bool = False
    valued: bool = False
    ordered: bool = False
    bad_value: str = ""

    def read(self, name: str, value: object):
        """What a document's given value is in a field of this type (None: nothing);
        ValueError when it is bad input."""
        return None

    def span(self, text: str) -> tuple[float | None, float | None] | str | None:
        """A filter value as this type reads it: a keyword's value, or a range of keys
        (low, high; None: open); None when it cannot be read."""
        return None


@dataclass(frozen=True)
class _Text(FieldType):
    def read(self, name: str, value: object):
        return text_value(name, value) or None


@dataclass(frozen=True)
class _Keyword(FieldType):
    def read(self, name: str, value: object):
        return keyword_values(name, value) or None

    def span(self, text: str):
        return text or None


@dataclass(frozen=True)
class _Year(FieldType):
    """A keyword holding the year of a date field (``year_of``): read from that date."""

    def span(self, text: str):
        year = normalize_digits(text)
        return year if _YEAR.fullmatch(year) else None


@dataclass(frozen=True)
class _Date(FieldType):
    def read(self, name: str, value: object):
        moment = parse_date(value)
        return None if moment is None else date_key(moment)

    def span(self, text: str):
        span = date_range(text)
        if span is None:
            return None
        low, high = span
        return (
            None if low is None else date_key(low),
            None if high is None else date_key(high),
        )


@dataclass(frozen=True)
class _Number(FieldType):
    def read(self, name: str, value: object):
        return number(value)

    def span(self, text: str):
        return number_range(text)


# ---- the index's own field names -------------------------------------------------------------

TITLE_FIELD, TEXT_FIELD = "title", "text"  # every index's two searched fields
_EXACT = "_exact"


def exact_field(field: str) -> str:
    """The twin of searched ``field`` that indexes its words as written (normalized, not
    stemmed, with positions): phrases, exact matches and proximity read it. Every searched
    field has one, named here for both stores and the query side."""
    return field + _EXACT


def is_exact_field(field: str) -> bool:
    return field.endswith(_EXACT)


def searched_field(field: str) -> str:
    """The searched field ``field`` is the exact twin of (``field`` itself when it is none)."""
    return field[: -len(_EXACT)] if is_exact_field(field) else field


TEXT = _Text("text", searched=True)
KEYWORD = _Keyword("keyword", valued=True)
YEAR = _Year("keyword", valued=True, bad_value="bad_year")
DATE = _Date("date", ordered=True, bad_value="bad_date")
NUMBER = _Number("number", ordered=True, bad_value="bad_number")
STORED = FieldType("stored")
TYPES = {kind.name: kind for kind in (TEXT, KEYWORD, DATE, NUMBER, STORED)}


def type_of(spec) -> FieldType:
    """The type of a declared field (index/settings.FieldSpec)."""
    return YEAR if spec.year_of else TYPES[spec.type]


# ---- a document's values -------------------------------------------------------------------


@dataclass
class Values:
    """What one document gives the declared fields, read by their types: the text of each
    text field, the values of each keyword field, the key of each date or number field."""

    texts: dict[str, str] = field(default_factory=dict)
    keywords: dict[str, list[str]] = field(default_factory=dict)
    keys: dict[str, float] = field(default_factory=dict)

    @property
    def has(self) -> list[str]:
        """The keyword, date and number fields that hold a value."""
        return [*self.keywords, *self.keys]


def document_values(doc: Document, settings) -> Values:
    """The declared fields' values of ``doc`` (its own fields, as given); ValueError naming
    the field for a value its type cannot take."""
    given = doc.given()
    values = Values()
    for spec in settings.fields:
        kind = type_of(spec)
        if kind is YEAR:
            continue
        value = kind.read(spec.name, given.get(spec.name))
        if value is None:
            continue
        if kind.searched:
            values.texts[spec.name] = value
        elif kind.valued:
            values.keywords[spec.name] = value
        elif kind.ordered:
            values.keys[spec.name] = value
    for spec in settings.fields:
        if spec.year_of and spec.year_of in values.keys:
            values.keywords[spec.name] = [str(key_date(values.keys[spec.year_of]).year)]
    return values


# ---- filter values -----------------------------------------------------------------------


def number_range(text: str) -> tuple[float | None, float | None] | None:
    """``250`` → (250, 250); ``100..500``, ``100..``, ``..500``; None when not numbers."""
    text = normalize_digits(text)
    if ".." in text:
        left, _, right = text.partition("..")
        low, high = number(left), number(right)
        if (left.strip() and low is None) or (right.strip() and high is None):
            return None
        if low is None and high is None:
            return None
        return low, high
    value = number(text)
    return None if value is None else (value, value)


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
            first_of_next = datetime(year + month // 12, month % 12 + 1, 1)
            return first_of_next - timedelta(seconds=1)
        return datetime(year, month, day, 23, 59, 59)
    except (ValueError, OverflowError):
        return None


def date_range(text: str) -> tuple[datetime | None, datetime | None] | None:
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
