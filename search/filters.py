"""Filters and sort keys on an index's declared fields: the one reading of ``FIELD:value``,
``filters={...}``, ``--filter``, a web page's ``?section=sport`` and ``sort=-published``.

A keyword filter is one exact value; a date filter a day, month or year, or a range
``A..B`` (either end may be left open); a number filter a number or a range ``A..B``; a
range must not end before it starts. The
year field of the default schema takes a year in any digits, as before. What a type reads is
the field-type registry's (index/fields.py); here it becomes a condition (index/nodes.py). A
field the index does not declare, or a value its type cannot read, is a FilterError (a
ValueError) that names what would work: ignoring it would answer another question than the
one asked.
"""

from __future__ import annotations

from collections.abc import Mapping

from bahth.index import nodes
from bahth.index.contract import SortKey
from bahth.index.fields import type_of
from bahth.index.settings import Settings
from bahth.search.notices import Notice, notice

RELEVANCE = "relevance"


class FilterError(ValueError):
    """A filter or a sort key the index cannot apply; ``str(error)`` says what would, in
    English. For callers that say it otherwise: ``kind`` (unknown_field, unknown_sort,
    bad_filters, or the notice code of a bad value: bad_year, bad_number, bad_date,
    reversed_range),
    ``parameter`` (the field, "sort" or "filters"), ``value`` as given, ``allowed`` (the
    names that would do), and ``notice`` (search.notices) for a bad value."""

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


class FieldFilters:
    """The filter and sort rules of one index's settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        kinds = {spec.name: type_of(spec) for spec in settings.fields}
        self.types = {name: kind for name, kind in kinds.items() if kind.valued or kind.ordered}

    @property
    def names(self) -> list[str]:
        """The fields that filter, in declaration order."""
        return list(self.types)

    @property
    def sort_names(self) -> list[str]:
        return [name for name, kind in self.types.items() if kind.ordered]

    def conditions(self, filters: Mapping[str, object] | None) -> list:
        """The conditions of a caller's ``filters`` ({field: value}; a value None or "" asks
        for nothing); ``filters`` that are not a dict is a FilterError saying what it takes."""
        if filters is None:
            return []
        if not isinstance(filters, Mapping):
            raise FilterError(
                f"filters: give a dict of field to value, such as {{'year': '2015'}}, not "
                f"{filters!r:.40}",
                kind="bad_filters",
                parameter="filters",
                value=repr(filters),
            )
        return [
            self.condition(name, value)
            for name, value in filters.items()
            if value is not None and value != ""
        ]

    def condition(self, name: str, value: object) -> object:
        """The condition (index/nodes.py) that keeps the documents whose ``name`` is
        ``value``."""
        kind = self.types.get(name)
        if isinstance(value, list | tuple | set | frozenset | dict):  # str() would search "['a']"
            raise FilterError(
                f"{name}: give one value (text or a number) or one range A..B, not "
                f"{value!r:.40}: a field is filtered by one",
                kind="bad_filters",
                parameter=name,
                value=repr(value),
            )
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
        span = kind.span(text)
        if span is None:
            raise self._bad(kind.bad_value, name, text)
        if kind.valued:
            return nodes.Is(name, span)
        low, high = span
        if low is not None and high is not None and low > high:
            raise self._reversed(name, text)
        return nodes.Between(name, low, high)

    def sort_key(self, sort: str | None) -> SortKey | None:
        """None for relevance; else the field to sort by and the direction (``-`` first:
        descending). A field that cannot sort is a FilterError naming those that can."""
        if sort is not None and not isinstance(sort, str):
            raise FilterError(
                f"sort: give a str ({RELEVANCE}, FIELD or -FIELD), not {sort!r:.40}",
                kind="unknown_sort",
                parameter="sort",
                value=repr(sort),
            )
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

    @staticmethod
    def _reversed(name: str, text: str) -> FilterError:
        """A range that ends before it starts (``2015-07-21..2015-07-20``, ``500..100``): it
        matched nothing, without a word, so a search found nothing and did not say why.
        Refused here, where every filter is read (the CLI's --filter, a web page's, the
        library's ``filters`` and a query's ``FIELD:A..B``), naming the range the right way
        round rather than guessing that it was meant."""
        left, _, right = text.partition("..")
        swapped = f"{right.strip()}..{left.strip()}"
        message = notice("reversed_range", field=name, value=text[:40], swapped=swapped[:40])
        return FilterError(message, kind="reversed_range", parameter=name, value=text)

    def _bad(self, code: str, name: str, text: str) -> FilterError:
        """A value the field's type cannot read: the notice ``code`` says what would."""
        values = {"value": text[:40]} if code == "bad_date" else {"field": name, "value": text[:40]}
        return FilterError(notice(code, **values), kind=code, parameter=name, value=text)
