"""Turn untrusted query-string values into the arguments of a search, or a clear 400.

Rules: a value that is not what it should be (``page=abc``) is a 400 with a sentence saying
why; a value that is merely too big (``per_page=10000``, page 5000, a page number of 5,000
digits, a 20,000-character query) is clamped, because the user's intent is clear and a smaller
answer serves it. Numbers are read in any digits, as in a query (``year=٢٠١٥`` is 2015).

Every other parameter is a filter on a declared field (``section=sport``, ``words=100..500``):
the engine reads it and ``sort`` (search.filters); one it cannot apply (an unknown field, a
bad value, an unknown sort) is a 400 that names what would work (``filter_problem``), never
ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from bahth.analyzers import normalize_digits
from bahth.index.settings import SEARCH_PARAMS  # the settings refuse a field of these names
from bahth.search.filters import FilterError
from bahth.search.language import cut_query
from bahth.web.arabic import notice_text

WHOLE_NUMBER = re.compile(r"([+-]?)0*([0-9]+)")


# How the page names each parameter in its messages (the parameter itself follows).
LABELS = {
    "page": "رقم الصفحة",
    "per_page": "عدد النتائج في الصفحة",
    "year": "السنة",
    "sort": "الترتيب",
    "collapse": "جمع القصص",
}


class BadParameter(ValueError):
    """A query-string value that cannot be used: ``parameter`` names it, ``str(error)`` says
    why to the user, in Arabic (the page's language)."""

    def __init__(self, parameter: str, why: str, raw: str, allowed: tuple[str, ...] = ()) -> None:
        self.parameter = parameter
        self.allowed = allowed
        arabic = LABELS.get(parameter)
        label = f"{arabic} ({parameter})" if arabic else parameter
        super().__init__(f"{label} {why}، لا «{raw[:20]}».")


@dataclass(frozen=True)
class SearchParams:
    """What the user asked for, validated and clamped."""

    q: str = ""
    page: int = 1
    per_page: int = 10
    filters: dict[str, str] = field(default_factory=dict)
    sort: str = "relevance"
    collapse: bool = True  # each story once (collapse=0: every document)
    notes: tuple[str, ...] = ()  # what was adjusted, for the page to say
    default_per_page: int = 10  # left out of URLs when per_page is this

    def url_args(self, **changes: object) -> dict[str, object]:
        """Query-string arguments reproducing this search, with ``changes`` applied
        (a change to None drops the argument). Default values are left out of URLs."""
        args: dict[str, object] = {"q": self.q, **self.filters}
        if self.page != 1:
            args["page"] = self.page
        if self.per_page != self.default_per_page:
            args["per_page"] = self.per_page
        if self.sort != "relevance":
            args["sort"] = self.sort
        if not self.collapse:
            args["collapse"] = 0
        args.update(changes)
        return {k: v for k, v in args.items() if v not in (None, "")}


def _whole_number(raw: str | None, name: str, default: int, low: int, high: int) -> int:
    """``raw`` as a whole number in any digits, clamped to [low, high]. A number too long for
    int() (Python refuses 4,300 digits and more) is still a number: it is clamped unread."""
    if raw is None or raw.strip() == "":
        return default
    match = WHOLE_NUMBER.fullmatch(normalize_digits(raw.strip()))
    if not match:
        raise BadParameter(name, "يجب أن يكون عددا صحيحا", raw)
    sign, digits = match.groups()
    if len(digits) > len(str(high)):  # more digits than the largest allowed value
        return low if sign == "-" else high
    return min(max(int(sign + digits), low), high)


def parse_search_params(args: Mapping[str, str], config: Mapping[str, object]) -> SearchParams:
    """Validate ``args`` (a request's query string) against the limits in ``config``."""
    notes: list[str] = []
    q = " ".join((args.get("q") or "").split())  # collapse whitespace, incl. newlines
    max_chars = int(config["MAX_QUERY_CHARS"])
    if len(q) > max_chars:
        q = cut_query(q, max_chars)
        notes.append(notice_text("query_cut", {"chars": len(q)}))

    page = _whole_number(args.get("page"), "page", 1, 1, int(config["MAX_PAGE"]))
    default_per_page = int(config["PER_PAGE"])
    max_per_page = int(config["MAX_PER_PAGE"])
    per_page = _whole_number(args.get("per_page"), "per_page", default_per_page, 1, max_per_page)

    filters: dict[str, str] = {}
    max_filter = int(config["MAX_FILTER_CHARS"])
    getlist = getattr(args, "getlist", lambda name: [args.get(name) or ""])
    for name in args:
        if name in SEARCH_PARAMS:
            continue
        value = (args.get(name) or "").strip()
        given = {v.strip() for v in getlist(name) if v.strip()}
        if len(given) > 1:  # one value or one range per field, as --filter: never one ignored
            raise BadParameter(name, "يُعطى مرة واحدة: قيمة واحدة أو مدى مثل A..B", value)
        if value:
            filters[name] = value[:max_filter]  # read by the engine (search.filters)

    sort = (args.get("sort") or "relevance").strip()[:max_filter] or "relevance"
    collapse = _whole_number(args.get("collapse"), "collapse", 1, 0, 1) == 1
    return SearchParams(q, page, per_page, filters, sort, collapse, tuple(notes), default_per_page)


# What a filter value of each kind must be, as the page says it.
FILTER_WANTS = {
    "bad_year": "أربعة أرقام، مثل 2015",
    "bad_number": "رقم أو مدى مثل 100..500 (أو 100.. أو ..500)",
    "bad_date": "تاريخ مثل 2015 أو 2015-07 أو 2015-07-01..2015-07-31",
}


def filter_problem(error: FilterError) -> BadParameter:
    """The engine's refusal of a filter or a sort, said in Arabic, naming what would work."""
    if error.kind == "unknown_sort":
        why = f"إما {' أو '.join(error.allowed)}"
    elif error.kind == "unknown_field":
        allowed = "، ".join(error.allowed) or "لا حقول"
        why = f"ليس حقلا يُضيَّق به البحث في هذا الفهرس (الحقول: {allowed})"
    elif error.kind == "reversed_range" and error.notice is not None:
        swapped = dict(error.notice.values)["swapped"]
        why = f"مدى يبدأ بطرفه الأصغر (الأقدم)، مثل {swapped}"
    else:
        why = FILTER_WANTS.get(error.kind, "قيمة لا يقرؤها هذا الحقل")
    return BadParameter(error.parameter, why, error.value, allowed=error.allowed)
