"""Tokenizer rules: what is one word, and offsets that slice the original text exactly."""

import pytest

from bahth.analyzers import analyze, exact_analyzer


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


def test_five_thousand_letter_word_is_one_token() -> None:
    word = "ب" + "ا" * 4999
    tokens = analyze(word)
    assert tokens and all((t.start, t.end) == (0, 5000) for t in tokens)
