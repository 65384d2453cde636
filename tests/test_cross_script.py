"""Queries in the wrong script (analyzers/scripts.py, search/scripts.py): Arabic typed with the
US keyboard layout active, Moroccan Darija in Latin letters, names as French or English news
spell them; and what must not change: a Latin word the collection holds is found as typed,
first, and a quoted Latin word is searched as typed only.

Rows are rules, the reason as the id. The spelling rules are checked twice: each spelling is
produced, and once its rule is taken out (``ablate``) it is not, or only at a higher cost (a
less usual reading), so every row stands for its rule. The words are the seeds' names and
everyday news and Darija words written from the conventions, not taken from any lexicon.
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from bahth.analyzers import scripts, word_analysis
from bahth.analyzers.scripts import arabic_layout, arabic_spellings, latin_layout
from bahth.cli import main
from bahth.index.settings import Settings, SettingsError
from bahth.search import scripts as search_scripts
from bahth.search.engine import SearchEngine
from bahth.search.parsed import ParsedQuery
from bahth.search.ranking import Ranking
from bahth.web import create_app

FILLER = "وقال المتحدث في ندوة صحفية إن الملف يعرف تطورات جديدة"

# ---- the keyboard ------------------------------------------------------------------------

# (keys typed with the US layout active, what they type on the Arabic (101) layout)
ON_THE_ARABIC_LAYOUT = [
    pytest.param("hglyvf", "المغرب", id="letter-keys-read-as-the-arabic-letters-on-them"),
    pytest.param("hgp;,lm", "الحكومة", id="comma-and-semicolon-keys-are-waw-and-kaf"),
    pytest.param("Hpl]", "أحمد", id="shift-h-is-alef-with-hamza-and-bracket-is-dal"),
    pytest.param("sbl", "سلام", id="the-b-key-types-lam-alef"),
    pytest.param("hglyvfK", "المغرب،", id="shift-k-is-the-arabic-comma"),
    pytest.param("hglyvf>", "المغرب.", id="the-full-stop-is-shifted"),
    pytest.param("2022", "2022", id="digits-type-digits-on-both-layouts"),
]


@pytest.mark.parametrize(("keys", "arabic"), ON_THE_ARABIC_LAYOUT)
def test_keys_read_through_the_arabic_layout(keys: str, arabic: str) -> None:
    assert arabic_layout(keys) == arabic


# (Arabic letters typed with the Arabic layout active, the Latin word meant, or None)
ON_THE_LATIN_LAYOUT = [
    pytest.param("لخخلمث", "google", id="a-latin-word-typed-on-the-arabic-layout"),
    pytest.param("بشؤثلاخخن", "facebook", id="lam-alef-is-the-b-key"),
    pytest.param("المغرب", None, id="hg-is-the-arabic-article-no-latin-word-starts-so"),
    pytest.param("فحسب", None, id="a-latin-word-has-vowels"),  # tsf, no vowel
    pytest.param("وزير", None, id="waw-is-no-latin-letter-key"),
]


@pytest.mark.parametrize(("arabic", "latin"), ON_THE_LATIN_LAYOUT)
def test_arabic_letters_read_back_as_latin_keys(arabic: str, latin: str | None) -> None:
    readings = latin_layout(arabic)
    assert (latin in readings) if latin else readings == []


# ---- spellings of a Latin word -----------------------------------------------------------


def _without(table: str, key: str, option: str | None = None):
    """An ablation: take ``key`` (or only its ``option``) out of the table ``table``."""

    def ablate(monkeypatch) -> None:
        rules = dict(getattr(scripts, table))
        if option is None:
            del rules[key]
        else:
            rules[key] = tuple(pair for pair in rules[key] if pair[0] != option)
        monkeypatch.setattr(scripts, table, rules)

    return ablate


def _without_start(rule: str):
    def ablate(monkeypatch) -> None:
        kept = tuple(r for r in scripts.START_RULES if r.__name__ != rule)
        monkeypatch.setattr(scripts, "START_RULES", kept)

    return ablate


def _no_hiatus(monkeypatch) -> None:
    monkeypatch.setattr(scripts, "HIATUS", ("", 99))


# (a Latin word, an Arabic spelling it must give (normalized), how to take its rule out)
SPELLINGS = [
    pytest.param("3lach", "علاش", _without("CONSONANTS", "3"), id="arabizi-3-is-ain"),
    pytest.param("l7kouma", "الحكومه", _without("CONSONANTS", "7"), id="arabizi-7-is-ha"),
    pytest.param("9alb", "قلب", _without("CONSONANTS", "9"), id="arabizi-9-is-qaf"),
    pytest.param("5dma", "خدمه", _without("CONSONANTS", "5"), id="arabizi-5-is-kha"),
    pytest.param("s2al", "سءال", _without("CONSONANTS", "2"), id="arabizi-2-is-hamza"),
    pytest.param("lmghrib", "المغرب", _without("CONSONANTS", "gh"), id="gh-is-ghain"),
    pytest.param("lmghrib", "المغرب", _without_start("_written_article"), id="darija-l-article"),
    pytest.param("khobz", "خبز", _without("CONSONANTS", "kh"), id="kh-is-kha"),
    pytest.param("chamal", "شمال", _without("CONSONANTS", "ch"), id="ch-is-shin"),
    pytest.param("sbitar", "سبيطار", _without("CONSONANTS", "t", "ط"), id="t-may-be-emphatic-ta"),
    pytest.param("Hammouchi", "حموشي", _without("CONSONANTS", "h", "ح"), id="h-may-be-ha"),
    pytest.param("Hammouchi", "حموشي", _without("MEDIAL", "ou"), id="ou-is-waw"),
    pytest.param("Pompeo", "بومبيو", _without("CONSONANTS", "p"), id="p-is-ba"),
    pytest.param("Pompeo", "بومبيو", _without("MEDIAL", "e", "ي"), id="e-may-be-a-long-i"),
    pytest.param("Marrakech", "مراكش", _without("MEDIAL", "a", "ا"), id="a-may-be-a-long-a"),
    pytest.param("Omar", "عمر", _without("INITIAL", "o", "ع"), id="a-first-vowel-may-be-ain"),
    pytest.param("Ismail", "اسماعيل", _no_hiatus, id="a-vowel-after-a-vowel-may-be-ain"),
    pytest.param("Rabia", "ربيعه", _no_hiatus, id="a-final-vowel-after-a-vowel-too"),
    pytest.param("Tanja", "طنجه", _without("FINAL", "a", "ة"), id="a-final-a-may-be-ta-marbuta"),
    pytest.param("Trump", "ترامب", _without("MEDIAL", "u", "ا"), id="english-u-may-be-alef"),
    pytest.param("Djerada", "جراده", _without("CONSONANTS", "dj"), id="french-dj-is-jeem"),
    pytest.param("Agadir", "اكادير", _without("CONSONANTS", "g", "ك"), id="moroccan-g-as-kaf"),
    pytest.param("ddar", "الدار", _without_start("_doubled_first"), id="doubled-first-article"),
    pytest.param("chchams", "الشمس", _without_start("_doubled_first"), id="doubled-digraph"),
    pytest.param("xno", "شنو", _without("CONSONANTS", "x", "ش"), id="moroccan-chat-x-is-shin"),
    pytest.param("Essaouira", "الصويره", _without_start("_sun_letter"), id="sun-letter-article"),
    pytest.param("el-othmani", "العثماني", _without_start("_written_article"), id="el-article"),
    pytest.param("flmghrib", "فالمغرب", _without_start("_clitic_article"), id="fi-on-the-article"),
    pytest.param("Abdellatif", "عبد اللطيف", _without_start("_abd"), id="abd-el-is-two-words"),
    pytest.param("Akhannouch", "اخنوش", _without("CONSONANTS", "kh"), id="a-name-with-kh"),
    pytest.param("Nador", "ناظور", _without("CONSONANTS", "d", "ظ"), id="french-d-may-be-za"),
    pytest.param("Biden", "بايدن", _without("MEDIAL", "i", "اي"), id="english-i-may-be-ai"),
    pytest.param("Meknes", "مكناس", _without("MEDIAL", "e", "ا"), id="french-e-may-be-alef"),
    pytest.param("Facebook", "فيسبوك", _without("MEDIAL", "a", "ي"), id="english-a-as-in-face"),
    pytest.param(
        "Lahlimi", "الحليمي", _without_start("_written_article"), id="french-la-is-the-article"
    ),
]


@pytest.mark.parametrize(("latin", "arabic", "ablate"), SPELLINGS)
def test_a_latin_word_gives_its_arabic_spelling_by_its_rule(
    latin: str, arabic: str, ablate, monkeypatch
) -> None:
    arabic_spellings.cache_clear()
    cost = dict(arabic_spellings(latin)).get(arabic)
    assert cost is not None
    ablate(monkeypatch)
    arabic_spellings.cache_clear()
    without = dict(arabic_spellings(latin)).get(arabic)
    arabic_spellings.cache_clear()
    # without its rule, the spelling is not given, or only as a less usual reading
    assert without is None or without > cost, "the row does not depend on its rule"


NOT_LATIN_WORDS = [
    pytest.param("المغرب", id="arabic-letters"),
    pytest.param("x", id="one-letter"),
    pytest.param("2022", id="a-number"),
    pytest.param("a" * 40, id="too-long-for-a-word"),
]


@pytest.mark.parametrize("text", NOT_LATIN_WORDS)
def test_no_spellings_for_what_is_no_latin_word(text: str) -> None:
    assert arabic_spellings(text) == ()


# ---- the engine --------------------------------------------------------------------------


def news(name: str, text: str, n: int = 0) -> dict:
    return {"id": f"{name}-{n}", "title": "خبر", "text": f"{text} {FILLER} {n}"}


DOCS = [
    *[news("maghrib", "زار الوفد المغرب هذا الأسبوع", n) for n in range(3)],
    *[news("hukuma", "صادقت الحكومة على مشروع القانون", n) for n in range(2)],
    news("hukuma-maghrib", "قررت الحكومة في المغرب رفع الدعم"),
    news("pompeo", "استقبل الوزير مايك بومبيو في مقر الوزارة"),
    news("hammouchi", "ترأس عبد اللطيف الحموشي اجتماعا أمنيا"),
    news("akhannouch", "قال عزيز أخنوش إن الحكومة ماضية في الإصلاح"),
    news("marrakech", "احتضنت مراكش مؤتمرا دوليا"),
    news("sbitar", "مشى للسبيطار حيت كان مريض بزاف"),
    news("3lach", "علاش الناس ساكتين على هاد الشي"),
    news("9hwa", "شربنا قهوة فالمقهى ديال الحومة"),
    news("will", "ويل لمن يتجاهل التحذيرات"),  # will and this are English stop words
    news("this", "باع التيس في السوق"),
    news("illa", "لا تعليق إلا بعد الخبر"),  # NBA on the layout is آلآ: إلا, a held word
    news("ghadi", "غادي يمشي للجدي ديال جهدي"),  # غادي is a stop word; جدي, جهدي are not
    # a long text that names Facebook once; short ones that say فيسبوك again and again
    *[news("facebook-ar", "فيسبوك فيسبوك: نشر الخبر على فيسبوك", n) for n in range(5)],
    news("facebook-latin", f"حساب رسمي على Facebook للوزارة {FILLER} {FILLER} {FILLER}"),
    news("google", "أعلنت شركة Google عن خدمة جديدة"),
    # FIFA in Latin letters in three long texts, الفيفا said again and again in a short one
    {**news("fifa-ar", "الفيفا الفيفا: قررت الفيفا تأجيل البطولة"), "title": "الفيفا"},
    *[news("fifa-latin", f"بلاغ من FIFA حول البطولة {FILLER} {FILLER}", n) for n in range(3)],
    *[news("fdj-latin", "رمز fdj في التقرير", n) for n in range(2)],
    *[news("bayt", "دخل بيت جاره مسرعا", n) for n in range(3)],  # بيت: fdj on the layout
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> SearchEngine:
    engine = SearchEngine(tmp_path_factory.mktemp("cross-script"))
    engine.add_documents(DOCS)
    yield engine
    engine.close()


def top(engine: SearchEngine, q: str, n: int = 3) -> list[str]:
    return [hit.id for hit in engine.search(q, per_page=n).hits]


# (query, a document it must find in the top 3, the reading the page names, the rule)
READ = [
    pytest.param("hglyvf", "maghrib-0", ("hglyvf", "المغرب", "keyboard"), id="wrong-layout-word"),
    pytest.param(
        "hgp;,lm", "hukuma-0", ("hgp;,lm", "الحكومة", "keyboard"), id="wrong-layout-keys-of-waw"
    ),
    pytest.param(
        "hgp;,lm td hglyvf",
        "hukuma-maghrib-0",
        ("td", "في", "keyboard"),
        id="wrong-layout-query-reads-its-short-words-too",
    ),
    pytest.param(
        "بشؤثلاخخن",
        "facebook-latin-0",
        ("بشؤثلاخخن", "Facebook", "keyboard"),
        id="reverse-layout-lam-alef-is-the-b-key",
    ),
    pytest.param(
        "«hglyvf»", "maghrib-0", ("hglyvf", "المغرب", "keyboard"), id="wrong-layout-in-quotes"
    ),
    pytest.param(
        "hglyvf: td", "maghrib-0", ("hglyvf", "المغرب", "keyboard"), id="a-colon-after-it"
    ),
    pytest.param("لخخلمث", "google-0", ("لخخلمث", "Google", "keyboard"), id="reverse-layout"),
    pytest.param("lmghrib", "maghrib-0", ("lmghrib", "المغرب", "latin"), id="arabizi-article"),
    pytest.param("9hwa", "9hwa-0", ("9hwa", "قهوة", "latin"), id="arabizi-digit"),
    pytest.param("3lach", "3lach-0", ("3lach", "علاش", "latin"), id="a-darija-function-word"),
    pytest.param(
        "sbitar", "sbitar-0", ("sbitar", "سبيطار", "latin"), id="arabizi-word-with-clitics"
    ),
    pytest.param("Pompeo", "pompeo-0", ("Pompeo", "بومبيو", "latin"), id="an-english-name"),
    pytest.param("Hammouchi", "hammouchi-0", ("Hammouchi", "الحموشي", "latin"), id="french-name"),
    pytest.param("Akhannouch", "akhannouch-0", ("Akhannouch", "أخنوش", "latin"), id="with-hamza"),
    pytest.param("Marrakech", "marrakech-0", ("Marrakech", "مراكش", "latin"), id="a-city"),
    pytest.param(
        "Abdellatif", "hammouchi-0", ("Abdellatif", "عبد اللطيف", "latin"), id="two-words"
    ),
]


@pytest.mark.parametrize(("q", "doc", "reading"), READ)
def test_a_word_in_the_other_script_finds_what_it_means(engine, q, doc, reading) -> None:
    page = engine.search(q, per_page=3, collapse=False)  # the fixture's copies are one story
    assert doc in [hit.id for hit in page.hits]
    assert reading in page.read_as
    assert reading[:2] in page.also_searched
    hit = next(hit for hit in page.hits if hit.id == doc)
    assert "<mark>" in hit.snippet_html  # the Arabic words found are marked


# (query, the document that must come first, the rule)
LATIN_FIRST = [
    pytest.param("Facebook", "facebook-latin-0", id="a-latin-word-held-comes-first"),
    pytest.param("FIFA", "fifa-latin-0", id="an-acronym-held-comes-first"),
    pytest.param("fdj", "fdj-latin-0", id="a-held-latin-word-is-no-layout-typing"),
]


@pytest.mark.parametrize(("q", "first"), LATIN_FIRST)
def test_a_latin_word_the_collection_holds_is_found_first(engine, q, first) -> None:
    page = engine.search(q, per_page=10)
    assert page.hits[0].id.startswith(first.rsplit("-", 1)[0])
    assert all(how != "keyboard" for _, _, how in page.read_as)


def test_a_latin_word_held_alone_is_no_layout_typing_however_rare(engine, monkeypatch) -> None:
    """tag is in a few documents, فشل (its keys on the Arabic layout) in thousands: alone,
    the word typed is the one meant."""
    monkeypatch.setattr(search_scripts, "LAYOUT_RARER", 0)  # its reading far more common
    fresh = SearchEngine(engine.store.location)
    page = fresh.search("fdj")
    fresh.close()
    assert page.read_as == () and page.hits[0].id.startswith("fdj-latin")


# (a Latin query, the rule): a stop word of a Latin language has no Arabic reading
LATIN_STOP_WORDS = [
    pytest.param("This", id="an-english-stop-word"),
    pytest.param("will", id="another-english-stop-word"),
]


@pytest.mark.parametrize("q", LATIN_STOP_WORDS)
def test_a_latin_stop_word_is_searched_as_typed(engine, q) -> None:
    assert engine.search(q).read_as == ()


def test_the_spellings_of_a_held_latin_word_rank_below_it(engine) -> None:
    """فيسبوك is five times as common as Facebook: its documents still come after."""
    ids = [hit.id for hit in engine.search("Facebook", per_page=10).hits]
    assert ids[0] == "facebook-latin-0"
    assert {i for i in ids[1:]} <= {f"facebook-ar-{n}" for n in range(5)}


# (query, the rule): searched as typed only, as name variants and synonyms are
AS_TYPED = [
    pytest.param('"Pompeo"', id="a-quoted-latin-word"),
    pytest.param("-Pompeo الحكومة", id="an-excluded-latin-word"),
    pytest.param("Pompeo~", id="a-fuzzy-latin-word"),
    pytest.param("Pompeo*", id="a-latin-prefix"),
]


@pytest.mark.parametrize("q", AS_TYPED)
def test_a_latin_word_is_searched_as_typed_only(engine, q) -> None:
    page = engine.search(q)
    assert page.read_as == ()
    assert "pompeo-0" not in [hit.id for hit in page.hits]


# (query, the rule): no Arabic reading is searched
NOT_READ = [
    pytest.param("un", id="a-two-letter-word-reads-as-too-many-words"),
    pytest.param("qwxz", id="no-spelling-the-index-holds"),
    pytest.param("NBA", id="an-acronym-in-capitals-is-no-arabic-typing"),
]


@pytest.mark.parametrize("q", NOT_READ)
def test_no_reading_is_searched(engine, q) -> None:
    assert engine.search(q).read_as == ()


def test_a_function_word_read_first_is_searched_alone(engine) -> None:
    """غادي is a stop word, the best reading of ghadi: جدي and جهدي, held, are not searched."""
    page = engine.search("ghadi")
    assert page.read_as == (("ghadi", "غادي", "latin"),)
    assert [hit.id for hit in page.hits] == ["ghadi-0"]


def test_an_arabic_word_typed_ranks_above_a_latin_spelling_of_another(engine) -> None:
    """A word typed in Arabic weighs more than a Latin word's spelling (both in one
    document of the collection)."""
    ids = top(engine, "Marrakech بومبيو", n=10)
    assert ids.index("pompeo-0") < ids.index("marrakech-0")


def test_cross_script_false_in_the_settings_turns_it_off(tmp_path) -> None:
    engine = SearchEngine(tmp_path / "off", settings=Settings(cross_script=False))
    engine.add_documents(DOCS)
    for q in ("hglyvf", "Pompeo", "lmghrib", "لخخلمث"):
        page = engine.search(q)
        assert page.total == 0 and page.read_as == (), q
    engine.close()


def test_cross_script_boost_zero_turns_it_off(engine) -> None:
    off = SearchEngine(engine.store.location, ranking=Ranking(cross_script_boost=0))
    assert off.search("hglyvf").total == 0 and off.search("Pompeo").total == 0
    off.close()


def test_the_settings_file_reads_cross_script(tmp_path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("[analysis]\ncross_script = false\n", encoding="utf-8")
    settings = Settings.load(path)
    assert settings.cross_script is False
    assert Settings.from_dict(settings.as_dict()).cross_script is False
    assert Settings.from_dict({}).cross_script is True  # an older index's record: on
    path.write_text('[analysis]\ncross_script = "no"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="cross_script must be true or false"):
        Settings.load(path)


def test_spellings_are_looked_up_once_per_reader(engine, monkeypatch) -> None:
    asked = []
    real = search_scripts.held_spellings

    def counting(*args):
        asked.append(args[2])
        return real(*args)

    monkeypatch.setattr(search_scripts, "held_spellings", counting)
    for _ in range(3):
        engine.search("Benkirane")
    assert asked == ["Benkirane"]


def test_the_json_page_names_each_reading(engine) -> None:
    answer = engine.search("hglyvf").to_dict()
    assert {"typed": "hglyvf", "searched": "المغرب"} in answer["also_searched"]
    assert answer["read_as"] == [{"typed": "hglyvf", "searched": "المغرب", "script": "keyboard"}]


def _reads_short_words(page) -> bool:
    return ("td", "في", "keyboard") in page.read_as


def _held_chunk_kept(page) -> bool:
    return all(typed != "fdj" for typed, _, _ in page.read_as)


def _found_with_clitic(page) -> bool:
    return "sbitar-0" in [hit.id for hit in page.hits]


# (a constant of search/scripts.py, a value that takes its rule out, query, what the rule gives)
SEARCH_RULES = [
    pytest.param(
        "WHOLE_QUERY_SHARE", 10, "hgp;,lm td hglyvf", _reads_short_words, id="whole-query-reading"
    ),
    pytest.param(
        "LAYOUT_RARER",
        0,
        "hglyvf fdj hgp;,lm",
        _held_chunk_kept,
        id="in-a-whole-query-a-held-chunk-must-be-far-rarer",
    ),
    pytest.param("STEM_CANDIDATES", 0, "sbitar", _found_with_clitic, id="spelling-held-by-stem"),
]


@pytest.mark.parametrize(("constant", "value", "q", "check"), SEARCH_RULES)
def test_each_rule_of_the_query_side_is_what_gives_its_result(
    engine, constant, value, q, check, monkeypatch
) -> None:
    fresh = SearchEngine(engine.store.location)  # readers of its own: a fresh cache
    assert check(fresh.search(q))
    fresh.close()
    monkeypatch.setattr(search_scripts, constant, value)
    fresh = SearchEngine(engine.store.location)
    assert not check(fresh.search(q)), "the row does not depend on its rule"
    fresh.close()


def test_the_cli_says_what_it_searched_for(engine) -> None:
    index = str(engine.store.location)
    result = CliRunner().invoke(main, ["search", "--index", index, "hglyvf"])
    assert result.exit_code == 0, result.output
    assert "Searched for: المغرب (for hglyvf)" in result.output
    assert "Also searched" not in result.output


def test_the_page_says_what_it_searched_for_and_marks_it(engine) -> None:
    client = create_app({"BAHTH_INDEX": str(engine.store.location)}).test_client()
    page = client.get("/search", query_string={"q": "hglyvf"}).get_data(as_text=True)
    line = re.search(r'<p class="read-as">(.*?)</p>', page, re.S)
    assert line is not None
    assert " ".join(re.sub(r"<[^>]+>", "", line.group(1)).split()) == "بُحث عن: المغرب (لـ hglyvf)"
    assert 'class="also-searched"' not in page
    assert "<mark>المغرب</mark>" in page
    answer = client.get("/api/search", query_string={"q": "Pompeo"}).json
    assert {"typed": "Pompeo", "searched": "بومبيو", "script": "latin"} in answer["read_as"]


class _CountingReader:
    """A reader that holds nothing and counts what it is asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.cache: dict = {}

    def frequencies(self, field: str, terms) -> dict[str, int]:
        self.asked += list(terms)
        return dict.fromkeys(terms, 0)


# (an Arabic query, the rule): reading it for the wrong layout asks the index nothing
ASKS_NOTHING = [
    pytest.param("مكافحة الإرهاب في المغرب", id="the-article-reads-hg-no-latin-word"),
    pytest.param("وزير الداخلية", id="waw-and-dal-are-no-latin-letter-keys"),
    pytest.param("على باش غير", id="stop-words-are-themselves"),
    pytest.param("فحسب", id="a-reading-without-vowels-is-no-latin-word"),
    pytest.param("قمة", id="three-letters-are-too-few"),
    pytest.param("اعلن~", id="a-fuzzy-word-is-typed-as-meant"),
    pytest.param("hglyvf*", id="a-prefix-is-typed-as-meant"),
]


@pytest.mark.parametrize("q", ASKS_NOTHING)
def test_an_ordinary_arabic_query_costs_no_look_in_the_index(engine, q) -> None:
    reader = _CountingReader()
    words = word_analysis(engine.analysis)
    assert search_scripts.read_keyboard(reader, words, q, ParsedQuery(query=None)) == q
    assert reader.asked == []
