"""The analyzers bahth indexes and searches with, built in one place.

Order, and why:
  tokenizer   offsets into the original text; nothing after it may move them
  normalize   per word, so spelling variants meet before any list is consulted
  stop words  the list is stored normalized, so it must run after normalize
  stem        last: stemming a stop word would be wasted work, and stems of unnormalized
              spellings would not meet

``arabic_analyzer()`` is used for both indexing and querying; ``exact_analyzer()`` stops
after normalization (no stop words, no stems) for exact-form ranking, phrases and prefixes.
"""

from dataclasses import dataclass

from whoosh.analysis import Analyzer, LowercaseFilter

from bahth.analyzers.filters import ArabicNormalizeFilter, ArabicStemFilter, ArabicStopFilter
from bahth.analyzers.stopwords import stop_word_keys
from bahth.analyzers.tokenizer import ArabicTokenizer

# Bump when any change alters the terms produced for some text, what the index keeps of them
# (3 kept positions in the stemmed text, 4 no longer does), or how its schema is pickled (5:
# the filters moved from the top-level package analyzers to bahth.analyzers, and an index
# names their module; 6: stop words and stems see the final ى or ة as written; 7: declared
# fields, each document's fields kept as given; 8: the light stemmer strips a final tanween
# ا and a verb's وا, and strips suffixes until none applies; 9: Darija stop words; 10: a
# dagger alef is the alef standard spelling writes; 11: a word longer than MAX_WORD_CHARS
# has no term, and every format character (Cf: the soft hyphen, Arabic number signs, tags)
# stays inside its word and out of its term): an index built with another version must be
# rebuilt, and says so.
ANALYZER_VERSION = "11"
STEMMERS = ("light", "snowball", "none")
ID_WORDS = 5  # stop words added or removed that an analysis id names before "+N more"


def arabic_analyzer(
    stem: str = "light",
    *,
    normalize: bool = True,
    stopwords: bool = True,
    stopwords_add: tuple[str, ...] = (),
    stopwords_remove: tuple[str, ...] = (),
) -> Analyzer:
    """The full pipeline. ``normalize`` and ``stopwords`` exist for ablation benchmarks;
    ``stopwords_add`` and ``stopwords_remove`` are keys (stopwords.stop_word_keys)."""
    analyzer = ArabicTokenizer() | (ArabicNormalizeFilter() if normalize else LowercaseFilter())
    if stopwords:
        analyzer = analyzer | ArabicStopFilter(stopwords_add, stopwords_remove)
    return analyzer | ArabicStemFilter(stem)


def exact_analyzer() -> Analyzer:
    """Normalized words only: every word, as written modulo spelling variants."""
    return ArabicTokenizer() | ArabicNormalizeFilter()


@dataclass(frozen=True)
class AnalysisConfig:
    """Which analysis an index uses. The defaults are bahth's; ``normalize`` and
    ``stopwords`` serve ablations; ``stopwords_add`` and ``stopwords_remove`` are an index's
    own changes to the stop list (words as people write them: each is kept as its key, see
    analyzers/stopwords.py, so إلى and الى are one entry; a word both added and removed is
    removed).

    An index records ``as_dict()`` so that queries are analyzed exactly as its documents were.
    """

    stem: str = "light"
    normalize: bool = True
    stopwords: bool = True
    stopwords_add: tuple[str, ...] = ()
    stopwords_remove: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.stem not in STEMMERS:
            raise ValueError(f"unknown stemmer {self.stem!r}: use one of {', '.join(STEMMERS)}")
        for name in ("stopwords_add", "stopwords_remove"):
            object.__setattr__(self, name, stop_word_keys(getattr(self, name), name))

    @property
    def id(self) -> str:
        """e.g. ``bahth-arabic/6 stem=light``: analyzer name, version, any ablation, and the
        stop words added or removed (the first few, and how many more)."""
        parts = [f"bahth-arabic/{ANALYZER_VERSION}", f"stem={self.stem}"]
        parts += [] if self.normalize else ["normalize=off"]
        parts += [] if self.stopwords else ["stopwords=off"]
        for name, words in (("+", self.stopwords_add), ("-", self.stopwords_remove)):
            if words:
                more = f",…(+{len(words) - ID_WORDS})" if len(words) > ID_WORDS else ""
                parts.append(f"stopwords{name}={','.join(words[:ID_WORDS])}{more}")
        return " ".join(parts)

    def stemmed(self) -> Analyzer:
        return arabic_analyzer(
            self.stem,
            normalize=self.normalize,
            stopwords=self.stopwords,
            stopwords_add=self.stopwords_add,
            stopwords_remove=self.stopwords_remove,
        )

    def exact(self) -> Analyzer:
        return exact_analyzer() if self.normalize else ArabicTokenizer() | LowercaseFilter()

    def as_dict(self) -> dict:
        """The record an index keeps. The stop-word changes appear only when there are
        some, so an index without them records what indexes did before they existed."""
        record: dict = {"stem": self.stem, "normalize": self.normalize, "stopwords": self.stopwords}
        if self.stopwords_add:
            record["stopwords_add"] = list(self.stopwords_add)
        if self.stopwords_remove:
            record["stopwords_remove"] = list(self.stopwords_remove)
        return record


@dataclass(frozen=True)
class AnalyzedToken:
    """One indexed term and the exact span of the original text it came from."""

    term: str
    surface: str
    start: int
    end: int
    position: int


def analyze(text: str, stem: str = "light") -> list[AnalyzedToken]:
    """Run the full pipeline over ``text`` and return what would be indexed."""
    return [
        AnalyzedToken(t.text, text[t.startchar : t.endchar], t.startchar, t.endchar, t.pos)
        for t in arabic_analyzer(stem)(text, positions=True, chars=True)
    ]
