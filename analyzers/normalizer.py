"""Normalize one word so the spellings people really use for it meet.

Runs per token, after the tokenizer, so it may change a word's length freely: offsets were
already taken from the original text. The steps, in order:

1. Unicode compatibility (NFKC): presentation forms and ligatures (ﻻ → لا, ﻷ → لأ) become
   plain letters, and a letter plus a combining hamza (ا + ٔ) composes into one letter, so
   step 2 sees a single spelling of each.
2. One translation table: remove diacritics, Quranic marks, tatweel and format characters
   (zero-width and bidi controls, the soft hyphen: letters.FORMAT); fold alef forms
   (أ إ آ ٱ) to ا, ى to ي, ة to ه, hamza on a seat (ؤ ئ) to ء, Persian/Urdu letters to
   Arabic, Arabic-Indic and Persian digits to ASCII.
3. Case-fold, for Latin words.

Before step 2, a word with a superscript (dagger) alef, as Quranic (Uthmani) text writes a
long ā, gets it as the letter standard spelling writes (``_dagger_alef``): ٱلْكِتَٰبُ is
الكتاب (dropping the mark made it الكتب, "books"), ٱلصَّٰلِحَٰتِ الصالحات, ٱلْعَٰلَمِينَ
العالمين, إِبْرَٰهِيمَ إبراهيم, and a waw carrying it before ة or ا is that alef (ٱلصَّلَوٰةِ
الصلاة, ٱلرِّبَوٰا۟ الربا). A few words are written without the alef in standard spelling too
(هٰذا, ذٰلك, لٰكن, هٰؤلاء, أولٰئك, إلٰه, الرحمٰن): for them the mark is dropped. And where
standard spelling writes آ at the start of a word, Uthmani text writes ء then ا (ءَامَنُوا۟,
ٱلْءَاخِرَةِ, وَءَاتَوُا۟): after the fold, that ءا is the ا آ folds to (``_HAMZA_ALEF``). Only
there: inside a word ءا is standard spelling's own (إجراءات, قراءات), and at its end a
tanween (شيئا).

Folding ى into ي and ة into ه lets spelling variants meet, but it hides what the word ended
with, which the stop list and the stemmers need: علي (the name Ali) is not the preposition على,
and a final ى is never the pronoun ي (موسى, مصطفى, ليلى are not "my ..."). So ``written_ending``
says which of the two letters a word ended with as written, and the filters carry it beside
the folded text (``Token.ending``).
"""

import re
import unicodedata
from functools import lru_cache

from bahth.analyzers import letters

# Words each word function below (and the stemmers') keeps answers for. Small on purpose:
# WordAnalysis (analyzers/words.py) keeps what every word becomes for all its callers, so a
# bigger cache here would hold each word a second time (it once held 300,000: 60 MB).
WORD_FUNCTION_CACHE = 16_384

_FOLD: dict[int, str | None] = {}
for _ch in letters.DIACRITICS | letters.QURANIC_MARKS | letters.FORMAT | {letters.TATWEEL}:
    _FOLD[ord(_ch)] = None
for _ch in letters.ALEF_FORMS:
    _FOLD[ord(_ch)] = letters.ALEF
for _ch in letters.HAMZA_ON_SEAT:
    _FOLD[ord(_ch)] = letters.HAMZA
for _src, _dst in letters.PERSIAN_TO_ARABIC.items():
    _FOLD[ord(_src)] = _dst
for _digits in (letters.ARABIC_INDIC_DIGITS, letters.PERSIAN_DIGITS):
    for _value, _ch in enumerate(_digits):
        _FOLD[ord(_ch)] = str(_value)
_FOLD[ord(letters.ALEF_MAKSURA)] = letters.YEH
_FOLD[ord(letters.TEH_MARBUTA)] = letters.HEH
_FOLD[ord("\u066b")] = "."  # Arabic decimal separator
_FOLD[ord("\u066c")] = ","  # Arabic thousands separator
# NFKC may expand one ligature into several words (ﷺ); inside one token they stay one term.
_FOLD[ord(" ")] = None


# The letters whose fold hides something: what a word ends with, as written.
FOLDED_ENDINGS = (letters.ALEF_MAKSURA, letters.TEH_MARBUTA)
_MARKS: dict[int, None] = {
    ord(ch): None
    for ch in letters.DIACRITICS | letters.QURANIC_MARKS | letters.FORMAT | {letters.TATWEEL}
}


def unmarked(word: str) -> str:
    """``word`` as written, without what normalization removes from every word: diacritics,
    Quranic marks, tatweel and format characters. Its letters stay as written (أحمد stays
    أحمد): how a word is shown back to a user (a suggestion), invisible characters aside.

    >>> unmarked("العامُ\u202c")
    'العام'
    """
    return word.translate(_MARKS)


@lru_cache(maxsize=WORD_FUNCTION_CACHE)
def written_ending(word: str) -> str:
    """ى or ة when ``word`` ends with it as written (marks aside), else ''.

    >>> written_ending("موسى"), written_ending("مدرسةٌ"), written_ending("في")
    ('ى', 'ة', '')
    """
    if word.isascii():
        return ""
    last = unicodedata.normalize("NFKC", word).translate(_MARKS)[-1:]
    return last if last in FOLDED_ENDINGS else ""


