"""One row per stemming rule, the linguistic reason as its id (after Lucene's
TestArabicStemFilter). Words go through the whole pipeline, as a user's would."""

import pytest

from bahth.analyzers import analyze, proclitic_forms


def terms(text: str, stem: str = "light") -> list[str]:
    return [t.term for t in analyze(text, stem=stem)]


SAME_STEM = [
    pytest.param("المغرب", "مغرب", id="article-al"),
    pytest.param("والمغرب", "مغرب", id="conjunction-wa-plus-article"),
    pytest.param("فالمغرب", "مغرب", id="conjunction-fa-plus-article"),
    pytest.param("بالمغرب", "مغرب", id="preposition-bi-plus-article"),
    pytest.param("كالمغرب", "مغرب", id="preposition-ka-plus-article"),
    pytest.param("للمغرب", "مغرب", id="preposition-li-plus-article-drops-alef"),
    pytest.param("وبالمغرب", "مغرب", id="conjunction-plus-preposition-plus-article"),
    pytest.param("المغربي", "مغرب", id="nisba-masculine"),
    pytest.param("المغربية", "مغرب", id="nisba-feminine"),
    pytest.param("المغربيين", "مغرب", id="nisba-plural-oblique"),
    pytest.param("المغربيات", "مغرب", id="nisba-feminine-plural"),
    pytest.param("المعلمون", "معلم", id="sound-masculine-plural-nominative"),
    pytest.param("المعلمين", "معلم", id="sound-masculine-plural-oblique"),
    pytest.param("المعلمات", "معلم", id="sound-feminine-plural"),
    pytest.param("معلمان", "معلم", id="dual-nominative"),
    pytest.param("حكومتهم", "حكوم", id="pronoun-hum-and-teh-marbuta-restored"),
    pytest.param("حكومتهما", "حكوم", id="pronoun-huma"),
    pytest.param("كتابكم", "كتاب", id="pronoun-kum"),
    pytest.param("كتابكن", "كتاب", id="pronoun-kunna"),
    pytest.param("كتابنا", "كتاب", id="pronoun-na"),
    pytest.param("مدينتنا", "مدين", id="pronoun-na-is-no-tanween-alef"),
    pytest.param("تماما", "تمام", id="tanween-alef-after-meem-is-no-pronoun"),
    pytest.param("كتابها", "كتاب", id="pronoun-ha"),
    pytest.param("سلطته", "سلط", id="pronoun-hu-and-teh-marbuta-restored"),
    pytest.param("سلطاته", "سلط", id="pronoun-hu-after-feminine-plural"),
    pytest.param("مدرستي", "مدرس", id="pronoun-ya-and-teh-marbuta-restored"),
    pytest.param("سلطة", "سلط", id="teh-marbuta-meets-its-pronoun-forms"),
    pytest.param("الحكومة", "حكوم", id="teh-marbuta"),
    pytest.param("الإرهاب", "ارهاب", id="hamza-alef-then-article"),
    pytest.param("الله", "الله", id="allah-keeps-its-al"),
    pytest.param("FBI", "fbi", id="latin-acronym-lowercased"),
    pytest.param("meetings", "meet", id="latin-english-snowball"),
]

# Forms that must share a stem (each may have other readings too).
MEET = [
    pytest.param("جديدا", "جديد", id="accusative-tanween-alef"),
    pytest.param("رسميا", "الرسمية", id="adverb-in-tanween-alef-meets-its-adjective"),
    pytest.param("قالوا", "قال", id="plural-verb-waw-alef"),
    pytest.param("كتبا", "كتب", id="dual-verb-alef"),
    pytest.param("أمريكا", "الأمريكي", id="country-name-in-alef-meets-its-nisba"),
    pytest.param("فرنسا", "الفرنسية", id="country-name-meets-its-feminine-nisba"),
    pytest.param("فلسطين", "الفلسطينية", id="name-in-yeh-nun-meets-its-feminine-nisba"),
    pytest.param("الفلسطيني", "الفلسطينيين", id="nisba-of-a-name-in-yeh-nun-in-every-form"),
    pytest.param("الإسباني", "الإسبانية", id="nisba-in-alef-nun-masculine-meets-feminine"),
    pytest.param("إسبانيا", "الإسبانية", id="country-name-in-yeh-alef-meets-its-nisba"),
    pytest.param("امتحان", "امتحانات", id="plural-of-a-word-that-loses-its-alef-nun"),
]

