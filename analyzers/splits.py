"""The words of the texts read lately, kept: a text is split into words once, not once per
reader of it.

A page's hits are split by the second stage (where the query's words stand), then by the
highlighter (which words to mark), then by "what was searched, as written" (how the page
spells a word). Splitting with the tokenizer's regular expression was the largest single
cost of a title query (a profile of 400 titles: 1.6 s of 8.5). A split is kept under its
text (a dictionary key: equal texts share it whatever the string object), for texts of at
most ``MAX_CHARS`` characters, until ``MAX_KEPT_CHARS`` characters are kept, the least
recently used going first: enough for the pages being served, not for the collection.
Different queries seldom rank the same texts (5% of 36,000 texts read by 600 title
queries were read before), and a store of 1,000,000 characters made ranking 3.5% slower.

A reader that may stop early (the second stage stops reading a hit once its features are
settled) asks for a text's words in growing ``parts``: the rest of the text is not split.
The tokenizer's pattern never matches across a space or a line break (it has no look-behind
and no anchor), so a text cut at one splits into the same words as the whole.
"""

from __future__ import annotations

import re
import threading
from array import array
from collections.abc import Iterator

MAX_CHARS = 200_000  # a longer text is split afresh each time (the readers read its head)
MAX_KEPT_CHARS = 250_000  # characters kept: a few pages of hits (SaudiNewsNet texts: 1,710)
FIRST_PART_CHARS = 600  # the first part of a text read in parts (about 90 Arabic words)
PART_WORDS = 64  # the first part of a kept split read in parts
GROWTH = 4  # each part after the first: this many times the one before


class Split:
    """One text's words as written, in order (``surfaces``), and where each starts."""

    __slots__ = ("_starts", "pattern", "surfaces", "text")

    def __init__(self, text: str, pattern: re.Pattern, surfaces: list[str] | None = None) -> None:
        self.text = text
        self.pattern = pattern
        self.surfaces: list[str] = pattern.findall(text) if surfaces is None else surfaces
        self._starts: array | None = None

    def starts(self) -> array:
        """Where each word starts in the text (computed when first asked: only the texts
        that are shown need it)."""
        if self._starts is None:
            self._starts = array("l", map(re.Match.start, self.pattern.finditer(self.text)))
        return self._starts

    def span(self, at: int) -> tuple[int, int]:
        """(start, end) of word number ``at``."""
        start = self.starts()[at]
        return start, start + len(self.surfaces[at])


class Splits:
    """Splits of texts, most recently used kept; shared by threads."""

    def __init__(
        self,
        pattern: re.Pattern,
        max_chars: int = MAX_KEPT_CHARS,
        first_part: tuple[int, int] = (FIRST_PART_CHARS, PART_WORDS),
    ) -> None:
        self.pattern = pattern
        self.max_chars = max_chars
        self.first_part = first_part  # (characters of a text, words of a kept split)
        self._kept: dict[str, Split] = {}
        self._chars = 0
        self._lock = threading.Lock()

    def __call__(self, text: str) -> Split:
        """``text``'s split, kept when the text is short enough."""
        if len(text) > MAX_CHARS:
            return Split(text, self.pattern)
        found = self._kept_split(text)
        return found if found is not None else self._keep(Split(text, self.pattern))

    def parts(self, text: str, limit: int | None = None) -> Iterator[list[str]]:
        """The words of ``text`` (its first ``limit`` at most) in growing parts, first words
        first, for a reader that may stop before the end. A kept split is given in parts;
        otherwise each part is split when it is asked for, and a text read to its end is
        kept."""
        found = self._kept_split(text) if len(text) <= MAX_CHARS else None
        if found is not None:
            words = found.surfaces if limit is None else found.surfaces[:limit]
            start, size = 0, self.first_part[1]
            while start < len(words):
                yield words[start : start + size]
                start, size = start + size, size * GROWTH
            return
        read: list[str] = []
        start, size, whole = 0, self.first_part[0], True
        while start < len(text) and whole:
            end = _cut(text, start + size)
            part = self.pattern.findall(text, start, end)
            if limit is not None and len(read) + len(part) >= limit:
                whole = len(read) + len(part) == limit and end == len(text)
                part = part[: limit - len(read)]
            read += part
            yield part
            start, size = end, size * GROWTH
        if whole and len(text) <= MAX_CHARS:
            self._keep(Split(text, self.pattern, read))

    def _kept_split(self, text: str) -> Split | None:
        kept = self._kept
        with self._lock:
            found = kept.pop(text, None)
            if found is not None:
                kept[text] = found  # most recently used last
            return found

    def _keep(self, split: Split) -> Split:
        text, kept = split.text, self._kept
        with self._lock:
            if text not in kept:
                kept[text] = split
                self._chars += len(text)
                while self._chars > self.max_chars and len(kept) > 1:
                    self._chars -= len(kept.pop(next(iter(kept))).text)
        return split


def _cut(text: str, at: int) -> int:
    """The first space or line break of ``text`` from ``at`` on (its end when none): a place
    no word spans."""
    if at >= len(text):
        return len(text)
    space = text.find(" ", at)
    end = len(text) if space < 0 else space
    line = text.find("\n", at, end)
    return end if line < 0 else line