def as_written(normalized: str, ending: str) -> str:
    """The normalized word with its written final ى or ة put back: how the stop list and the
    stemmers tell على from علي and موسى from a word with the pronoun ي."""
    return normalized[:-1] + ending if ending and normalized else normalized


DAGGER_ALEF = "\u0670"
# Words standard spelling writes without the ā a dagger alef marks, as normalized and
# without proclitics; إله and لكن also with a pronoun suffix (إلهكم, لكنهم).
_NO_ALEF = frozenset(
    "هذا هذه هذان هذين ذلك ذلكم ذلكما ذلكن هءلاء اولءك اولءكم الرحمن الله اللهم طه".split()
)
_NO_ALEF_STEMS = ("اله", "لكن")
_NO_ALEF_SUFFIXES = ("", "ا", "ه", "ها", "هم", "هما", "ك", "كم", "كما", "نا", "ني", "ي", "ين")
_MARKS_BUT_DAGGER: dict[int, None] = {
    ord(ch): None
    for ch in (letters.DIACRITICS - {DAGGER_ALEF}) | letters.QURANIC_MARKS | {letters.TATWEEL}
}


def _dagger_alef(word: str) -> str:
    """``word`` (NFKC) with each dagger alef as standard spelling writes its ā (see the
    module's docstring); the other marks are left for the fold."""
    bare = word.translate(_MARKS_BUT_DAGGER)
    dropped = bare.replace(DAGGER_ALEF, "").translate(_FOLD)
    if _standard_omits_alef(dropped):
        return bare.replace(DAGGER_ALEF, "")
    # a waw that carries the ā before ة or ا is that alef (الصلوٰة, الربوٰا)
    bare = bare.replace("و" + DAGGER_ALEF + letters.ALEF, letters.ALEF)
    bare = bare.replace("و" + DAGGER_ALEF + letters.TEH_MARBUTA, letters.ALEF + letters.TEH_MARBUTA)
    out = []
    for ch in bare:
        if ch != DAGGER_ALEF:
            out.append(ch)
        elif out and out[-1] not in (letters.ALEF, letters.ALEF_MAKSURA):  # موسىٰ: ى is the ā
            out.append(letters.ALEF)
    return "".join(out)


def _standard_omits_alef(folded: str) -> bool:
    """Is ``folded`` (the word without its dagger alefs, normalized) one of the words whose
    standard spelling has no alef for it, with or without a proclitic (ولكن, بهذا, فإلهكم)?"""
    readings = [folded]
    for clitic in ("و", "ف", "ب", "ل", "ك"):
        readings += [r[1:] for r in readings if r.startswith(clitic) and len(r) > 3]
    return any(
        r in _NO_ALEF
        or any(
            r.startswith(stem) and r[len(stem) :] in _NO_ALEF_SUFFIXES for stem in _NO_ALEF_STEMS
        )
        for r in readings
    )


# ء + ا at a word's start, after any proclitics and article: Uthmani spelling's آ
HAMZA_ALEF = letters.HAMZA + letters.ALEF  # ءا: Uthmani spelling's initial آ, once folded
_HAMZA_ALEF = re.compile(f"^([وفبلك]{{0,2}}(?:ال)?){HAMZA_ALEF}(?=.)")


@lru_cache(maxsize=WORD_FUNCTION_CACHE)
def normalize_word(word: str) -> str:
    """Return the normalized form of one word; '' when nothing indexable is left.

    >>> normalize_word("أَحْمَد")
    'احمد'
    >>> normalize_word("مسئولية") == normalize_word("مسؤولية")
    True
    """
    if word.isascii():
        return word.lower()
    word = unicodedata.normalize("NFKC", word)
    if DAGGER_ALEF in word:
        word = _dagger_alef(word)
    word = word.translate(_FOLD)
    if letters.HAMZA in word:
        word = _HAMZA_ALEF.sub(r"\1" + letters.ALEF, word)
    return word.casefold()


def normalize_lines(text: str) -> str:
    """Each line of ``text`` (one word a line) as normalize_word gives it, in three passes
    over the whole text instead of a call a word: for a sieve over many words at once
    (one_word.py). Two rules look at a word as a whole and are not taken here: a line with a
    dagger alef, or with ءا once folded, may differ from normalize_word's."""
    return unicodedata.normalize("NFKC", text).translate(_FOLD).casefold()


def normalize_digits(text: str) -> str:
    """``text`` with each character normalized on its own, and kept where normalization
    would drop it: digits of any script (Arabic-Indic, Persian, full-width) become ASCII, and
    nothing is removed or joined, so ``"٢٠١٥"`` reads as ``"2015"`` and ``"١ ٢"`` stays two
    numbers. For values that must be numbers (a year filter, a page number).

    >>> normalize_digits("٢٠١٥"), normalize_digits("۲۰۱۵")
    ('2015', '2015')
    """
    return "".join(normalize_word(ch) or ch for ch in text)
