"""One row per normalization rule, the linguistic reason as its id (after Lucene's
TestArabicNormalizationFilter)."""

import pytest

from bahth.analyzers import normalize_word

SAME_WORD = [
    pytest.param("أحمد", "احمد", id="hamza-above-alef-folds-to-alef"),
    pytest.param("إسلام", "اسلام", id="hamza-below-alef-folds-to-alef"),
    pytest.param("آمال", "امال", id="madda-alef-folds-to-alef"),
    pytest.param("ٱلحمد", "الحمد", id="wasla-alef-folds-to-alef"),
    pytest.param("ا\u0654حمد", "احمد", id="combining-hamza-composes-then-folds"),
    pytest.param("مستشفى", "مستشفي", id="alef-maksura-folds-to-yeh"),
    pytest.param("مدرسة", "مدرسه", id="teh-marbuta-folds-to-heh"),
    pytest.param("مسؤول", "مسءول", id="hamza-on-waw-folds-to-bare-hamza"),
    pytest.param("مسئول", "مسءول", id="hamza-on-yeh-folds-to-bare-hamza"),
    pytest.param("كَتَبَ", "كتب", id="harakat-removed"),
    pytest.param("مُحَمَّدٌ", "محمد", id="shadda-and-tanween-removed"),
    pytest.param("هٰذا", "هذا", id="superscript-alef-removed"),
    pytest.param("الرَّحِيمِۖ", "الرحيم", id="quranic-mark-removed"),
    pytest.param("مـــغـــرب", "مغرب", id="tatweel-removed"),
    pytest.param("مغ\u200cرب", "مغرب", id="zero-width-non-joiner-removed"),
    pytest.param("\u200fمغرب\u202c", "مغرب", id="bidi-controls-removed"),
    pytest.param("ﻻ", "لا", id="lam-alef-ligature-decomposed"),
    pytest.param("ﻷ", "لا", id="lam-alef-hamza-ligature-decomposed-and-folded"),
    pytest.param("ﺍﻟﻤﻐﺮﺏ", "المغرب", id="presentation-forms-become-letters"),
    pytest.param("ﷲ", "الله", id="allah-ligature-becomes-letters"),
    pytest.param("کتاب", "كتاب", id="persian-keheh-becomes-kaf"),
    pytest.param("ایران", "ايران", id="farsi-yeh-becomes-yeh"),
    pytest.param("مدرسۀ", "مدرسه", id="heh-with-yeh-above-becomes-heh"),
    pytest.param("١٢٣", "123", id="arabic-indic-digits-become-ascii"),
    pytest.param("۱۴۰۰", "1400", id="persian-digits-become-ascii"),
    pytest.param("٣٫٥", "3.5", id="arabic-decimal-separator-becomes-dot"),
    pytest.param("FBI", "fbi", id="latin-case-folded"),
    pytest.param("Straße", "strasse", id="latin-case-folded-fully"),
    pytest.param("كتاب", "كتاب", id="plain-word-unchanged"),
]

KEPT_APART = [
    pytest.param("كتاب", "كاتب", id="different-words-kataab-kaatib"),
    pytest.param("عالم", "علم", id="long-vowel-is-a-letter-not-a-mark"),
    pytest.param("شيء", "شي", id="bare-hamza-is-kept"),
]


@pytest.mark.parametrize(("word", "expected"), SAME_WORD)
def test_normalizes(word: str, expected: str) -> None:
    assert normalize_word(word) == expected


@pytest.mark.parametrize(("one", "other"), KEPT_APART)
def test_keeps_words_apart(one: str, other: str) -> None:
    assert normalize_word(one) != normalize_word(other)


@pytest.mark.parametrize(
    "word", ["ً", "ـــ", "\u200f", "ًٌٍَُِّْ"], ids=["one-haraka", "tatweel", "rlm", "all-marks"]
)
def test_only_marks_leave_nothing(word: str) -> None:
    assert normalize_word(word) == ""
