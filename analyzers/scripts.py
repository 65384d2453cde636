"""Arabic written with Latin keys or Latin letters: the readings of a word in the other script.

People who search Arabic news do not always type Arabic letters. Three habits, three readings,
each a rule of the writing, not a list of words (the index's vocabulary decides which reading
is a word: search/scripts.py):

* **The wrong keyboard layout.** Arabic typed while the US layout is active: each key gives
  the Latin character printed on it, so المغرب arrives as ``hglyvf``. ``arabic_layout`` reads
  the keys back through the Arabic (101) layout (shifted keys too: ``H`` is أ, ``K`` the
  Arabic comma); ``latin_layout`` does the reverse for a Latin word typed with the Arabic
  layout active (لخخلمث is ``google``), where لا, one key (b), may also be ل then ا (g h).
* **Arabizi**, Moroccan Darija in Latin letters and digits: the digits stand for the letters
  Latin has none for (3 ع, 7 ح, 9 ق, 2 ء, 5 خ, 8 ه, 6 ط; 3' غ, 7' خ, 9' ض), ``gh`` غ, ``kh``
  خ, ``ch`` ش, ``ou`` و; short vowels mostly left out and long ones written or not; a
  doubled letter is one Arabic letter (its shadda is not written); the article is ``l``,
  ``el``, ``al`` or a doubled sun letter, and Darija's ف/ب/و stick to it.
* **Names as French or English news spells them**: ``ou`` و, ``dj`` ج, ``ch``/``sh`` ش,
  ``th`` ث, a first vowel that is ا or ع, a final ``a`` that is ة or ا, an ``e`` mostly
  unwritten, a ``g`` that Arabic writes غ, ج, ك or ق.

``arabic_spellings`` lists the Arabic-letter spellings a Latin word may stand for, normalized
as the analysis normalizes words (ة ه, ى ي, أ ا), cheapest first: each choice a rule leaves
open costs what makes it less usual (0: as usual as the others; 1, 2: less), and at most
``BEAM`` partial spellings are carried letter to letter, so the work per word is bounded.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bahth.analyzers.normalizer import normalize_word
from bahth.analyzers.stemmer import ARTICLE

# ---- the keyboard ------------------------------------------------------------------------

# The Arabic (101) layout: what each key of a US keyboard types (shifted keys as the US
# layout names them: capitals and symbols).
_UNSHIFTED = dict(zip("`qwertyuiop[]asdfghjkl;'zxcv", "ذضصثقفغعهخحجدشسيبلاتنمكطئءؤر", strict=True))
KEYBOARD: dict[str, str] = {
    **_UNSHIFTED,
    **{"b": "لا", "n": "ى", "m": "ة", ",": "و", ".": "ز", "/": "ظ"},
    **{"Q": "\u064e", "W": "\u064b", "E": "\u064f", "R": "\u064c", "A": "\u0650"},
    **{"S": "\u064d", "X": "\u0652", "~": "\u0651", "J": "\u0640"},  # marks, tatweel
    **{"T": "لإ", "Y": "إ", "G": "لأ", "H": "أ", "B": "لآ", "N": "آ"},
    **{"K": "،", "P": "؛", "?": "؟", "U": "\u2018", "I": "÷", "O": "×"},
    **{"D": "]", "F": "[", "L": "/", "Z": "~", "C": "}", "V": "{", "M": "'"},
    **{"<": ",", ">": "."},  # the comma and the full stop are shifted there
}
LAYOUT_KEYS = frozenset(KEYBOARD)  # the characters a reading on the Arabic layout reads
# The Arabic letters a Latin letter key types (what a Latin word typed on the Arabic layout
# is made of): لا is b, or g then h.
_LETTER_KEYS = {
    arabic: key for key, arabic in KEYBOARD.items() if "a" <= key <= "z" and len(arabic) == 1
}


def arabic_layout(text: str) -> str:
    """``text`` as its keys type on the Arabic (101) layout (characters of no key as they
    are): ``hglyvf`` → المغرب."""
    return "".join(KEYBOARD.get(ch, ch) for ch in text)


def on_latin_keys(text: str) -> bool:
    """Could ``text`` be Arabic typed on the US layout: a Latin letter, and every character
    one of the layout's keys (or a digit, which both layouts type alike)?"""
    return any("a" <= ch.lower() <= "z" for ch in text) and all(
        ch in KEYBOARD or ch.isdigit() for ch in text
    )


