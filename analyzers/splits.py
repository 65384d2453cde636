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
"""

from __future__ import annotations

import re
import threading
from array import array

MAX_CHARS = 200_000  # a longer text is split afresh each time (the readers read its head)
MAX_KEPT_CHARS = 250_000  # characters kept: a few pages of hits (SaudiNewsNet texts: 1,710)


class Split:
    """One text's words as written, in order (``surfaces``), and where each starts."""

    __slots__ = ("_starts", "pattern", "surfaces", "text")

    def __init__(self, text: str, pattern: re.Pattern) -> None:
        self.text = text
        self.pattern = pattern
        self.surfaces: list[str] = pattern.findall(text)
        self._starts: array | None = None

    def starts(self) -> array:
        """Where each word starts in the text (computed when first asked: only the texts
        that are shown need it)."""
        if self._starts is None:
            self._starts = array("l", (m.start() for m in self.pattern.finditer(self.text)))
        return self._starts

    def span(self, at: int) -> tuple[int, int]:
        """(start, end) of word number ``at``."""
        start = self.starts()[at]
        return start, start + len(self.surfaces[at])


class Splits:
    """Splits of texts, most recently used kept; shared by threads."""

    def __init__(self, pattern: re.Pattern, max_chars: int = MAX_KEPT_CHARS) -> None:
        self.pattern = pattern
        self.max_chars = max_chars
        self._kept: dict[str, Split] = {}
        self._chars = 0
        self._lock = threading.Lock()

    def __call__(self, text: str) -> Split:
        """``text``'s split, kept when the text is short enough."""
        if len(text) > MAX_CHARS:
            return Split(text, self.pattern)
        kept = self._kept
        with self._lock:
            found = kept.pop(text, None)
            if found is not None:
                kept[text] = found  # most recently used last
                return found
        split = Split(text, self.pattern)
        with self._lock:
            if text not in kept:
                kept[text] = split
                self._chars += len(text)
                while self._chars > self.max_chars and len(kept) > 1:
                    self._chars -= len(kept.pop(next(iter(kept))).text)
        return split
