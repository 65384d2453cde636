"""Split text into words whose offsets point into the ORIGINAL text.

Three kinds of token:

* an Arabic word: Arabic letters (and presentation forms) that may carry, inside or after
  them, the marks Arabic writes on letters: harakat, superscript alef, Quranic marks,
  tatweel, zero-width joiners and bidi controls;
* a number: digits in any script, with decimal or thousands separators inside (3.5, ٣٫٥);
* any other word: letters and digits of other scripts (FBI, COVID19).

So ``text[start:end]`` is the word exactly as written, vocalized or stretched, which is what
the highlighter must mark. Arabic letters and digits do not join (و14 is و and 14).
Everything else (spaces, ، ؛ ؟ « » “ ” and symbols) separates words.

Only the tokenizer sets offsets; the filters after it change a token's text only.
"""

import re

from whoosh.analysis import RegexTokenizer

from bahth.analyzers.letters import IN_WORD_MARKS

_MARKS = re.escape(IN_WORD_MARKS)
_ARABIC_LETTER = (
    "\u0621-\u064a\u066e-\u066f\u0671-\u06d3\u06d5\u06ee-\u06ef\u06fa-\u06ff"
    "\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefc"
)
_ARABIC_BLOCKS = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
WORD_PATTERN = (
    r"\d+(?:[.,\u066b\u066c]\d+)*"  # a number, in any digits
    rf"|[{_ARABIC_LETTER}](?:[{_ARABIC_LETTER}]|[{_MARKS}])*"  # an Arabic word
    rf"|[^\W_{_ARABIC_BLOCKS}](?:[^\W_{_ARABIC_BLOCKS}]|[{_MARKS}])*"  # any other word
)


class ArabicTokenizer(RegexTokenizer):
    """Whoosh tokenizer for Arabic and mixed Arabic/Latin text (picklable: one regex)."""

    def __init__(self) -> None:
        super().__init__(WORD_PATTERN)
