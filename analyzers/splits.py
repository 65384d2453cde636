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
settled) asks for a text's words in two ``parts``: the rest of the text is split only if asked for.
The tokenizer's pattern never matches across a space or a line break (it has no look-behind
and no anchor), so a text cut at one splits into the same words as the whole.
"""

from __future__ import annotations

import re
import threading
from array import array
from collections.abc import Iterator
from itertools import islice

MAX_CHARS = 200_000  # a longer text is split afresh each time (the readers read its head)
MAX_KEPT_CHARS = 250_000  # characters kept: a few pages of hits (SaudiNewsNet texts: 1,710)
FIRST_PART_CHARS = 600  # the first part of a text read in parts (about 90 Arabic words)
PART_WORDS = 64  # the first part of a kept split read in parts


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
        """The words of ``text`` (its first ``limit`` at most) in two parts, its first words
        and the rest, for a reader that may stop after the first. A kept split is given in
        parts; otherwise the rest is split only when asked for, and a text read to its end is
        kept. (More parts cost a long query, which seldom stops early, 4% more time.)"""
        found = self._kept_split(text) if len(text) <= MAX_CHARS else None
        if found is not None:
            words = found.surfaces if limit is None else found.surfaces[:limit]
            head = self.first_part[1]
            yield words[:head]
            if len(words) > head:
                yield words[head:]
            return
        end = _cut(text, self.first_part[0])
        first = self.pattern.findall(text, 0, end)
        if limit is not None and len(first) >= limit:
            yield first[:limit]
            return
        yield first
        if end == len(text):
            rest: list[str] = []
        else:
            left = None if limit is None else limit - len(first)
            rest = words_of(self.pattern, text, end, left)
            yield rest
        if (limit is None or len(first) + len(rest) < limit) and len(text) <= MAX_CHARS:
            self._keep(Split(text, self.pattern, first + rest))

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


def words_of(pattern: re.Pattern, text: str, start: int = 0, limit: int | None = None) -> list[str]:
    """The words of ``text`` from ``start`` on, the first ``limit`` of them at most (the rest
    of a long text is not read)."""
    if limit is None or len(text) - start < 2 * limit:  # mostly read anyway: one findall
        words = pattern.findall(text, start)
        return words if limit is None else words[:limit]
    return [m.group() for m in islice(pattern.finditer(text, start), limit)]
