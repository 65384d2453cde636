"""Stop words, stored already normalized so the stop filter can run after the normalizer.

Arabic: ``arabic_stopwords.txt`` beside this file (see its header for origin and licence).
English: Whoosh's own list, for the Latin words that appear in Arabic news (FBI, CIA, ...).
"""

from functools import cache
from pathlib import Path

from whoosh.analysis import STOP_WORDS as ENGLISH_STOP_WORDS

from bahth.analyzers.normalizer import normalize_word

_ARABIC_FILE = Path(__file__).with_name("arabic_stopwords.txt")
_CONJUNCTIONS = ("و", "ف")


def _read_words(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@cache
def arabic_stop_words() -> frozenset[str]:
    """The Arabic list, normalized, with the و- and ف- forms of each word (وفي, فإن)."""
    base = {normalize_word(word) for word in _read_words(_ARABIC_FILE)}
    with_conjunction = {c + word for word in base for c in _CONJUNCTIONS if len(word) > 1}
    return frozenset(base | with_conjunction)


@cache
def stop_words() -> frozenset[str]:
    """Every stop word bahth removes: Arabic and English, in normalized form."""
    return arabic_stop_words() | frozenset(ENGLISH_STOP_WORDS)
