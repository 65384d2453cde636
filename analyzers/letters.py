"""Named character classes for Arabic analysis, built from pyarabic's constants.

Grouped by what the analysis does with them, so each rule elsewhere reads as one line.
"""

from pyarabic import araby

# Marks that ride on a letter: harakat, shadda, sukun, tanween (U+064B..U+065F) and the
# superscript (dagger) alef U+0670. pyarabic's TASHKEEL covers the common ones; the range
# adds the rarer marks (U+0653..U+065F: madda above, hamza above/below, ...).
DIACRITICS = frozenset(araby.TASHKEEL) | {chr(c) for c in range(0x064B, 0x0660)} | {araby.MINI_ALEF}
# Quranic annotation signs written above or below letters (U+06D6..U+06ED).
QURANIC_MARKS = frozenset(chr(c) for c in range(0x06D6, 0x06EE)) - {"\u06de", "\u06e9"}
TATWEEL = araby.TATWEEL
# Zero-width joiners/non-joiners and bidi controls: invisible, never part of a word's meaning.
INVISIBLE = frozenset(
    ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u061c", "\ufeff", "\u2060"]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
)

# Every alef that carries or implies a hamza or wasla folds to bare alef (as Lucene does).
ALEF_FORMS = frozenset(
    [araby.ALEF_HAMZA_ABOVE, araby.ALEF_HAMZA_BELOW, araby.ALEF_MADDA, araby.ALEF_WASLA]
    + ["\u0672", "\u0673", "\u0675"]
)
# Hamza on waw or yeh: the seat depends on spelling conventions (مسؤول / مسئول), so both
# fold to the bare hamza. Bare hamza stays, so words differing only by a hamza stay apart.
HAMZA_ON_SEAT = frozenset([araby.WAW_HAMZA, araby.YEH_HAMZA])

ARABIC_INDIC_DIGITS = "".join(chr(c) for c in range(0x0660, 0x066A))
PERSIAN_DIGITS = "".join(chr(c) for c in range(0x06F0, 0x06FA))

# Persian/Urdu letters that stand for an Arabic one in Arabic text.
PERSIAN_TO_ARABIC = {
    "\u06a9": araby.KAF,  # ک keheh
    "\u06aa": araby.KAF,  # ڪ swash kaf
    "\u06cc": araby.YEH,  # ی farsi yeh
    "\u06d2": araby.YEH,  # ے yeh barree
    "\u06c0": araby.HEH,  # ۀ heh with yeh above
    "\u06c1": araby.HEH,  # ہ heh goal
    "\u06c2": araby.HEH,  # ۂ
    "\u06d5": araby.HEH,  # ە ae
    "\u06be": araby.HEH,  # ھ heh doachashmee
}

ALEF = araby.ALEF
HAMZA = araby.HAMZA
YEH = araby.YEH
HEH = araby.HEH
WAW = araby.WAW
ALEF_MAKSURA = araby.ALEF_MAKSURA
TEH_MARBUTA = araby.TEH_MARBUTA

# Characters that may sit inside an Arabic word without breaking it (the tokenizer keeps
# them in the surface form; the normalizer removes them from the term).
IN_WORD_MARKS = "".join(sorted(DIACRITICS | QURANIC_MARKS | INVISIBLE | {TATWEEL}))


def is_arabic_letter(ch: str) -> bool:
    """True for a letter of the Arabic block (not a digit, mark or punctuation)."""
    return "\u0621" <= ch <= "\u064a" or "\u0671" <= ch <= "\u06d3"
