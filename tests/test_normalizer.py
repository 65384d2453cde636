"""One row per normalization rule, the linguistic reason as its id (after Lucene's
TestArabicNormalizationFilter)."""

import sys
import unicodedata

import pytest

from bahth.analyzers import exact_analyzer, letters, normalize_word

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
    pytest.param("إجراءات", "اجراءات", id="hamza-alef-inside-a-word-is-kept"),
    pytest.param("شيئا", "شيءا", id="hamza-then-tanween-alef-is-kept"),
]

# Quranic (Uthmani) spelling marks a long ā with a superscript (dagger) alef where standard
# spelling writes the letter, except in a few words it writes without one.
UTHMANI_MEETS_STANDARD = [
    pytest.param("ٱلْكِتَٰبُ", "الكتاب", id="dagger-alef-is-the-long-a-kitaab-not-kutub"),
    pytest.param("ٱلصَّٰلِحَٰتِ", "الصالحات", id="dagger-alef-in-a-feminine-plural"),
    pytest.param("ٱلْعَٰلَمِينَ", "العالمين", id="dagger-alef-in-aalamiin"),
    pytest.param("إِبْرَٰهِيمَ", "إبراهيم", id="dagger-alef-in-a-prophet-s-name"),
    pytest.param("ٱلصَّلَوٰةِ", "الصلاة", id="waw-carrying-it-before-ta-marbuta-is-alef"),
    pytest.param("وَٱلْحَيَوٰةِ", "والحياة", id="waw-carrying-it-after-a-clitic-is-alef"),
    pytest.param("ٱلرِّبَوٰا۟", "الربا", id="waw-carrying-it-before-alef-is-alef"),
    pytest.param("ٱلسَّمَٰوَٰتِ", "السماوات", id="a-consonant-waw-keeps-the-alef-after-it"),
    pytest.param("مُوسَىٰ", "موسى", id="after-alef-maksura-it-adds-nothing"),
    pytest.param("ذَٰلِكَ", "ذلك", id="dhaalika-is-written-without-alef"),
    pytest.param("وَلَٰكِنَّ", "ولكن", id="laakin-with-a-conjunction-is-written-without-alef"),
    pytest.param("ٱلرَّحْمَٰنِ", "الرحمن", id="al-rahmaan-is-written-without-alef"),
    pytest.param("إِلَٰهُكُمْ", "إلهكم", id="ilaah-with-a-pronoun-is-written-without-alef"),
    pytest.param("أُو۟لَٰٓئِكَ", "أولئك", id="ulaaika-is-written-without-alef"),
    pytest.param("ءَامَنُوا۟", "آمنوا", id="hamza-alef-at-the-start-is-alef-madda"),
    pytest.param("ٱلْءَاخِرَةِ", "الآخرة", id="hamza-alef-after-the-article-is-alef-madda"),
    pytest.param("وَءَاتَوُا۟", "وآتوا", id="hamza-alef-after-a-conjunction-is-alef-madda"),
]

KEPT_APART = [
    pytest.param("ٱلْكِتَٰبُ", "الكتب", id="uthmani-kitaab-is-not-kutub"),
    pytest.param("كتاب", "كاتب", id="different-words-kataab-kaatib"),
    pytest.param("عالم", "علم", id="long-vowel-is-a-letter-not-a-mark"),
    pytest.param("شيء", "شي", id="bare-hamza-is-kept"),
]


@pytest.mark.parametrize(("word", "expected"), SAME_WORD)
def test_normalizes(word: str, expected: str) -> None:
    assert normalize_word(word) == expected


@pytest.mark.parametrize(("uthmani", "standard"), UTHMANI_MEETS_STANDARD)
def test_uthmani_spelling_meets_standard_spelling(uthmani: str, standard: str) -> None:
    assert normalize_word(uthmani) == normalize_word(standard)


@pytest.mark.parametrize(("one", "other"), KEPT_APART)
def test_keeps_words_apart(one: str, other: str) -> None:
    assert normalize_word(one) != normalize_word(other)


@pytest.mark.parametrize(
    "word", ["ً", "ـــ", "\u200f", "ًٌٍَُِّْ"], ids=["one-haraka", "tatweel", "rlm", "all-marks"]
)
def test_only_marks_leave_nothing(word: str) -> None:
    assert normalize_word(word) == ""


# Format characters (Unicode's Cf), one row per kind: inside a word or after it, each stays
# in the word as written (the highlighter marks it whole) and leaves its term, which is the
# term of the word without it.
FORMAT_KINDS = [
    pytest.param("202A-202E", id="bidi-embeddings-and-overrides"),
    pytest.param("2066-2069", id="bidi-isolates"),
    pytest.param("200E 200F 061C", id="directional-marks-lrm-rlm-alm"),
    pytest.param("200B-200D 2060", id="zero-width-space-joiners-word-joiner"),
    pytest.param("FEFF", id="byte-order-mark"),
    pytest.param("00AD", id="soft-hyphen"),
    pytest.param("2061-2064", id="invisible-math-operators"),
    pytest.param("206A-206F", id="deprecated-format-controls"),
    pytest.param("0600-0605 0890-0891", id="arabic-number-signs"),
    pytest.param("06DD 08E2", id="end-of-ayah-signs"),
    pytest.param("070F 180E", id="syriac-and-mongolian-format-controls"),
    pytest.param("FFF9-FFFB", id="interlinear-annotation-controls"),
    pytest.param("E0001 E0020-E007F", id="tag-characters"),
    pytest.param("110BD 110CD 13430-13438 1BCA0-1BCA3 1D173-1D17A", id="other-scripts-controls"),
]


def _characters(spans: str) -> list[str]:
    chars = []
    for span in spans.split():
        first, _, last = span.partition("-")
        chars += map(chr, range(int(first, 16), int(last or first, 16) + 1))
    return chars


@pytest.mark.parametrize("spans", FORMAT_KINDS)
def test_format_characters_stay_in_the_word_and_leave_its_term(spans: str) -> None:
    chain = exact_analyzer()
    for ch in _characters(spans):
        for written, plain in (
            (f"ال{ch}عام", "العام"),
            (f"العام{ch}", "العام"),
            (f"infor{ch}mation", "information"),
        ):
            found = [(written[t.startchar : t.endchar], t.text) for t in chain(written, chars=True)]
            assert found == [(written, normalize_word(plain))], f"U+{ord(ch):04X}"


def test_the_format_characters_are_unicodes() -> None:
    """letters.FORMAT lists them by hand: every Cf character of this Python's Unicode must be
    in it (a newer Unicode may add some: add them), and nothing else that Unicode assigns."""
    every = {chr(c) for c in range(sys.maxunicode + 1)}
    cf = {ch for ch in every if unicodedata.category(ch) == "Cf"}
    assert cf <= letters.FORMAT
    assert all(unicodedata.category(ch) in ("Cf", "Cn") for ch in letters.FORMAT)
    assert {ch for kind in FORMAT_KINDS for ch in _characters(kind.values[0])} == letters.FORMAT
