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
from bahth.analyzers.tokenizer import ArabicTokenizer

# Bump when any change alters the terms produced for some text, what the index keeps of them
# (3 kept positions in the stemmed text, 4 no longer does), or how its schema is pickled (5:
# the filters moved from the top-level package analyzers to bahth.analyzers, and an index
# names their module; 6: stop words and stems see the final ى or ة as written; 7: declared
# fields, each document's fields kept as given): an index built with another version must
# be rebuilt, and says so.
ANALYZER_VERSION = "7"
STEMMERS = ("light", "snowball", "none")


def arabic_analyzer(
    stem: str = "light", *, normalize: bool = True, stopwords: bool = True
) -> Analyzer:
    """The full pipeline. ``normalize`` and ``stopwords`` exist for ablation benchmarks."""
    analyzer = ArabicTokenizer() | (ArabicNormalizeFilter() if normalize else LowercaseFilter())
    if stopwords:
        analyzer = analyzer | ArabicStopFilter()
    return analyzer | ArabicStemFilter(stem)


def exact_analyzer() -> Analyzer:
    """Normalized words only: every word, as written modulo spelling variants."""
    return ArabicTokenizer() | ArabicNormalizeFilter()


@dataclass(frozen=True)
class AnalysisConfig:
    """Which analysis an index uses. The defaults are bahth's; the rest serve ablations.

    An index records ``as_dict()`` so that queries are analyzed exactly as its documents were.
    """

    stem: str = "light"
    normalize: bool = True
    stopwords: bool = True

    def __post_init__(self) -> None:
        if self.stem not in STEMMERS:
            raise ValueError(f"unknown stemmer {self.stem!r}: use one of {', '.join(STEMMERS)}")

    @property
    def id(self) -> str:
        """e.g. ``bahth-arabic/5 stem=light``: analyzer name, version, and any ablation."""
        parts = [f"bahth-arabic/{ANALYZER_VERSION}", f"stem={self.stem}"]
        parts += [] if self.normalize else ["normalize=off"]
        parts += [] if self.stopwords else ["stopwords=off"]
        return " ".join(parts)

    def stemmed(self) -> Analyzer:
        return arabic_analyzer(self.stem, normalize=self.normalize, stopwords=self.stopwords)

    def exact(self) -> Analyzer:
        return exact_analyzer() if self.normalize else ArabicTokenizer() | LowercaseFilter()

    def as_dict(self) -> dict:
        return {"stem": self.stem, "normalize": self.normalize, "stopwords": self.stopwords}


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
