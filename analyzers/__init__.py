"""Arabic text analysis for bahth: tokenizer, normalizer, stop words and stemmers.

Knows nothing of files, indexes or HTTP. The public entry points are re-exported here.
"""

from analyzers.normalizer import normalize_word
from analyzers.pipeline import (
    ANALYZER_VERSION,
    STEMMERS,
    AnalysisConfig,
    AnalyzedToken,
    analyze,
    analyzer_id,
    arabic_analyzer,
    exact_analyzer,
)

__all__ = [
    "ANALYZER_VERSION",
    "AnalysisConfig",
    "STEMMERS",
    "AnalyzedToken",
    "analyze",
    "analyzer_id",
    "arabic_analyzer",
    "exact_analyzer",
    "normalize_word",
]
