"""Tokenizer rules: what is one word, and offsets that slice the original text exactly."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bahth.analyzers import MAX_WORD_CHARS, analyze, exact_analyzer, tokenizer
from bahth.analyzers.letters import IN_WORD_MARKS


def surfaces(text: str) -> list[str]:
    return [text[t.startchar : t.endchar] for t in exact_analyzer()(text, chars=True)]


TOKENS = [
    pytest.param("كَتَبَ الوَلَدُ", ["كَتَبَ", "الوَلَدُ"], id="harakat-stay-inside-the-word"),
    pytest.param("هٰذا", ["هٰذا"], id="superscript-alef-inside-the-word"),
    pytest.param("الرَّحِيمِۖ", ["الرَّحِيمِۖ"], id="quranic-mark-stays-with-its-word"),
    pytest.param("مـــغـــرب", ["مـــغـــرب"], id="tatweel-inside-the-word"),
    pytest.param("مغ\u200cرب", ["مغ\u200cرب"], id="zwnj-inside-the-word"),
    pytest.param("قال: «نعم»، ثم؟", ["قال", "نعم", "ثم"], id="arabic-punctuation-separates"),
    pytest.param("“FBi” و CIA”", ["FBi", "و", "CIA"], id="curly-quotes-separate-latin"),
    pytest.param("عام ٢٠٢٢ و2023", ["عام", "٢٠٢٢", "و", "2023"], id="digits-split-from-arabic"),
    pytest.param("٣٫٥ و 3.5", ["٣٫٥", "و", "3.5"], id="decimal-numbers-stay-whole"),
    pytest.param("۱۴۰۰", ["۱۴۰۰"], id="persian-digits-are-a-number"),
    pytest.param("COVID19", ["COVID19"], id="latin-alphanumeric-stays-whole"),
    pytest.param("بـ”سلسلة", ["بـ", "سلسلة"], id="tatweel-then-quote"),
    pytest.param("a+b=c 👍 #وسم", ["a", "b", "c", "وسم"], id="symbols-and-emoji-separate"),
    pytest.param("", [], id="empty-text"),
    pytest.param("   \n\t", [], id="only-whitespace"),
    pytest.param("\x00\x07\x1b", [], id="control-characters"),
]


@pytest.mark.parametrize(("text", "expected"), TOKENS)
def test_tokens(text: str, expected: list[str]) -> None:
    assert surfaces(text) == expected


def test_offsets_on_vocalized_mixed_text() -> None:
    text = "وَصَفَ مُتَتَبِّعُونَ زيارةَ “DST” بِالرباط، في ١٣ يونيو"
    for token in analyze(text):
        assert text[token.start : token.end] == token.surface
    assert [t.surface for t in analyze(text)][:3] == ["وَصَفَ", "مُتَتَبِّعُونَ", "زيارةَ"]


LONG = MAX_WORD_CHARS + 1

# (text, the words that have terms, as written): a word longer than MAX_WORD_CHARS as written
# has none, whatever it is made of; the words around it keep theirs.
LENGTHS = [
    pytest.param("ت" * MAX_WORD_CHARS, ["ت" * MAX_WORD_CHARS], id="a-word-at-the-cap-is-a-word"),
    pytest.param("ت" * LONG, [], id="one-letter-more-is-no-word"),
    pytest.param("تَ" * (LONG // 2 + 1), [], id="marks-count-as-written"),
    pytest.param("b" * LONG, [], id="a-latin-blob-is-no-word"),
    pytest.param("7" * LONG, [], id="a-run-of-digits-is-no-number"),
    pytest.param(f"سلام {'ب' * 20_000} كلام", ["سلام", "كلام"], id="the-words-around-it-stay"),
]


@pytest.mark.parametrize(("text", "expected"), LENGTHS)
def test_a_word_longer_than_the_cap_has_no_term(text: str, expected: list[str]) -> None:
    assert surfaces(text) == expected
    assert list(dict.fromkeys(t.surface for t in analyze(text))) == expected  # stems too


def test_a_word_too_long_keeps_its_position() -> None:
    """As a word of marks alone: a phrase does not join the words on either side of it."""
    tokens = analyze(f"سلام {'ب' * LONG} كلام")
    assert [t.position for t in tokens] == [0, 2]


# What a word is, said plainly: Arabic letters with marks inside and after them, a number,
# or another script's letters with the same marks. The tokenizer's pattern is written for
# speed (marks past U+FFFF apart, see tokenizer.py); it must split every text as this does.
_PLAIN_MARKS = re.escape(IN_WORD_MARKS)
PLAIN_WORD = re.compile(
    r"\d+(?:[.,\u066b\u066c]\d+)*"
    rf"|[{tokenizer._ARABIC_LETTER}](?:[{tokenizer._ARABIC_LETTER}]|[{_PLAIN_MARKS}])*"
    rf"|[^\W_{tokenizer._ARABIC_BLOCKS}](?:[^\W_{tokenizer._ARABIC_BLOCKS}]|[{_PLAIN_MARKS}])*"
)
SOME_MARKS = sorted(IN_WORD_MARKS)[:12] + sorted(IN_WORD_MARKS)[-12:]  # both sides of U+FFFF


@given(
    st.lists(
        st.sampled_from(
            [*"ابتءآأةى", "ـ", "ﻻ", "ٰ", "َ", *"٣٫٥.,", "5", "x", "É", "_", " ", "،", "\n"]
            + SOME_MARKS
            + ["\U0001f600", "\U0001d7d9", "\U00013430", "\U000110bd"]
        ),
        max_size=30,
    ).map("".join)
)
@settings(max_examples=500, deadline=None)
def test_the_fast_pattern_splits_as_the_plain_one(text) -> None:
    assert tokenizer._WORDS.findall(text) == PLAIN_WORD.findall(text)
    starts = [m.span() for m in tokenizer._WORDS.finditer(text)]
    assert starts == [m.span() for m in PLAIN_WORD.finditer(text)]
