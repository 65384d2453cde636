"""Split text into words whose offsets point into the ORIGINAL text.

Three kinds of token:

* an Arabic word: Arabic letters (and presentation forms) that may carry, inside or after
  them, the marks Arabic writes on letters: harakat, superscript alef, Quranic marks,
  tatweel, and format characters (zero-width joiners, bidi controls, the soft hyphen:
  letters.FORMAT);
* a number: digits in any script, with decimal or thousands separators inside (3.5, ٣٫٥);
* any other word: letters and digits of other scripts (FBI, COVID19), with the same marks.

So ``text[start:end]`` is the word exactly as written, vocalized or stretched, which is what
the highlighter must mark. Arabic letters and digits do not join (و14 is و and 14).
Everything else (spaces, ، ؛ ؟ « » “ ” and symbols) separates words.

Only the tokenizer sets offsets; the filters after it change a token's text only. It is also
where a word too long to be one is dropped (``too_long``): a run of 20 million letters is
read once by the pattern and nothing after it sees the run.
"""

import re

from whoosh.analysis import RegexTokenizer

from bahth.analyzers.letters import IN_WORD_MARKS

# The most characters a word may have, as written (marks included): a longer one has no term.
# Lucene's StandardAnalyzer skips tokens past the same 255. Words are far shorter: the longest
# of SaudiNewsNet has 30 characters (a hex id), of arwiki 19, of MArSum 20, and a fully
# vocalized Arabic word about twice its letters. What passes it is a blob (base64, a run of
# one letter) or a hostile document, and each step after the tokenizer costs by the word's
# length: indexing one document holding a 20-million-letter word peaked at 624 MB and took
# 13 s (195 MB and 1.0 s with the cap), and the word was suggested whole, 40 MB.
MAX_WORD_CHARS = 255

_ARABIC_LETTER = (
    "\u0621-\u064a\u066e-\u066f\u0671-\u06d3\u06d5\u06ee-\u06ef\u06fa-\u06ff"
    "\u0750-\u077f\u08a0-\u08e1\u08e3-\u08ff\ufb50-\ufdff\ufe70-\ufefc"
)  # (U+08E2, the disputed end of ayah, is a format character: a mark, not a letter)
_ARABIC_BLOCKS = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
# The marks, in two classes. A class holding a character past U+FFFF (a few format
# characters are) is read as a list, one comparison per item and character; one within
# U+FFFF as a table. So a word's letters and marks are one table-read run, and a mark past
# U+FFFF, which a word seldom has, is tried only after a single-range test: the same words
# as one class of letters and marks, in 0.60 of the time (2,000 SaudiNewsNet texts: 231
# against 382 ms).
_MARKS = re.escape("".join(sorted(ch for ch in IN_WORD_MARKS if ord(ch) <= 0xFFFF)))
_ASTRAL_MARK = (
    "(?=[\U00010000-\U0010ffff])["
    + re.escape("".join(sorted(ch for ch in IN_WORD_MARKS if ord(ch) > 0xFFFF)))
    + "]"
)
_OTHER_LETTER = rf"[^\W_{_ARABIC_BLOCKS}]"
WORD_PATTERN = (
    rf"[{_ARABIC_LETTER}][{_ARABIC_LETTER}{_MARKS}]*(?:{_ASTRAL_MARK}[{_ARABIC_LETTER}{_MARKS}]*)*"
    r"|\d+(?:[.,\u066b\u066c]\d+)*"  # a number, in any digits
    rf"|{_OTHER_LETTER}(?:{_OTHER_LETTER}|[{_MARKS}]|{_ASTRAL_MARK})*"  # any other word
)  # (an Arabic word first: most are; no letter of it is a digit or another word's letter)


_WORDS = re.compile(WORD_PATTERN)


def surfaces(text: str) -> list[str]:
    """The words of ``text`` as written, in order, as this tokenizer splits it, without those
    too long to be one: for a caller that needs the words and not their offsets."""
    return [word for word in _WORDS.findall(text) if len(word) <= MAX_WORD_CHARS]  # too_long


def too_long(word: str) -> bool:
    """Is ``word`` (as written) longer than a word can be (MAX_WORD_CHARS)? Such a word has
    no term: it keeps its position, as a word of marks alone does, so phrases do not join
    across it, and it is not indexed, searched, marked or suggested."""
    return len(word) > MAX_WORD_CHARS


class ArabicTokenizer(RegexTokenizer):
    """Whoosh tokenizer for Arabic and mixed Arabic/Latin text (picklable: one regex)."""

    def __init__(self) -> None:
        super().__init__(WORD_PATTERN)

    def __call__(self, value, **kwargs):
        for token in super().__call__(value, **kwargs):
            if not too_long(token.text):
                yield token