UNSTEMMED = [
    pytest.param("ولد", id="short-word-with-initial-waw"),
    pytest.param("وطن", id="short-word-with-initial-waw-2"),
    pytest.param("بيت", id="short-word-with-initial-beh"),
    pytest.param("علم", id="three-letter-root"),
    pytest.param("كتاب", id="initial-kaf-is-a-root-letter"),
    pytest.param("محاكم", id="final-kum-is-a-root-letter-when-short"),
    pytest.param("فكر", id="initial-feh-kept-when-three-letters-would-remain"),
]

BOTH_READINGS = [
    pytest.param("وقال", ["وقال", "قال"], id="ambiguous-waw-conjunction"),
    pytest.param("وزير", ["وزير", "زير"], id="ambiguous-waw-root-letter-keeps-full-reading"),
    pytest.param("بتمارة", ["بتمار", "تمار"], id="ambiguous-bi-preposition"),
    pytest.param("لواشنطن", ["لواشنطن", "واشنطن"], id="ambiguous-li-one-level"),
    pytest.param("وبحضور", ["وبحضور", "بحضور", "حضور"], id="conjunction-then-preposition"),
]

# Names ending in ى: a final ى is never the pronoun ي, nor the nisba ي.
NAMES_IN_ALEF_MAKSURA = [
    pytest.param("موسى", "موسي", id="musa-is-not-a-razor"),
    pytest.param("عيسى", "عيسي", id="isa-keeps-its-last-letter"),
    pytest.param("مصطفى", "مصطفي", id="mustafa-keeps-its-last-letter"),
    pytest.param("سلمى", "سلمي", id="salma-is-not-salm"),
    pytest.param("ليلى", "ليلي", id="layla-is-not-night"),
    pytest.param("منى", "مني", id="mona-is-not-a-stop-word"),
    pytest.param("والمصطفى", "مصطفي", id="with-conjunction-and-article"),
]

KEPT_APART = [
    pytest.param("موسى", "موس", id="musa-vs-razor"),
    pytest.param("ليلى", "ليل", id="layla-vs-night"),
    pytest.param("سلمى", "سلم", id="salma-vs-peace"),
    pytest.param("كتاب", "كاتب", id="book-vs-writer"),
    pytest.param("عالم", "علم", id="world-vs-knowledge"),
    pytest.param("فكرة", "كرة", id="idea-vs-ball"),
    pytest.param("مدرسة", "درس", id="no-root-extraction"),
]


@pytest.mark.parametrize(("word", "stem"), SAME_STEM)
def test_stems_to(word: str, stem: str) -> None:
    assert terms(word) == [stem]


@pytest.mark.parametrize(("one", "other"), MEET)
def test_forms_meet(one: str, other: str) -> None:
    assert set(terms(one)) & set(terms(other))


@pytest.mark.parametrize("word", UNSTEMMED)
def test_keeps_short_and_root_letters(word: str) -> None:
    assert terms(word) == [word]


@pytest.mark.parametrize(("word", "stems"), BOTH_READINGS)
def test_ambiguous_proclitic_gives_every_reading(word: str, stems: list[str]) -> None:
    tokens = analyze(word)
    assert [t.term for t in tokens] == stems
    assert {(t.start, t.end, t.position) for t in tokens} == {(0, len(word), 0)}


@pytest.mark.parametrize(("word", "stem"), NAMES_IN_ALEF_MAKSURA)
def test_a_final_alef_maksura_is_no_suffix(word: str, stem: str) -> None:
    assert stem in terms(word)
    assert not any(len(term) < len(stem) and stem.startswith(term) for term in terms(word))


STOP_WORDS_AS_WRITTEN = [
    pytest.param("علي", ["علي"], id="ali-the-name-is-searchable"),
    pytest.param("على", [], id="ala-the-preposition-is-a-stop-word"),
    pytest.param("وعلى", [], id="wa-ala-is-a-stop-word"),
    pytest.param("إلى", [], id="ila-is-a-stop-word"),
    pytest.param("الى", [], id="ila-without-hamza-is-a-stop-word"),
    pytest.param("الي", [], id="ila-written-with-yeh-is-a-stop-word-too"),
    pytest.param("حتى", [], id="hatta-is-a-stop-word"),
    pytest.param("في", [], id="fi-is-a-stop-word"),
]


