"""Stop words, stored normalized but with their final ى or ة as written, so the stop filter can
run after the normalizer and still tell على (a stop word) from علي (the name Ali).

Arabic: ``arabic_stopwords.txt`` beside this file (see its header for origin and licence).
English: Whoosh's own list, for the Latin words that appear in Arabic news (FBI, CIA, ...).

An index may add words to the list and remove words from it (``AnalysisConfig.stopwords_add``
and ``stopwords_remove``, the settings file's ``[analysis]``). A word given there is keyed as
a listed word is (``stop_word_key``), so its hamza, diacritic and tatweel spellings need no
entry of their own, and it brings its و- and ف- forms, as a listed word does: an added word
is a stop word exactly as a built-in one is, and a removed one stops being one in every form
the list gave it. ``stop_words(add, remove)`` is the one list; the filter asks it, and every
other part of bahth asks the filter's answer (analyzers/words.py).
"""

import re
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path

from whoosh.analysis import STOP_WORDS as ENGLISH_STOP_WORDS

from bahth.analyzers.letters import ALEF_MAKSURA, is_arabic_letter
from bahth.analyzers.normalizer import as_written, normalize_word, written_ending
from bahth.analyzers.tokenizer import WORD_PATTERN

_ARABIC_FILE = Path(__file__).with_name("arabic_stopwords.txt")
_CONJUNCTIONS = ("و", "ف")


def _read_words(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@cache
def arabic_stop_words() -> frozenset[str]:
    """The Arabic list, normalized (final ى and ة as written), with the و- and ف- forms of
    each word (وفي, فإن)."""
    return frozenset(_with_conjunctions({stop_word_key(w) for w in _read_words(_ARABIC_FILE)}))


def _with_conjunctions(keys: Iterable[str]) -> set[str]:
    """Each key, and its و- and ف- forms when it is an Arabic word of two letters or more."""
    keys = set(keys)
    return keys | {
        c + key for key in keys for c in _CONJUNCTIONS if len(key) > 1 and is_arabic_letter(key[0])
    }


def stop_word_key(word: str) -> str:
    """A listed word normalized, but with its final ى as written (ة folds: no word hides)."""
    ending = written_ending(word)
    return as_written(normalize_word(word), ending if ending == ALEF_MAKSURA else "")


_ONE_WORD = re.compile(WORD_PATTERN)


def stop_word_keys(words: Iterable[str], name: str = "stopwords_add") -> tuple[str, ...]:
    """The keys of ``words`` given by a user, sorted, each once. ValueError, naming the
    setting ``name``, for anything but a list of single words (one word a line, as the
    built-in list has them)."""
    if not isinstance(words, (list, tuple, set, frozenset)):
        raise ValueError(f"{name} must be a list of words, not {words!r}")
    keys = set()
    for word in words:
        found = _ONE_WORD.findall(word) if isinstance(word, str) else []
        key = stop_word_key(found[0]) if len(found) == 1 else ""
        if not key:
            raise ValueError(f"{name}: {word!r} is not one word: give each word on its own")
        keys.add(key)
    return tuple(sorted(keys))


def is_stop_word(word: str, ending: str, stops: frozenset[str]) -> bool:
    """Is the normalized ``word``, written with final ``ending``, one of ``stops``?

    A word written with a final ى is a stop word when the list has it with ى or with ي: much
    Arabic (Egypt's above all) writes every final ي as ى (فى for في, الذى for الذي). A word
    written with a final ي matches only the list's ي spellings: علي is the name Ali, not على.
    """
    return word in stops or (ending == ALEF_MAKSURA and as_written(word, ending) in stops)


@lru_cache(maxsize=32)
def stop_words(add: tuple[str, ...] = (), remove: tuple[str, ...] = ()) -> frozenset[str]:
    """Every stop word bahth removes: Arabic and English, normalized (see ``as_written``),
    with the keys ``add`` (and their و-/ف- forms) in and the keys ``remove`` out. A removed
    word takes out each listed spelling it would be matched by (فى: في and فى; علي: only
    علي, so على stays), with their و-/ف- forms."""
    built_in = arabic_stop_words() | frozenset(ENGLISH_STOP_WORDS)
    added = built_in | _with_conjunctions(add)
    gone = {
        key
        for word in remove
        for key in (normalize_word(word), as_written(normalize_word(word), ALEF_MAKSURA))
        if is_stop_word(normalize_word(word), written_ending(word), frozenset({key}))
    }
    return frozenset(added - _with_conjunctions(gone))
