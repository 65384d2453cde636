"""Titles a line or two long on the results page: a longer one is cut at a word, and the
document page shows it whole.

Some titles are whole paragraphs (a .txt file's first line is its title, and the seeds' first
lines are paragraphs of 500 and 1,000 characters). CSS's line-clamp would cut one wherever the
last line ends, mid-word included; here the cut falls between words. The engine's
``title_html`` is escaped text with ``<mark>`` around matched words and nothing else, so it is
cut as such: entities count as one character, and a ``<mark>`` left open is closed.
"""

from __future__ import annotations

import re
from html import unescape

from markupsafe import Markup

TITLE_CHARS = 110  # about two lines beside the facets; three on a phone
ELLIPSIS = "…"
TRAILING = " \n،,.:؛;-"  # what a cut title should not end with
_PARTS = re.compile(r"</?mark>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);|[^<&]+|[<&]")


def cut_point(text: str, limit: int = TITLE_CHARS) -> int | None:
    """Where to cut ``text`` (plain) so it ends at a word within ``limit`` characters; None
    when it fits. A single word longer than half the limit is cut inside."""
    if len(text) <= limit:
        return None
    space = max(text.rfind(" ", 0, limit + 1), text.rfind("\n", 0, limit + 1))
    return space if space >= limit // 2 else limit


def shorten_text(text: str, limit: int = TITLE_CHARS) -> str:
    """``text`` cut at a word within ``limit`` characters, with an ellipsis when cut."""
    cut = cut_point(text, limit)
    return text if cut is None else text[:cut].rstrip(TRAILING) + ELLIPSIS


def shorten_html(title_html: str, limit: int = TITLE_CHARS) -> Markup:
    """The engine's ``title_html`` cut as shorten_text cuts its text, marks kept whole."""
    visible = unescape(re.sub(r"</?mark>", "", title_html))
    cut = cut_point(visible, limit)
    if cut is None:
        return Markup(title_html)
    while cut > 1 and visible[cut - 1] in TRAILING:  # no dangling punctuation before the …
        cut -= 1
    out: list[str] = []
    seen, in_mark = 0, False
    for part in _PARTS.findall(title_html):
        if seen >= cut:
            break
        if part in ("<mark>", "</mark>"):
            in_mark = part == "<mark>"
            out.append(part)
        elif part.startswith("&") and len(part) > 1:
            out.append(part)
            seen += 1
        else:
            take = part[: cut - seen]
            out.append(take)
            seen += len(take)
    text = "".join(out)
    if in_mark and not text.endswith("</mark>"):
        text += "</mark>"
    return Markup(re.sub(r"<mark></mark>$", "", text) + ELLIPSIS)
