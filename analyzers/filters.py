"""Whoosh filters for Arabic: each changes a token's text only, never its offsets.

They hold no state but plain attributes, so Whoosh can pickle them into an index's schema;
the word lists and caches they use live in modules, looked up at call time. The normalizer
also sets ``Token.ending`` (the word's final ى or ة as written, see normalizer.py), which the
stop filter and the stemmer read; it is set on every token, so a reused Token never carries
another word's ending.
"""

from collections.abc import Iterator

from whoosh.analysis import Filter, Token

from bahth.analyzers.normalizer import normalize_word, written_ending
from bahth.analyzers.stemmer import stem_piece, stems_for
from bahth.analyzers.stopwords import is_stop_word, stop_words


class ArabicNormalizeFilter(Filter):
    """Normalize each word (see normalizer.py); drop a word with nothing left (only marks)."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            normalized = self.word(t.text)
            if normalized:
                t.text, t.ending = normalized
                yield t

    def word(self, text: str) -> tuple[str, str] | None:
        """One word's (normalized text, its ending as written); None: nothing is left."""
        normalized = normalize_word(text)
        return (normalized, written_ending(text)) if normalized else None


class ArabicStopFilter(Filter):
    """Remove Arabic and English stop words; positions keep their gaps for phrase queries.

    When a caller asks to keep stop words (``removestops=False``) they pass through marked
    ``stopped``, as with Whoosh's own StopFilter. ``add`` and ``remove`` are an index's own
    changes to the list (keys, see stopwords.py): kept as attributes only when given, so the
    filter pickled in an index built before they existed still equals today's default one.
    """

    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()

    def __init__(self, add: tuple[str, ...] = (), remove: tuple[str, ...] = ()) -> None:
        if add:
            self.add = tuple(add)
        if remove:
            self.remove = tuple(remove)

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        stops = stop_words(self.add, self.remove)
        for t in tokens:
            if not is_stop_word(t.text, getattr(t, "ending", ""), stops):
                t.stopped = False
                yield t
            elif not t.removestops:
                t.stopped = True
                yield t

    def stops(self, text: str, ending: str) -> bool:
        """Is one word (normalized, with its ending) a stop word of this filter's list?"""
        return is_stop_word(text, ending, stop_words(self.add, self.remove))


class ArabicStemFilter(Filter):
    """Replace each word by its stem(s); an ambiguous word yields each stem at one position."""

    def __init__(self, kind: str = "light") -> None:
        stems_for("", kind)  # fail early on an unknown stemmer name
        self.kind = kind

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ArabicStemFilter) and other.kind == self.kind

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            if getattr(t, "stopped", False):
                yield t
                continue
            for stem in self.stems(t.text, getattr(t, "ending", "")):
                t.text = stem
                yield t

    def stems(self, text: str, ending: str) -> tuple[str, ...]:
        """One word's stems (normalized, with its ending)."""
        return stems_for(text, self.kind, ending)

    def piece(self, stem: str) -> str | None:
        """What every word with this stem holds, as given to this filter (stemmer.piece)."""
        return stem_piece(stem, self.kind)
