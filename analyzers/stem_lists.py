"""A text's words as the stemmed field has them, kept with the document: the second stage
reads where a query's stems stand without splitting the text or looking up its words.

The second stage (search/rerank.py) asks, for each of a query's top 30 hits, at which word
numbers the query's stems stand. From the stored text that means splitting it into words
and asking the word analysis what each becomes: half of a query's time (a profile of 400
title queries: 4.8 s of 8.7). The writer already knows what each word became when it
indexes the text, so it keeps that, per document, as a *stem list*:

* the text's distinct words as the stemmed field has them (a word's stems, space-separated;
  a stop word or a word with no terms is an empty line), a line each, in order of first
  appearance: a few hundred lines a news article;
* for each of its first ``SCAN_WORDS`` words, the number of its line (16 bits).

A query finds its stems' lines with ``str.find`` over the lines (in C), asks the
caller's verdict of those lines only, and finds their word numbers with numpy. What it gives
is what reading the text gives (the same words, the same verdicts, word by word: a test
compares the two on every document of an index), so the ranking is the same; a document
without a stem list (an older index, a cluster, a text written another way) is read as
before. Cost: about 3 KB a news article on disk, and a dictionary lookup per word when
indexing.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeVar

import numpy as np

from bahth.analyzers.one_word import WordTerms

V = TypeVar("V")

SCAN_WORDS = 20_000  # words of a text the second stage reads, at most (a line number: 16 bits)
FORMAT = 1  # the first byte of a stem list: what the rest is
_HEAD = 5  # the format byte, and the length of the lines in bytes (32 bits, little-endian)


def encode(terms: Sequence[WordTerms]) -> bytes:
    """The stem list of a text whose words, in order, became ``terms`` (b"" when a stem
    holds a space or a line break, which a stem list cannot say: that text is read)."""
    lines: dict[tuple[str, ...], int] = {}
    number = lines.setdefault
    numbers = array("H", [number(word.stems, len(lines)) for word in terms[:SCAN_WORDS]])
    text = "\n".join(" ".join(stems) for stems in lines)
    if text.count("\n") != max(len(lines) - 1, 0) or text.count(" ") != sum(
        len(stems) - 1 for stems in lines if stems
    ):
        return b""
    if sys.byteorder == "big":
        numbers.byteswap()  # kept little-endian, as it is read
    body = text.encode("utf-8")
    return bytes([FORMAT]) + len(body).to_bytes(4, "little") + body + numbers.tobytes()


class StemListFinder:
    """Where the stems of ``wanted`` stand in stem lists: (word number, value) of each word
    with a wanted stem, as ``verdict`` judges the word's terms (the value of its first
    wanted stem: StemMatcher.verdict), for one query's texts."""

    def __init__(self, wanted: Iterable[str], verdict: Callable[[WordTerms], V | None]) -> None:
        self._stems = [stem for stem in dict.fromkeys(wanted) if stem]
        self._verdict = verdict

    def positions(self, stem_list: bytes) -> list[tuple[int, V]] | None:
        """(word number, value) of each word of the text with a wanted stem, in order; None
        when ``stem_list`` is not one (b"": the document has none; or it is damaged: its
        text is read instead)."""
        if len(stem_list) < _HEAD or stem_list[0] != FORMAT:
            return None
        size = int.from_bytes(stem_list[1:_HEAD], "little")
        if not self._stems:
            return []
        try:  # a cut or garbled list (not UTF-8, an odd number of bytes, a number past its
            # lines) is not one: its text is read
            text = stem_list[_HEAD : _HEAD + size].decode("utf-8")
            numbers = np.frombuffer(stem_list, dtype="<u2", offset=_HEAD + size)
        except ValueError:
            return None
        values = self._lines(text)
        if not values:
            return []
        if len(values) == 1:
            [(line, value)] = values.items()
            return [(at, value) for at in np.flatnonzero(numbers == line).tolist()]
        wanted = np.zeros(text.count("\n") + 1, dtype=bool)  # by line (np.isin costs more)
        wanted[list(values)] = True
        try:
            where = np.flatnonzero(wanted[numbers])
        except IndexError:
            return None
        lines = map(values.__getitem__, numbers[where].tolist())
        return list(zip(where.tolist(), lines, strict=True))

    def _lines(self, text: str) -> Mapping[int, V]:
        """The number of each line holding a wanted stem whose verdict is not None, with it.
        Each stem is looked for with ``str.find`` (in C; a regular expression of them all
        took 2.5 times as long), where it is whole (between line breaks or spaces); the
        verdict then judges the line's own stems, so a piece of a longer stem is never found."""
        lines = "\n" + text + "\n"
        places = []
        for stem in self._stems:
            size = len(stem)
            at = lines.find(stem)
            while at >= 0:
                if lines[at - 1] in "\n " and lines[at + size] in "\n ":
                    places.append(at)
                at = lines.find(stem, at + 1)
        values: dict[int, V] = {}
        judged: set[int] = set()
        line, counted = -1, 0  # the line of ``counted`` (the first line break is added)
        for at in sorted(places):
            line += lines.count("\n", counted, at)
            counted = at
            if line in judged:
                continue
            judged.add(line)
            start = lines.rfind("\n", 0, at) + 1
            stems = tuple(lines[start : lines.find("\n", at)].split(" "))
            value = self._verdict(WordTerms("", stems, False))
            if value is not None:
                values[line] = value
        return values
