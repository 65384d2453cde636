"""Arabic text analysis for bahth: tokenizer, normalizer, stop words and stemmers.

Knows nothing of files, indexes or HTTP. The public entry points are re-exported here.
"""

from bahth.analyzers import stem_lists
from bahth.analyzers.lexicon import ONE_WAY, check_groups, darija_synonyms, one_way
from bahth.analyzers.normalizer import (
    normalize_digits,
    normalize_word,
    unmarked,
    written_ending,
)
from bahth.analyzers.pipeline import (
    ANALYZER_VERSION,
    STEMMERS,
    AnalysisConfig,
    AnalyzedToken,
    analyze,
    arabic_analyzer,
    exact_analyzer,
)
from bahth.analyzers.scripts import (
    LAYOUT_KEYS,
    arabic_layout,
    arabic_spellings,
    latin_layout,
    latin_word,
    on_latin_keys,
)
from bahth.analyzers.stem_lists import SCAN_WORDS, StemListFinder
from bahth.analyzers.stemmer import ARTICLE, clitic_readings, proclitic_forms, split_article
from bahth.analyzers.tokenizer import MAX_WORD_CHARS, surfaces, too_long
from bahth.analyzers.words import TextWord, WordAnalysis, WordTerms, word_analysis

__all__ = [
    "stem_lists",
    "SCAN_WORDS",
    "StemListFinder",
    "ARTICLE",
    "LAYOUT_KEYS",
    "arabic_layout",
    "arabic_spellings",
    "latin_layout",
    "latin_word",
    "on_latin_keys",
    "split_article",
    "ANALYZER_VERSION",
    "AnalysisConfig",
    "STEMMERS",
    "AnalyzedToken",
    "analyze",
    "check_groups",
    "clitic_readings",
    "darija_synonyms",
    "one_way",
    "ONE_WAY",
    "arabic_analyzer",
    "exact_analyzer",
    "MAX_WORD_CHARS",
    "normalize_digits",
    "normalize_word",
    "proclitic_forms",
    "TextWord",
    "surfaces",
    "too_long",
    "unmarked",
    "written_ending",
    "WordAnalysis",
    "WordTerms",
    "word_analysis",
]
