"""Search as a person uses it, on the seeds and on small purpose-made documents.

Each row is one rule of the query language or of Arabic matching, its reason as the id.
"""

from collections import Counter
from pathlib import Path

import pytest

from bahth.search.engine import SearchEngine

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

MADE = [
    {"id": "exact", "title": "خبر", "text": "زار الوفد المدينة المغربية أمس"},
    {"id": "stem-only", "title": "خبر", "text": "زار الوفد المدن المغربي أمس"},
    {"id": "adjacent", "title": "تقرير", "text": "الأمن الوطني يعلن نتائج جديدة"},
    {"id": "scattered", "title": "تقرير", "text": "الأمن يعلن نتائج جديدة على المستوى الوطني"},
    {"id": "phrase-stop", "title": "رحلة", "text": "سافر الوفد إلى الرباط صباحا"},
    {"id": "phrase-apart", "title": "رحلة", "text": "سافر الوفد صباحا ووصل الرباط إلى المساء"},
    {"id": "book", "title": "معرض", "text": "افتتح معرض الكتاب الدولي"},
    {"id": "vocalized", "title": "نص مشكول", "text": "وَصَفَ المُتَتَبِّعُونَ الزِّيارَةَ بالتاريخية"},
    {"id": "title-word", "title": "مهرجان السينما", "text": "عروض كثيرة هذا العام"},
    {"id": "text-word", "title": "ثقافة", "text": "افتتح مهرجان الموسيقى"},
    {"id": "shuayb", "title": "قصص", "text": "قوم شعيب في القرآن الكريم"},
    {
        "id": "quote-said",
        "title": "تصريح",
        "text": "قال المدرب إن الموسم المقبل سيكون صعبا جدا على الفريق",
    },
    {
        "id": "quote-apart",
        "title": "تحليل",
        "text": "سيكون صعبا الموسم، سيكون صعبا المقبل، الموسم المقبل سيكون صعبا",
    },
    {"id": "script", "title": "<script>alert(1)</script> عنوان", "text": "نص عن <b>الوسم</b>"},
    {
        "id": "dated",
        "title": "خبر قديم",
        "text": "اجتماع وزراء الخارجية",
        "source": "archive",
        "date": "2015-07-21",
    },
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> SearchEngine:
    engine = SearchEngine(tmp_path_factory.mktemp("index"))
    report = engine.index_paths([SEEDS])
    assert report.added == 5
    engine.add_documents(MADE)
    return engine


def ids(engine: SearchEngine, q: str, **options) -> list[str]:
    return [hit.id for hit in engine.search(q, per_page=50, **options).hits]


SAME_RESULTS = [
    pytest.param("الحموشي", "الحَمُّوشِي", id="diacritics-ignored"),
    pytest.param("الحموشي", "الحمـــوشي", id="tatweel-ignored"),
    pytest.param("الحموشي", "حموشي", id="article-optional"),
    pytest.param("الحموشي", "والحموشي", id="conjunction-wa-prefix"),
    pytest.param("الحموشي", "بالحموشي", id="preposition-bi-prefix"),
    pytest.param("الحموشي", "للحموشي", id="preposition-li-prefix"),
    pytest.param("الأمريكية", "الامريكية", id="hamza-on-alef-optional"),
    pytest.param("الإرهاب", "الارهاب", id="hamza-below-alef-optional"),
    pytest.param("المسؤول", "المسئول", id="hamza-seat-waw-or-yeh"),
    pytest.param("الخارجية", "الخارجيه", id="teh-marbuta-or-heh"),
    pytest.param("13 يونيو", "١٣ يونيو", id="arabic-indic-digits"),
    pytest.param("13 يونيو", "۱۳ يونيو", id="persian-digits"),
    pytest.param("FBI", "fbi", id="latin-lowercase"),
    pytest.param("FBI", "Fbi", id="latin-mixed-case"),
    pytest.param("تمارة", "بتمارة", id="place-name-with-bi"),
]


@pytest.mark.parametrize(("reference", "variant"), SAME_RESULTS)
def test_spelling_variants_find_the_same_articles(engine, reference, variant) -> None:
    expected = set(ids(engine, reference))
    assert expected, f"{reference!r} should find something"
    assert set(ids(engine, variant)) == expected


QUERY_LANGUAGE = [
    pytest.param('+"الجانب المغربي"', {"000_0777507a1eab11fb"}, id="required-phrase-only-adjacent"),
    pytest.param('+"إلى الرباط"', {"phrase-stop"}, id="stop-word-inside-phrase-counts"),
    pytest.param("الكتا*", {"book"}, id="prefix-on-unstemmed-field"),
    pytest.param("من هم قوم شعيب؟", {"shuayb"}, id="arabic-question-mark-is-punctuation"),
    pytest.param("title:مهرجان", {"title-word"}, id="title-field"),
    pytest.param("source:archive", {"dated"}, id="source-filter-alone"),
    pytest.param("date:2015-07-01..2015-07-31", {"dated"}, id="date-range"),
    pytest.param("year:2015 وزراء", {"dated"}, id="year-filter-with-word"),
    pytest.param("سافر AND صباحا", {"phrase-stop", "phrase-apart"}, id="and-requires-both"),
    pytest.param("الكتاب OR شعيب", {"book", "shuayb"}, id="or-either"),
    pytest.param("الرباط -صباحا", set(), id="minus-excludes"),
]


@pytest.mark.parametrize(("q", "expected"), QUERY_LANGUAGE)
def test_query_language(engine, q, expected) -> None:
    found = set(ids(engine, q))
    if expected:
        assert found == expected
    else:
        assert found and not found & {"phrase-stop", "phrase-apart"}


QUOTED = [
    pytest.param('"الرباط صباحا"', id="ascii-quotes"),
    pytest.param("“الرباط صباحا”", id="curly-quotes"),
    pytest.param("«الرباط صباحا»", id="guillemets"),
    pytest.param("„الرباط صباحا“", id="low-high-quotes"),
]


@pytest.mark.parametrize("q", QUOTED)
def test_a_quoted_phrase_ranks_its_documents_first_and_still_finds_its_words(engine, q) -> None:
    """phrase-stop says "الرباط صباحا"; phrase-apart has both words apart: found, below."""
    found = ids(engine, q)
    assert found[0] == "phrase-stop"
    assert "phrase-apart" in found
    assert set(found) == set(ids(engine, "الرباط صباحا"))


def test_the_phrase_bonus_decides_between_the_quote_and_its_paraphrase(engine) -> None:
    """Without quotes the paraphrase, richer in the words, ranks first; quoted, the document
    that says the phrase does. Both are found either way."""
    words = "الموسم المقبل سيكون صعبا جدا"
    assert ids(engine, words)[:2] == ["quote-apart", "quote-said"]
    assert ids(engine, f"«{words}»")[:2] == ["quote-said", "quote-apart"]
    assert ids(engine, f'+"{words}"') == ["quote-said"]


def test_a_quoted_single_word_is_the_word(engine) -> None:
    assert ids(engine, "«بومبيو»") == ids(engine, "بومبيو") != []


PASTED = "سافر الوفد صباحا الى الرباط في زيارة رسمية -المساء"


def test_a_minus_in_a_long_pasted_query_is_punctuation(engine) -> None:
    """A headline pasted with its site's tag: -المساء is a word, not an exclusion."""
    found = ids(engine, PASTED)
    assert "phrase-apart" in found  # its text says المساء
    assert found == ids(engine, PASTED.replace("-", ""))


def test_a_minus_in_a_short_or_operator_query_still_excludes(engine) -> None:
    assert "phrase-apart" not in ids(engine, "الرباط -المساء")
    assert "phrase-apart" not in ids(engine, PASTED.replace("-المساء", "NOT المساء"))
    assert "phrase-apart" not in ids(engine, "title:رحلة " + PASTED)


def test_fuzzy_finds_the_right_spelling(engine) -> None:
    assert set(ids(engine, "بوممبيو~")) == set(ids(engine, "بومبيو")) != set()
    assert ids(engine, "بوممبيو") == []  # a doubled consonant is a typo, not a spelling


def test_prefix_matching_nothing_finds_nothing_even_with_a_filter(engine) -> None:
    assert ids(engine, "source:archive") == ["dated"]
    page = engine.search("زززز* source:archive")
    assert page.total == 0 and page.message


def test_not_removes_matches(engine) -> None:
    with_word = set(ids(engine, "الحموشي"))
    without = set(ids(engine, "الحموشي NOT بومبيو"))
    assert without and without < with_word
    assert not without & set(ids(engine, "بومبيو"))


def test_missing_word_does_not_empty_results(engine) -> None:
    found = ids(engine, "الحموشي كلمةغيرموجودة")
    assert found and found == ids(engine, "الحموشي")


def test_plus_requires_the_word_and_the_others_still_rank(engine) -> None:
    either = set(ids(engine, "الرباط صباحا"))
    required = ids(engine, "الرباط +صباحا")
    assert set(required) == set(ids(engine, "صباحا")) == {"phrase-stop", "phrase-apart"}
    assert set(required) < either, "without + a document with الرباط alone is found too"
    assert ids(engine, '+"إلى الرباط" سافر') == ["phrase-stop"]
    assert set(ids(engine, "+الرباط +صباحا")) == set(ids(engine, "الرباط AND صباحا"))


RANKING = [
    pytest.param("المغربية", "exact", "stem-only", id="exact-form-above-stem-only"),
    pytest.param("الأمن الوطني", "adjacent", "scattered", id="proximity-above-scattered"),
]


@pytest.mark.parametrize(("q", "first", "second"), RANKING)
def test_ranking(engine, q, first, second) -> None:
    ranked = ids(engine, q)
    assert ranked.index(first) < ranked.index(second)


def test_documents_with_all_words_rank_first(engine) -> None:
    ranked = ids(engine, "الحموشي بومبيو")
    both = set(ids(engine, "الحموشي AND بومبيو"))
    assert both and set(ranked[: len(both)]) == both


SNIPPETS = [
    pytest.param("تمارة", "<mark>بتمارة</mark>", id="mark-covers-the-clitic"),
    pytest.param("المتتبعون", "<mark>المُتَتَبِّعُونَ</mark>", id="mark-covers-diacritics"),
    pytest.param("fbi", "<mark>FBi</mark>", id="mark-keeps-latin-case"),
    pytest.param("الامريكية", "<mark>الأمريكية</mark>", id="mark-keeps-hamza-as-written"),
]


@pytest.mark.parametrize(("q", "marked"), SNIPPETS)
def test_snippets_mark_words_as_written(engine, q, marked) -> None:
    hits = engine.search(q, per_page=50).hits
    assert any(marked in hit.snippet_html for hit in hits)


def test_snippet_is_escaped_and_short(engine) -> None:
    hit = engine.search("alert الوسم").hits[0]
    assert "<script>" not in hit.title_html and "&lt;script&gt;" in hit.title_html
    assert "<b>" not in hit.snippet_html
    for hit in engine.search("الأمن", per_page=50).hits:
        assert len(hit.snippet_html.replace("<mark>", "").replace("</mark>", "")) < 900


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [
        pytest.param("بومبيوو", "بومبيو", id="doubled-letter"),
        pytest.param("المغرب الحموشيي", "المغرب الحموشي", id="doubled-letter-keeps-other-words"),
        pytest.param("الرباظ", "الرباط", id="wrong-letter"),
    ],
)
def test_did_you_mean(engine, typo, suggestion) -> None:
    assert engine.search(typo).suggestion == suggestion


