"""Snippets and highlights: mark matched words exactly as written, escape everything else.

The original text is split by the analyzer's own tokenizer, so a mark always covers a whole
word as written: its diacritics, tatweel and clitics (a match of تمارة marks بتمارة). A word is
marked when its exact term is one of the query's exact words, or one of its stems is one of
the query's stems: both stemmed and exact matches show. What a word becomes is the index's
WordAnalysis' answer, the one the writer indexed it by.
"""

import re
from bisect import bisect_left
from html import escape, unescape

from bahth.analyzers import WordAnalysis, WordTerms
from bahth.search.parsed import Terms

_SPACES = re.compile(r"\s+")
SNIPPET_CHARS = 200
MAX_FRAGMENTS = 3
ELLIPSIS = " … "
# A snippet is chosen from the marks in a text's first SCAN_CHARS characters, and from at most
# MAX_MARKS of them: a 20 MB document that says في 62,194 times took over 120 s a snippet
# when every mark was compared with every other.
SCAN_CHARS = 200_000
MAX_MARKS = 10_000

Span = tuple[int, int]


def matched_spans(
    text: str,
    terms: Terms,
    words: WordAnalysis,
    verdicts: dict[str, bool | None] | None = None,
    limit: int | None = SCAN_CHARS,
) -> list[Span]:
    """(start, end) of every word of ``text`` that the query matched, in order, in its first
    ``limit`` characters (None: all of it). ``verdicts`` (word as written -> matched) may be
    shared by the texts of one query's hits."""
    if not (terms.stems or terms.exact):
        return []

    def matched(word: WordTerms) -> bool | None:
        hit = word.exact in terms.exact or any(s in terms.stems for s in word.stems)
        return True if hit else None

    cut = limit is not None and len(text) > limit
    head = text[:limit] if cut else text
    sieve = words.sieve(terms.stems, terms.exact)
    spans = words.spans(head, matched, {} if verdicts is None else verdicts, sieve)
    if cut and spans and spans[-1][1] == len(head):
        spans.pop()  # the last word may go on past the cut: it was not judged whole
    return spans


def _first_inside(spans: list[Span], start: int) -> int:
    """Index of the first span that ends after ``start`` (spans are sorted, apart)."""
    i = bisect_left(spans, (start,))
    return i - 1 if i and spans[i - 1][1] > start else i


def _render(text: str, start: int, end: int, spans: list[Span], flatten: bool) -> str:
    """HTML for text[start:end] with <mark> around the spans inside it."""
    out, at = [], start
    for i in range(_first_inside(spans, start), len(spans)):
        s, e = spans[i]
        if s >= end:
            break
        if e <= start:
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


def _windows(text: str, spans: list[Span], size: int) -> list[tuple[int, int, int]]:
    """Candidate fragments, one around each marked word, scored by the distinct words marked
    inside them: (score, start, end). One left-to-right pass: a window's start and end only
    move right from one mark to the next, so each mark enters the count once and leaves it
    once (two pointers), instead of every mark being compared with every other."""
    if not spans:
        return []
    starts, ends = zip(*spans, strict=True)  # (the spans are read once)
    count = len(starts)
    windows = []
    inside: dict[str, int] = {}  # a marked word as written -> its marks inside the window
    first = after = 0  # the marks inside are first .. after - 1
    for i in range(count):
        start = _snap_start(text, starts[i] - size // 4)
        end = _snap_end(text, start + size)
        while first < count and starts[first] < start:  # begins before the window: out
            if first < after:
                word = text[starts[first] : ends[first]]
                inside[word] -= 1
                if not inside[word]:
                    del inside[word]
            first += 1
        after = max(after, first)
        while after < count and ends[after] <= end:  # ends inside the window: in
            word = text[starts[after] : ends[after]]
            inside[word] = inside.get(word, 0) + 1
            after += 1
        windows.append((len(inside), start, end))
    return windows


def snippet(
    text: str, spans: list[Span], size: int = SNIPPET_CHARS, fragments: int = MAX_FRAGMENTS
) -> str:
    """One to ``fragments`` pieces of about ``size`` characters around the best matches
    (chosen among the first MAX_MARKS marks)."""
    text = text or ""
    spans = spans[:MAX_MARKS]
    if not spans:
        end = _snap_end(text, size)
        return _clean(text[:end], True) + (ELLIPSIS.rstrip() if end < len(text) else "")
    by_score: dict[int, list[tuple[int, int]]] = {}  # most distinct words first, then leftmost
    for score, start, end in _windows(text, spans, size):
        by_score.setdefault(score, []).append((start, end))
    chosen: list[tuple[int, int]] = []
    for score in sorted(by_score, reverse=True):
        for start, end in by_score[score]:
            if all(end <= a or start >= b for a, b in chosen):
                chosen.append((start, end))
            if len(chosen) == fragments:
                break
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