def latin_layout(word: str, limit: int = 4) -> list[str]:
    """The Latin words whose keys type ``word`` on the Arabic layout (لخخلمث → google), at
    most ``limit``; none when a character of ``word`` is no Latin letter's key, or when no
    reading looks like a Latin word (``looks_latin``)."""
    readings = [""]
    i = 0
    while i < len(word):
        if word.startswith("لا", i):
            readings = [r + key for r in readings for key in ("b", "gh")][:limit]
            i += 2
            continue
        key = _LETTER_KEYS.get(word[i])
        if key is None:
            return []
        readings = [r + key for r in readings]
        i += 1
    return [reading for reading in readings if looks_latin(reading)]


LATIN_VOWELS = frozenset("aeiouy")
MIN_VOWEL_SHARE = 0.25  # of a Latin word's letters (google .5, facebook .5, twitter .29)


def looks_latin(word: str) -> bool:
    """Could ``word``, the Latin reading of an Arabic word, be a Latin word: four letters or
    more, a quarter of them vowels, not starting hg (ال, the Arabic article)? Most Arabic
    words fail (3.5% of MArSum's headline words pass), so few cost a look in the index."""
    vowels = sum(ch in LATIN_VOWELS for ch in word)
    return len(word) >= 4 and vowels >= MIN_VOWEL_SHARE * len(word) and not word.startswith("hg")


# ---- Latin letters -----------------------------------------------------------------------

Options = tuple[tuple[str, int], ...]  # (Arabic letters, cost)

CONSONANTS: dict[str, Options] = {
    "b": (("ب", 0),),
    "p": (("ب", 0),),
    "v": (("ف", 0),),
    "f": (("ف", 0),),
    "ph": (("ف", 0),),
    "t": (("ت", 0), ("ط", 1)),
    "th": (("ث", 0), ("ت", 1)),
    "d": (("د", 0), ("ض", 1), ("ظ", 2)),  # French d for ظ too: Nador الناظور
    "dh": (("ذ", 0), ("ض", 1), ("د", 1)),
    "dj": (("ج", 0),),
    "j": (("ج", 0),),
    "g": (("غ", 0), ("ج", 0), ("ك", 1), ("ق", 1), ("ڭ", 1)),
    "gu": (("ك", 1), ("غ", 1), ("ڭ", 1)),  # French: the u only hardens the g
    "gh": (("غ", 0),),
    "h": (("ه", 0), ("ح", 0), ("", 2)),  # English and French write some h they do not say
    "kh": (("خ", 0),),
    "k": (("ك", 0), ("ق", 1)),
    "ck": (("ك", 0),),
    "q": (("ق", 0), ("ك", 1)),
    "qu": (("ق", 1), ("ك", 1)),
    "c": (("ك", 0), ("س", 1)),
    "ch": (("ش", 0),),
    "sh": (("ش", 0),),
    "tch": (("تش", 0),),
    "x": (("كس", 0), ("ش", 1)),  # Moroccan chat writes ش as x too: xno شنو
    "z": (("ز", 0), ("ظ", 1)),
    "s": (("س", 0), ("ص", 1), ("ز", 2)),
    "r": (("ر", 0),),
    "l": (("ل", 0),),
    "m": (("م", 0),),
    "n": (("ن", 0),),
    "w": (("و", 0),),
    "y": (("ي", 0),),
    # Arabizi's digits
    "2": (("ء", 0), ("أ", 0)),
    "3": (("ع", 0),),
    "3'": (("غ", 0),),
    "5": (("خ", 0),),
    "6": (("ط", 0),),
    "7": (("ح", 0),),
    "7'": (("خ", 0),),
    "8": (("ه", 0),),
    "9": (("ق", 0),),
    "9'": (("ض", 0),),
}
# Vowels inside a word: short ones are not written, long ones are.
MEDIAL: dict[str, Options] = {
    "a": (("", 0), ("ا", 0), ("ي", 2)),  # English a as in face: فيس
    "e": (("", 0), ("ي", 1), ("ا", 2)),  # French è: Meknès مكناس
    "é": (("ي", 0), ("", 0)),
    "è": (("ي", 0), ("", 0)),
    "i": (("ي", 0), ("", 0), ("اي", 2)),  # English i: Biden بايدن
    "o": (("و", 0), ("", 1)),
    "u": (("و", 0), ("", 1), ("ا", 2)),  # English u: Trump ترامب
    "ou": (("و", 0),),
    "oo": (("و", 0),),
    "ee": (("ي", 0),),
    "ai": (("ي", 0), ("اي", 0)),
    "ay": (("اي", 0), ("ي", 1)),
    "ei": (("ي", 0),),
    "ey": (("ي", 0),),
    "aa": (("ا", 0), ("اع", 1)),
}
# A first vowel: an alef (with its hamza, which the analysis folds) or an ع.
INITIAL: dict[str, Options] = {
    "a": (("ا", 0), ("ع", 0)),
    "e": (("ا", 0), ("ع", 1)),
    "é": (("ا", 0),),
    "i": (("ا", 0), ("اي", 1), ("ع", 1)),
    "o": (("ا", 0), ("ع", 0), ("او", 1)),
    "u": (("ا", 0), ("ع", 1), ("او", 1)),
    "ou": (("و", 0), ("ا", 1), ("او", 1)),
    "ai": (("اي", 0), ("عي", 1)),
    "ay": (("اي", 0), ("عي", 1)),
}
# A last vowel: a final a is ة, ا or ى; a French final e is silent.
FINAL: dict[str, Options] = {
    "a": (("ة", 0), ("ا", 0), ("ى", 1), ("", 2)),
    "e": (("", 0), ("ي", 1), ("ة", 1)),
    "é": (("ي", 0),),
    "i": (("ي", 0),),
    "o": (("و", 0),),
    "u": (("و", 0),),
    "ou": (("و", 0),),
    "ee": (("ي", 0),),
    "ai": (("ي", 0), ("اي", 0)),
    "ay": (("اي", 0), ("ي", 0)),
    "ei": (("ي", 0),),
    "ey": (("ي", 0),),
    "aa": (("اء", 0), ("ا", 0)),
}
VOWELS = frozenset("aeiouéè")
CLITICS = {"f": "ف", "b": "ب", "w": "و"}  # Darija's في, ب and و, written onto the article
HIATUS = ("ع", 1)  # a vowel after a vowel: an ع between them (Ismail إسماعيل, Saad سعد)
DOUBLED_TWICE = 2  # a doubled Latin letter read as two Arabic ones: rare
SPLIT_COST = 2  # reading a digraph as two letters (th as ت then ه): unusual
MAX_COST = 4  # a spelling that needs more unusual readings than this is not looked for
BEAM = 100  # partial spellings carried from one letter to the next, the cheapest
MAX_LATIN = 24  # letters: a longer "word" is no name or Darija word
MIN_LATIN = 3  # a shorter one (un, la) reads as too many Arabic words to tell
_LATIN_WORD = re.compile(r"^[a-zéè0-9'’-]+$")
_LONGEST = max(map(len, (*CONSONANTS, *MEDIAL)))


