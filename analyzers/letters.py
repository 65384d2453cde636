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


def _code_points(spans: str) -> frozenset[str]:
    """The characters of ``spans``: code points in hex, alone or as first-last ranges."""
    chars: set[str] = set()
    for span in spans.split():
        first, _, last = span.partition("-")
        chars.update(map(chr, range(int(first, 16), int(last or first, 16) + 1)))
    return frozenset(chars)


# Format characters (Unicode's category Cf): invisible, they steer how text is shown and never
# change what a word means. Bidi controls (U+202A..U+202E, U+2066..U+2069, LRM, RLM, ALM),
# zero-width space, joiner, non-joiner and word joiner, the byte-order mark, the soft hyphen,
# Arabic number signs and the end of ayah, tag characters, and the rest. Listed as Unicode 14
# (Python 3.11) has them, by range: deriving them at import would read all of Unicode
# (tests/test_normalizer.py checks the list against unicodedata).
FORMAT = _code_points(
    "00AD 0600-0605 061C 06DD 070F 0890-0891 08E2 180E 200B-200F 202A-202E 2060-2064 2066-206F"
    " FEFF FFF9-FFFB 110BD 110CD 13430-13438 1BCA0-1BCA3 1D173-1D17A E0001 E0020-E007F"
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

# Characters that may sit inside a word without breaking it (the tokenizer keeps them in the
# surface form; the normalizer removes them from the term).
IN_WORD_MARKS = "".join(sorted(DIACRITICS | QURANIC_MARKS | FORMAT | {TATWEEL}))


def is_arabic_letter(ch: str) -> bool:
    """True for a letter of the Arabic block (not a digit, mark or punctuation)."""
    return "\u0621" <= ch <= "\u064a" or "\u0671" <= ch <= "\u06d3"