# What each malformed query gives: "same" the hits of الأمن (the stray syntax is ignored),
# "some" some hits, "none" no hit and a message saying why.
MALFORMED = [
    ('"الأمن', "same"),
    ("(الأمن", "same"),
    ("الأمن)", "same"),
    ("AND", "none"),
    ("OR الأمن", "same"),
    ("NOT", "none"),
    ("-", "none"),
    ("*", "none"),
    ("الأمن~~", "same"),
    ("~", "none"),
    ("title:", "none"),
    ("source:", "none"),
    ("date:yesterday", "none"),
    ("date:2015-13-45", "none"),
    ("ًٌٍ", "none"),
    ("؟؟؟", "none"),
    ("من هو", "some"),
    ("الأمن " * 4000, "same"),
    ("\x00\x1b", "none"),
    ("((((", "none"),
    ('"""', "none"),
    ("a:b:c", "some"),
    ("+", "none"),
    ("-الأمن", "none"),
    ("*الأمن", "same"),
    ("الا*من", "some"),
]


@pytest.mark.parametrize(
    ("q", "outcome"), MALFORMED, ids=[f"malformed-{i}" for i in range(len(MALFORMED))]
)
def test_malformed_queries_never_crash(engine, q, outcome) -> None:
    page = engine.search(q, per_page=50)
    found = {hit.id for hit in page.hits}
    if outcome == "none":
        assert page.total == 0 and not found and page.message
    elif outcome == "some":
        assert page.total == len(found) > 0
    else:
        assert found == set(ids(engine, "الأمن")) != set()


