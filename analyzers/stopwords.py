"""Stop words, stored normalized but with their final ى or ة as written, so the stop filter can
run after the normalizer and still tell على (a stop word) from علي (the name Ali).

Arabic: ``arabic_stopwords.txt`` beside this file (see its header for origin and licence).
English: Whoosh's own list, for the Latin words that appear in Arabic news (FBI, CIA, ...).
"""

from functools import cache
from pathlib import Path

from whoosh.analysis import STOP_WORDS as ENGLISH_STOP_WORDS

from bahth.analyzers.letters import ALEF_MAKSURA
from bahth.analyzers.normalizer import as_written, normalize_word, written_ending

_ARABIC_FILE = Path(__file__).with_name("arabic_stopwords.txt")
_CONJUNCTIONS = ("و", "ف")


def _read_words(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@cache
def arabic_stop_words() -> frozenset[str]:
    """The Arabic list, normalized (final ى and ة as written), with the و- and ف- forms of
    each word (وفي, فإن)."""
    base = {_key(word) for word in _read_words(_ARABIC_FILE)}
    with_conjunction = {c + word for word in base for c in _CONJUNCTIONS if len(word) > 1}
    return frozenset(base | with_conjunction)


def _key(word: str) -> str:
    """A listed word normalized, but with its final ى as written (ة folds: no word hides)."""
    ending = written_ending(word)
    return as_written(normalize_word(word), ending if ending == ALEF_MAKSURA else "")


def is_stop_word(word: str, ending: str, stops: frozenset[str]) -> bool:
    """Is the normalized ``word``, written with final ``ending``, one of ``stops``?

    A word written with a final ى is a stop word when the list has it with ى or with ي: much
    Arabic (Egypt's above all) writes every final ي as ى (فى for في, الذى for الذي). A word
    written with a final ي matches only the list's ي spellings: علي is the name Ali, not على.
    """
    return word in stops or (ending == ALEF_MAKSURA and as_written(word, ending) in stops)


@cache
def stop_words() -> frozenset[str]:
    """Every stop word bahth removes: Arabic and English, normalized (see ``as_written``)."""
    return arabic_stop_words() | frozenset(ENGLISH_STOP_WORDS)
