"""Snippets and highlights: mark matched words exactly as written, escape everything else.

The original text is split by the analyzer's own tokenizer, so a mark always covers a whole
word as written: its diacritics, tatweel and clitics (a match of تمارة marks بتمارة). A word is
marked when its exact term is one of the query's exact words, or one of its stems is one of
the query's stems: both stemmed and exact matches show. What a word becomes is the index's
WordAnalysis' answer, the one the writer indexed it by.
"""

import re
from collections.abc import Iterator
from html import escape, unescape

from bahth.analyzers import WordAnalysis, WordTerms
from bahth.search.query import Terms

_SPACES = re.compile(r"\s+")
SNIPPET_CHARS = 200
MAX_FRAGMENTS = 3
ELLIPSIS = " … "

Span = tuple[int, int]


def matched_spans(
    text: str, terms: Terms, words: WordAnalysis, verdicts: dict[str, bool | None] | None = None
) -> list[Span]:
    """(start, end) of every word of ``text`` that the query matched, in order. ``verdicts``
    (word as written -> matched) may be shared by the texts of one query's hits."""
    if not (terms.stems or terms.exact):
        return []

    def matched(word: WordTerms) -> bool | None:
        hit = word.exact in terms.exact or any(s in terms.stems for s in word.stems)
        return True if hit else None

    return words.spans(text, matched, {} if verdicts is None else verdicts)


def _render(text: str, start: int, end: int, spans: list[Span], flatten: bool) -> str:
    """HTML for text[start:end] with <mark> around the spans inside it."""
    out, at = [], start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        out.append(_clean(text[at:s], flatten))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        at = e
    out.append(_clean(text[at:end], flatten))
    return "".join(out)


def _clean(piece: str, flatten: bool) -> str:
    return escape(_SPACES.sub(" ", piece) if flatten else piece)


def highlight(text: str, spans: list[Span]) -> str:
    """The whole text (a title), escaped, with marks."""
    return _render(text, 0, len(text), spans, flatten=True)


def _snap_start(text: str, i: int) -> int:
    if i <= 0:
        return 0
    space = text.rfind(" ", max(0, i - 20), i)
    return space + 1 if space >= 0 else i


def _snap_end(text: str, i: int) -> int:
    if i >= len(text):
        return len(text)
    space = text.find(" ", i, i + 20)
    return space if space >= 0 else i


def _windows(text: str, spans: list[Span], size: int) -> Iterator[tuple[int, int, int]]:
    """Candidate fragments: one around each marked word, scored by distinct words marked."""
    for s, _ in spans:
        start = _snap_start(text, s - size // 4)
        end = _snap_end(text, start + size)
        inside = {text[a:b] for a, b in spans if a >= start and b <= end}
        yield len(inside), start, end


def snippet(
    text: str, spans: list[Span], size: int = SNIPPET_CHARS, fragments: int = MAX_FRAGMENTS
) -> str:
    """One to ``fragments`` pieces of about ``size`` characters around the best matches."""
    text = text or ""
    if not spans:
        end = _snap_end(text, size)
        return _clean(text[:end], True) + (ELLIPSIS.rstrip() if end < len(text) else "")
    chosen: list[tuple[int, int]] = []
    for _, start, end in sorted(_windows(text, spans, size), key=lambda w: (-w[0], w[1])):
        if all(end <= a or start >= b for a, b in chosen):
            chosen.append((start, end))
        if len(chosen) == fragments:
            break
    chosen.sort()
    pieces = [_render(text, a, b, spans, flatten=True).strip() for a, b in chosen]
    lead = ELLIPSIS.lstrip() if chosen[0][0] > 0 else ""
    tail = ELLIPSIS.rstrip() if chosen[-1][1] < len(text) else ""
    return lead + ELLIPSIS.join(pieces) + tail


def paragraphs(text: str, spans: list[Span]) -> str:
    """A whole document as escaped <p> paragraphs, with marks."""
    out = []
    for m in re.finditer(r"[^\n]+", text or ""):
        if m.group().strip():
            out.append(f"<p>{_render(text, m.start(), m.end(), spans, flatten=False).strip()}</p>")
    return "\n".join(out)


def plain_text(html: str) -> str:
    """A snippet for a terminal: marks become [brackets], entities become characters."""
    return unescape(html.replace("<mark>", "[").replace("</mark>", "]"))