def test_facets_count_and_filter(engine) -> None:
    page = engine.search("وزراء OR الحموشي", per_page=50)
    assert page.facets["source"].get("archive") == 1
    assert page.facets["year"].get("2015") == 1
    narrowed = engine.search("وزراء OR الحموشي", filters={"source": "archive"})
    assert [hit.id for hit in narrowed.hits] == ["dated"]


def test_paging(engine) -> None:
    first = engine.search("الأمن", per_page=2)
    second = engine.search("الأمن", per_page=2, page=2)
    assert first.total == second.total > 2
    assert not {h.id for h in first.hits} & {h.id for h in second.hits}
    past = engine.search("الأمن", per_page=2, page=999)
    assert past.page == first.pages and past.hits and past.message
    assert len(engine.search("الأمن", per_page=5000).hits) == first.total


def test_autocomplete_gives_words_as_written(engine) -> None:
    words = engine.suggest("الامري")
    assert words and all(w.startswith("الأمري") for w in words)
    assert engine.suggest("") == []


def test_document_view_highlights_query(engine) -> None:
    view = engine.document("004_729bb3f65f3640ec", q="تمارة")
    assert "<mark>بتمارة</mark>" in view.body_html
    assert engine.document("no-such-id") is None


def test_page_to_dict_has_the_json_contract(engine) -> None:
    data = engine.search("الحموشي").to_dict()
    wanted = {"query", "total", "total_documents", "page", "per_page", "took_ms", "hits"}
    assert wanted | {"suggestion", "facets"} <= set(data)
    assert set(data["hits"][0]) == {
        "id",
        "title",
        "title_html",
        "snippet_html",
        "score",
        "source",
        "date",
        "url",
        "fields",
        "story",
    }
    assert set(data["hits"][0]["story"]) == {"id", "size"}


def test_facet_counts_are_the_matches_counted_one_by_one(news_index: Path) -> None:
    """Facets, counted over all matches, agree with the matches' own fields (the fast and
    the reference paths share the facet code, so this checks it against the documents)."""
    engine = SearchEngine(news_index)
    page = engine.search("مكافحة الإرهاب", per_page=1000)
    assert page.total == len(page.hits) > 10
    sources = Counter(hit.source for hit in page.hits if hit.source)
    years = Counter(hit.date[:4] for hit in page.hits if hit.date)
    assert page.facets["source"] == dict(sources) and len(sources) > 1
    assert page.facets["year"] == dict(years) and len(years) > 1
    assert list(page.facets["source"].values()) == sorted(sources.values(), reverse=True)
    engine.close()