# Moroccan Darija's closed classes are stop words too; words that look like them and are not
# stay searchable.
DARIJA_STOP_WORDS = [
    pytest.param("علاش", [], id="alash-why-is-a-question-word"),
    pytest.param("كيفاش", [], id="kifash-how-is-a-question-word"),
    pytest.param("وها", [], id="wa-ha-here-is-a-presentative"),
    pytest.param("ديال", [], id="dyal-of-is-the-genitive"),
    pytest.param("ديالو", [], id="dyalu-of-his-with-its-pronoun"),
    pytest.param("اللي", [], id="lli-is-the-relative"),
    pytest.param("فهاد", [], id="f-had-in-this-is-a-demonstrative"),
    pytest.param("هادي", ["هاد"], id="hadi-the-name-is-searchable"),
    pytest.param("شي", ["شي"], id="xi-the-name-is-searchable"),
]


@pytest.mark.parametrize(("word", "expected"), STOP_WORDS_AS_WRITTEN + DARIJA_STOP_WORDS)
def test_stop_words_are_decided_as_written(word: str, expected: list[str]) -> None:
    assert terms(word) == expected


@pytest.mark.parametrize(("one", "other"), KEPT_APART)
def test_keeps_words_apart(one: str, other: str) -> None:
    assert not set(terms(one)) & set(terms(other))


SNOWBALL = [
    pytest.param("المغربية", "مغرب", id="nisba-feminine-meets-masculine"),
    pytest.param("المغربي", "مغرب", id="nisba-masculine"),
    pytest.param("مغربي", "مغرب", id="nisba-without-article"),
    pytest.param("والكتاب", "كتاب", id="waw-article-stripped-before-snowball"),
    pytest.param("فالكتاب", "كتاب", id="fa-article-stripped-before-snowball"),
    pytest.param("الكتاب", "كتاب", id="snowball-strips-article"),
]


@pytest.mark.parametrize(("word", "stem"), SNOWBALL)
def test_snowball_option(word: str, stem: str) -> None:
    assert terms(word, stem="snowball") == [stem]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        pytest.param("والمغربية", "والمغربيه", id="none-normalizes-only"),
        pytest.param("أحمد", "احمد", id="none-still-folds-hamza"),
    ],
)
def test_no_stemming_option(word: str, expected: str) -> None:
    assert terms(word, stem="none") == [expected]


EGYPTIAN_SPELLINGS = [
    pytest.param("فى", id="fi-written-with-alef-maksura"),
    pytest.param("الذى", id="alladhi-written-with-alef-maksura"),
    pytest.param("هى", id="hiya-written-with-alef-maksura"),
]


@pytest.mark.parametrize("word", EGYPTIAN_SPELLINGS)
def test_a_stop_word_written_with_alef_maksura_for_yeh_is_still_one(word: str) -> None:
    assert terms(word) == []


# (a normalized word, forms it must include, forms it must not): the stems' rules run the
# other way, for a synonym phrase searched on the exact fields (search/synonyms.py)
PROCLITIC_FORMS = [
    pytest.param(
        "الولايات",
        {"بالولايات", "والولايات", "للولايات", "وبالولايات"},
        {"لالولايات"},
        id="an-article-word-takes-the-article-combinations",
    ),
    pytest.param(
        "مجلس",
        {"ومجلس", "بمجلس", "لمجلس", "وبمجلس"},
        {"المجلس"},
        id="a-word-without-article-takes-conjunctions-and-prepositions",
    ),
    pytest.param("الله", {"والله", "بالله"}, {"بله"}, id="allah-is-not-article-plus-lah"),
    pytest.param("un", set(), {"وun"}, id="a-latin-word-takes-none"),
]


@pytest.mark.parametrize(("word", "has", "lacks"), PROCLITIC_FORMS)
def test_proclitic_forms(word: str, has: set, lacks: set) -> None:
    forms = set(proclitic_forms(word))
    assert has <= forms and not lacks & forms