def latin_word(text: str) -> bool:
    """Is ``text`` one word in Latin letters (digits, hyphens, apostrophes allowed), of
    MIN_LATIN to MAX_LATIN characters?"""
    lowered = text.lower()
    return (
        len(lowered) <= MAX_LATIN
        and bool(_LATIN_WORD.match(lowered))
        and sum(ch.isalpha() for ch in lowered) >= 2
        and len(lowered) >= MIN_LATIN
    )


@lru_cache(maxsize=8192)
def arabic_spellings(word: str, limit: int = 200) -> tuple[tuple[str, int], ...]:
    """The Arabic-letter spellings (normalized terms) that the Latin ``word`` may stand for,
    with their cost, cheapest first, at most ``limit`` (see the module's docstring)."""
    text = word.lower().replace("’", "'")
    if not latin_word(text):
        return ()
    text = re.sub(r"'(?<![3796]')", "", text)  # an apostrophe marks a digit's dotted twin
    starts = _article_starts(text)
    text = text.replace("-", "")
    found: dict[str, int] = {}
    for out, cost in _spell(text, starts):
        normal = " ".join(normalize_word(part) for part in out.split())
        if len(normal) >= 2 and cost < found.get(normal, 1_000):
            found[normal] = cost
    ranked = sorted(found.items(), key=lambda pair: (pair[1], pair[0]))
    return tuple(ranked[:limit])


def _article_starts(text: str) -> list[tuple[int, str, int]]:
    """Where the word proper may start after an article: (position in ``text`` without its
    hyphens, the Arabic it starts with, cost). Position 0 with nothing: no article."""
    bare = text.replace("-", "")
    if len(bare) <= 3:
        return [(0, "", 0)]
    return [(0, "", 0), *(start for rule in START_RULES for start in rule(text, bare))]


