"""What a document's given value becomes in a declared field (index/settings.py): the one
reading of text, keyword, date and number values, for the writer.

A text field takes a string or a list of them. A keyword takes text or a number, or a list
of them; anything else (an object, a list of lists) is bad input, named with the document,
as a title that is not text is. A date or a
number that cannot be read is not indexed (so the document sorts with those without one),
and stays in the document's fields as given: losing a whole document over one odd value
would cost more than it saves.
"""

from __future__ import annotations

import math
from datetime import datetime

from bahth.index.sources import parse_date


def keyword_values(name: str, value: object) -> list[str]:
    """The exact values of a keyword field (empty strings dropped); ValueError when the
    value is not text, a number, or a list of them."""
    items = value if isinstance(value, list) else [value]
    values = []
    for item in items:
        if item is None:
            continue
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
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


def date_value(value: object) -> datetime | None:
    return parse_date(value)


def number_value(value: object) -> float | None:
    """A number as given (42, 4.2, "42", " 4.2 ", "٤٢"): None when it is not a finite number."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, (int, float)):
            number = float(value)
        elif isinstance(value, str):
            number = float(value.strip())
        else:
            return None
    except (ValueError, OverflowError):  # OverflowError: an integer of 309 digits or more
        return None
    return number if math.isfinite(number) else None
