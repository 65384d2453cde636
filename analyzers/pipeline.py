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

from analyzers.filters import ArabicNormalizeFilter, ArabicStemFilter, ArabicStopFilter
from analyzers.tokenizer import ArabicTokenizer

# Bump when any change alters the terms produced for some text: an index built with another
# version must be rebuilt, and the index tells its user so.
ANALYZER_VERSION = "1"
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


def analyzer_id(stem: str = "light") -> str:
    """A short name recorded with an index: which analysis, which version."""
    return f"bahth-arabic/{ANALYZER_VERSION} stem={stem}"


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