def _written_article(text: str, bare: str) -> list[tuple[int, str, int]]:
    """el-, al-, or Darija's l before a consonant (lmghrib المغرب); in French spellings of
    Moroccan names, la or le before a consonant too (Lahlimi الحليمي)."""
    head = re.match(r"^(el|al|l)-?", text)
    starts = []
    if head and not (head.group(1) == "l" and bare[1] in VOWELS):
        starts.append((len(head.group(0).replace("-", "")), ARTICLE, 0))
    if re.match(r"^l[ae][^aeiouy]", bare):
        starts.append((2, ARTICLE, 1))
    return starts


def _sun_letter(text: str, bare: str) -> list[tuple[int, str, int]]:
    """A vowel, then a doubled sun letter: the article, assimilated (Essaouira الصويرة)."""
    if bare[0] in "ae" and bare[1] == bare[2] and bare[1] not in VOWELS:
        return [(1, ARTICLE, 0)]
    return []


def _doubled_first(text: str, bare: str) -> list[tuple[int, str, int]]:
    """A doubled first consonant: Darija's article, assimilated (ddar الدار, chchams
    الشمس)."""
    if bare[0] == bare[1] and bare[0].isalpha() and bare[0] not in VOWELS:
        return [(0, ARTICLE, 0)]
    if len(bare) > 4 and bare[:2] == bare[2:4] and bare[:2] in CONSONANTS:
        return [(2, ARTICLE, 0)]  # a digraph doubled: the second one is the letter
    return []


def _abd(text: str, bare: str) -> list[tuple[int, str, int]]:
    """Abd and the article, written as one Latin word: two Arabic ones (Abdellatif عبد
    اللطيف, Abderrahim عبد الرحيم)."""
    abd = re.match(r"^abd[aeiou]?(l|([rsnztd])(?=\2))", bare)
    if abd and len(bare) > abd.end() + 1:
        return [(abd.end(), f"عبد {ARTICLE}", 0)]
    return []


def _clitic_article(text: str, bare: str) -> list[tuple[int, str, int]]:
    """Darija's ف/ب/و on the article (flmghrib فالمغرب), or left out (المغرب)."""
    clitic = CLITICS.get(bare[0])
    if clitic and bare[1] == "l" and len(bare) > 4 and bare[2] not in VOWELS:
        return [(2, clitic + ARTICLE, 1), (2, ARTICLE, 1)]
    return []


START_RULES = (_written_article, _sun_letter, _doubled_first, _abd, _clitic_article)


def _spell(text: str, starts: list[tuple[int, str, int]]) -> list[tuple[str, int]]:
    """Every spelling of ``text`` the rules give, from each start, carrying the BEAM cheapest
    partial spellings from one position to the next."""
    n = len(text)
    # at each position: {(spelling so far, last unit was a vowel, at the word's start): cost}
    layers: list[dict[tuple[str, bool, bool], int]] = [{} for _ in range(n + 1)]
    for position, prefix, cost in starts:
        layers[position][(prefix, False, True)] = cost
    for pos in range(n):
        layer = layers[pos]
        if not layer:
            continue
        kept = sorted(layer.items(), key=lambda item: item[1])[:BEAM]
        for (out, after_vowel, initial), cost in kept:
            for size, letters, extra, vowel in _units(text, pos, initial, after_vowel):
                state = (out + letters, vowel, False)
                total = cost + extra
                if total > MAX_COST:
                    continue
                target = layers[pos + size]
                if total < target.get(state, 1_000):
                    target[state] = total
    return [(out, cost) for (out, _, _), cost in layers[n].items()]


def _units(text: str, pos: int, initial: bool, after_vowel: bool):
    """The readings of the letters at ``pos``: (letters read, Arabic, cost, a vowel?)."""
    n = len(text)
    longest = 0
    for size in range(min(_LONGEST, n - pos), 0, -1):
        seq = text[pos : pos + size]
        split = SPLIT_COST if size < longest else 0
        if seq in CONSONANTS:
            longest = max(longest, size)
            doubled = size == 1 and text[pos + 1 : pos + 2] == seq and not seq.isdigit()
            for arabic, cost in CONSONANTS[seq]:
                yield size, arabic, cost + split + DOUBLED_TWICE * doubled, False
                if doubled:  # a doubled letter: one Arabic letter, with a shadda unwritten
                    yield 2, arabic, cost, False
        elif seq in MEDIAL or seq in INITIAL or seq in FINAL:
            longest = max(longest, size)
            final = pos + size == n
            table = FINAL if final else INITIAL if initial else MEDIAL
            for arabic, cost in table.get(seq, MEDIAL.get(seq, ())):
                yield size, arabic, cost + split, True
                if after_vowel and not initial:
                    yield size, HIATUS[0] + arabic, cost + split + HIATUS[1], True
