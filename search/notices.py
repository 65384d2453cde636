"""What a search or a document view says about itself beside its results ("the query was cut",
"no document matches"), as stable codes with their values.

Library users and the CLI read English sentences (``str(notice)``, and ``Page.message``); a
front end in another language renders the code in its own words (the web page does, in
Arabic) instead of showing the English. So each sentence lives here once, under its code, and
the code is what callers rely on: the sentence may be reworded, the code stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ENGLISH = {
    "query_cut": "The query was cut to its first {chars} characters.",
    "stop_words_only": "Only very common words: they were matched as written.",
    "empty_query": "Type a word to search for.",
    "no_positive_word": "A query needs at least one word to look for.",
    "too_many_words": "Only the first {words} words were searched.",
    "condition_inside_or": (
        "A cluster cannot run a field filter inside OR beside words (وزير OR source:a): put "
        "the filter outside the OR, e.g. وزير (source:a OR source:b)."
    ),
    "expansion_cut": (
        "Some words with * or ~ match more indexed words than one query may search: only part "
        "of them was searched. Type more letters before *, or use fewer * and ~ words."
    ),
    "synonyms_cut": (
        "Some words have more synonyms than one query may search: only the first ones were "
        "searched."
    ),
    "prefix_too_short": "A prefix search needs at least {letters} letters before *.",
    "bad_date": ("Could not read the date {value!r}: use 2015, 2015-07 or 2015-07-01..2015-07-31."),
    "bad_number": (
        "{field} is a number field: give a number or a range such as 100..500 "
        "(100.. or ..500 leave one end open), not {value!r}."
    ),
    "bad_year": "{field} must be four digits, like 2015, not {value!r}.",
    "reversed_range": (
        "The range {value!r} of {field} ends before it starts: write the smaller (earlier) end "
        "first, {swapped}."
    ),
    "no_match": "No document matches this query.",
    "page_past_end": "Page {page} is past the last page: showing page {shown}.",
    "document_cut": (
        "This document is {length:,} characters long: only its first {shown:,} are shown."
    ),
    "other": "{text}",  # a sentence given without a code (kept, never lost)
}


@dataclass(frozen=True)
class Notice:
    """One thing a result says about itself: a ``code`` (a key of ENGLISH) and its values."""

    code: str
    values: tuple[tuple[str, Any], ...] = ()

    def __str__(self) -> str:
        return ENGLISH[self.code].format(**dict(self.values))

    def to_dict(self) -> dict[str, Any]:
        """``{"code": ..., **values, "text": the English sentence}``, for JSON."""
        return {"code": self.code, **dict(self.values), "text": str(self)}


def notice(code: str, **values: Any) -> Notice:
    """The Notice ``code`` with ``values`` (what its sentence names)."""
    if code not in ENGLISH:
        raise KeyError(f"no notice {code!r}")
    return Notice(code, tuple(values.items()))


def as_notice(item: Notice | str) -> Notice:
    """A Notice as it is; a plain sentence as the notice "other" holding it."""
    return item if isinstance(item, Notice) else notice("other", text=str(item))


def unique(items: list[Notice | str]) -> tuple[Notice, ...]:
    """``items`` as Notices, each once, in order."""
    return tuple(dict.fromkeys(as_notice(item) for item in items))
