"""Synonyms (search/synonyms.py): a query word or phrase in a group also searches the group's
other entries, below the words as typed; query time, so one index serves any groups.

Rows are rules, the reason as the id. The documents are made so that each entry is in
documents of its own (the typed word never beside its synonym), among filler that shares
neither.
"""

from __future__ import annotations

import pytest

from bahth.search.engine import SearchEngine
from bahth.search.expansion import MAX_TERMS
from bahth.search.ranking import Ranking
from bahth.search.synonyms import SYNONYMS_CUT

GROUPS = [
    ["الأمم المتحدة", "UN"],  # no entry for الامم المتحده: the analysis folds it
    ["واشنطن", "الولايات المتحدة"],
    ["سيارة", "مركبة"],
]
FILLER = "وقال المتحدث في المؤتمر الصحفي إن الاجتماع تناول عدة ملفات مهمة"


def doc(doc_id: str, words: str, title: str = "خبر") -> dict:
    return {"id": doc_id, "title": title, "text": f"{words} {FILLER}"}


DOCS = [
    doc("un-arabic", "أصدرت الأمم المتّحدة بيانا"),
    doc("un-latin", "أصدرت UN بيانا"),
    doc("wash", "زار الرئيس واشنطن"),
    doc("usa", "زار الرئيس الولايات المتحدة"),
    doc("paris", "زار الرئيس باريس"),
    doc("usa-bi", "اجتمع الوفد بالولايات المتحدة"),
    doc("usa-wa", "اتفقت الصين والولايات المتحدة"),
    doc("car", "اشترى سيارة جديدة"),
    doc("vehicle", "اشترى مركبة جديدة"),
    *[doc(f"car-{n}", "سيارة في الشارع") for n in range(6)],  # سيارة common, مركبة rare
    *[doc(f"filler-{n}", "خبر عن الطقس والرياضة") for n in range(6)],
]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    path = tmp_path_factory.mktemp("synonyms") / "index"
    SearchEngine(path).add_documents(DOCS)
    return path


@pytest.fixture(scope="module")
def engine(index) -> SearchEngine:
    engine = SearchEngine(index, synonyms=GROUPS)
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def plain(index) -> SearchEngine:
    """The same index searched without synonyms: what the rows' synonyms add."""
    engine = SearchEngine(index)
    yield engine
    engine.close()


def ids(engine: SearchEngine, q: str) -> list[str]:
    return [hit.id for hit in engine.search(q, per_page=50).hits]


# (query, a document that has it as typed, a document that has only a synonym)
BOTH_WAYS = [
    pytest.param("سيارة", "car", "vehicle", id="one-word-to-one-word"),
    pytest.param("مركبة", "vehicle", "car", id="one-word-to-one-word-the-other-way"),
    pytest.param("واشنطن", "wash", "usa", id="one-word-to-a-phrase"),
    pytest.param("الولايات المتحدة", "usa", "wash", id="a-phrase-to-one-word"),
    pytest.param("الأمم المتحدة", "un-arabic", "un-latin", id="a-phrase-to-a-latin-word"),
    pytest.param("UN", "un-latin", "un-arabic", id="a-latin-word-to-a-phrase-with-diacritics"),
    pytest.param("الامم المتحده", "un-arabic", "un-latin", id="hamza-and-ta-marbuta-variant"),
    pytest.param("الأُمَمُ المُتَّحِدَةُ", "un-arabic", "un-latin", id="diacritics-variant"),
    pytest.param("un", "un-latin", "un-arabic", id="latin-case-variant"),
    pytest.param("بواشنطن", "wash", "usa", id="a-clitic-on-the-word-matches-as-in-the-text"),
    pytest.param("واشنطن", "wash", "usa-bi", id="a-phrase-found-with-bi-al-on-its-first-word"),
    pytest.param("واشنطن", "wash", "usa-wa", id="a-phrase-found-with-wa-al-on-its-first-word"),
]


@pytest.mark.parametrize(("q", "typed", "synonym"), BOTH_WAYS)
def test_a_synonym_is_found_below_the_words_as_typed(engine, plain, q, typed, synonym) -> None:
    found = ids(engine, q)
    assert typed in found and synonym in found, found
    assert found.index(typed) < found.index(synonym)
    assert synonym not in ids(plain, q)  # found through the group, not by chance


@pytest.mark.parametrize("second_stage", [True, False], ids=["as-searched", "first-stage-alone"])
def test_a_rare_synonym_still_ranks_below_a_common_word_as_typed(index, second_stage) -> None:
    """سيارة is in 7 documents, مركبة in one (a rarer word weighs more in BM25): every
    document with سيارة still ranks above the one with مركبة only, and already in the first
    stage (the second one counts the words as typed, and must not be what saves it)."""
    ranking = Ranking() if second_stage else Ranking(rerank_depth=0)
    engine = SearchEngine(index, synonyms=GROUPS, ranking=ranking)
    for q, typed, synonym in (("سيارة", "car", "vehicle"), ("UN", "un-latin", "un-arabic")):
        found = ids(engine, q)
        mine = [found.index(d) for d in found if d.startswith(typed)]
        assert mine and max(mine) < found.index(synonym), (q, found)
    engine.close()


# (query, the documents it finds among wash / usa / paris): what each sign does to a synonym
SIGNS = [
    pytest.param("+واشنطن الرئيس", {"wash", "usa"}, id="plus-requires-the-word-or-a-synonym"),
    pytest.param("الرئيس -واشنطن", {"paris"}, id="minus-excludes-the-word-and-its-synonyms"),
    pytest.param("الرئيس NOT واشنطن", {"paris"}, id="not-excludes-the-word-and-its-synonyms"),
    pytest.param('الرئيس -"واشنطن"', {"usa", "paris"}, id="quoted-minus-excludes-only-as-typed"),
    pytest.param('"واشنطن"', {"wash"}, id="a-quoted-word-has-no-synonyms"),
    pytest.param('"الولايات المتحدة"', {"usa"}, id="a-quoted-phrase-has-no-synonyms"),
    pytest.param("واشنط*", {"wash"}, id="a-prefix-has-no-synonyms"),
    pytest.param("title:واشنطن", set(), id="a-field-word-searches-synonyms-in-that-field"),
]


@pytest.mark.parametrize(("q", "expected"), SIGNS)
def test_what_quotes_and_signs_do_to_synonyms(engine, q, expected) -> None:
    assert set(ids(engine, q)) & {"wash", "usa", "paris"} == expected


def test_a_synonym_s_words_are_highlighted(engine) -> None:
    hits = {hit.id: hit for hit in engine.search("واشنطن").hits}
    assert "<mark>الولايات</mark> <mark>المتحدة</mark>" in hits["usa"].snippet_html
    assert "<mark>بالولايات</mark> <mark>المتحدة</mark>" in hits["usa-bi"].snippet_html
    hits = {hit.id: hit for hit in engine.search("UN").hits}
    assert "<mark>الأمم</mark> <mark>المتّحدة</mark>" in hits["un-arabic"].snippet_html
    document = engine.document("vehicle", q="سيارة")
    assert "<mark>مركبة</mark>" in document.body_html


def test_a_title_synonym_is_searched_in_titles(tmp_path) -> None:
    engine = SearchEngine(tmp_path / "index", synonyms=GROUPS)
    engine.add_documents([doc("t-usa", "نص", title="الولايات المتحدة"), doc("t-x", "واشنطن")])
    assert ids(engine, "title:واشنطن") == ["t-usa"]
    engine.close()


def test_the_synonyms_searched_are_named(engine) -> None:
    assert engine.parse("الامم المتحده").synonyms == [("الامم المتحده", "UN")]
    assert engine.parse("بواشنطن").synonyms == [("بواشنطن", "الولايات المتحدة")]
    assert engine.parse('"واشنطن"').synonyms == []


def test_a_big_group_is_cut_at_the_query_s_expansion_budget(index) -> None:
    """Each entry searched is charged its words: a group of 400 entries searches what the
    budget allows (the same as * and ~ words expand into), and the page says so."""
    group = ["سيارة", *[f"car{n}" for n in range(400)]]
    engine = SearchEngine(index, synonyms=[group])
    parsed = engine.parse("سيارة")
    assert len(parsed.synonyms) == MAX_TERMS == parsed.expansion.terms
    assert SYNONYMS_CUT in parsed.message
    assert SYNONYMS_CUT in engine.search("سيارة").message
    # a prefix in the same query finds the budget spent
    assert engine.parse("سيارة سي*").expansion.terms == MAX_TERMS
    engine.close()


BAD_GROUPS = [
    pytest.param("واشنطن", "must be a list of groups", id="a-string-is-not-a-list-of-groups"),
    pytest.param(["واشنطن", "الولايات المتحدة"], "is not a group", id="a-list-of-strings"),
    pytest.param([["واشنطن"]], "two or more entries", id="a-group-of-one"),
    pytest.param([["واشنطن", ""]], "two or more entries", id="an-empty-entry"),
    pytest.param([["واشنطن", 3]], "two or more entries", id="an-entry-that-is-not-text"),
    pytest.param([["واشنطن", "؟!"]], "has no word", id="an-entry-with-no-word"),
    pytest.param([["=>", "واشنطن"]], "entries on both sides", id="nothing-before-the-arrow"),
    pytest.param([["واشنطن", "=>"]], "entries on both sides", id="nothing-after-the-arrow"),
    pytest.param([["ا", "=>", "ب", "=>", "ج"]], "one '=>'", id="two-arrows"),
]


@pytest.mark.parametrize(("groups", "message"), BAD_GROUPS)
def test_bad_groups_are_a_clear_error(index, groups, message) -> None:
    with pytest.raises(ValueError, match=f"synonyms.*{message}"):
        SearchEngine(index, synonyms=groups)


@pytest.mark.parametrize("q", [row.values[0] for row in BOTH_WAYS + SIGNS])
def test_numpy_scores_synonyms_as_whoosh_does(index, engine, q) -> None:
    """Synonym clauses are Terms, Ors and Phrases with boosts: search.scorer evaluates
    them itself, and must give Whoosh's own scores."""
    reference = SearchEngine(index, synonyms=GROUPS, vectorized=False)
    expected = [(hit.id, hit.score) for hit in reference.search(q, per_page=50).hits]
    assert [(hit.id, hit.score) for hit in engine.search(q, per_page=50).hits] == expected
    reference.close()


# one-way groups: the entries after => are searched for those before it, never the other way
ONE_WAY = [["سيارة", "=>", "مركبة"], ["واشنطن", "=>", "الولايات المتحدة"]]
ONE_WAY_ROWS = [
    pytest.param("سيارة", "vehicle", True, id="the-word-before-the-arrow-finds-the-one-after"),
    pytest.param("مركبة", "car", False, id="the-word-after-the-arrow-does-not-find-the-one-before"),
    pytest.param("واشنطن", "usa", True, id="a-word-before-the-arrow-finds-a-phrase-after"),
    pytest.param("الولايات المتحدة", "wash", False, id="a-phrase-after-the-arrow-finds-no-more"),
]


@pytest.mark.parametrize(("q", "other", "found"), ONE_WAY_ROWS)
def test_a_one_way_group_searches_one_way(index, plain, q, other, found) -> None:
    engine = SearchEngine(index, synonyms=ONE_WAY)
    assert (other in ids(engine, q)) is found
    assert other not in ids(plain, q)  # the group, not chance, finds it
    engine.close()


class CountingGroups(list):
    """The groups, counting how many times one is read."""

    reads = 0

    def __getitem__(self, index):
        self.reads += 1
        return super().__getitem__(index)


LETTERS = "بتثجحخدذرزسشصضطظعغفقكلمنهوي"


def word(n: int) -> str:
    """A distinct Arabic word for each n below 27³ (no digit: one word, one term)."""
    letters = ""
    for _ in range(3):
        n, rest = divmod(n, len(LETTERS))
        letters += LETTERS[rest]
    return "كلمة" + letters


MANY = 5_000
WORDS = [word(n) for n in range(MANY + 1)]
# Thousands of groups hold the query's word (a generated thesaurus): a query reads the groups
# its budget lets it search, not all of them. (groups, query, what it searches, in order)
SHARED_WORD = [
    pytest.param([["سيارة", w] for w in WORDS[:MANY]], "سيارة", WORDS[:MANY], id="a-shared-word"),
    pytest.param([["سيارة", "مركبة"]] * MANY, "سيارة", ["مركبة"], id="identical-groups-are-one"),
    pytest.param(
        [["الولايات المتحدة", w] for w in WORDS[:MANY]],
        "الولايات المتحدة",
        WORDS[:MANY],
        id="a-shared-phrase",
    ),
    pytest.param(
        [[WORDS[n], "=>", "سيارة", WORDS[n + 1]] for n in range(MANY)],
        "سيارة",
        [],
        id="a-word-searched-but-never-looked-up",
    ),
]


@pytest.mark.parametrize(("groups", "q", "searched"), SHARED_WORD)
def test_a_word_in_many_groups_reads_what_the_query_searches(index, groups, q, searched) -> None:
    engine = SearchEngine(index, synonyms=groups, darija_synonyms=False)
    synonyms = engine.synonyms
    synonyms.groups = counting = CountingGroups(synonyms.groups)
    parsed = engine.parse(q)
    assert counting.reads <= MAX_TERMS + 1, "groups read"
    assert [entry for _, entry in parsed.synonyms] == searched[:MAX_TERMS]
    assert (SYNONYMS_CUT in parsed.message) == (len(searched) > MAX_TERMS)
    engine.close()


# Synonyms as another path through the query: a document with the whole of a synonym scores
# as one with the whole of what was typed, times Ranking.synonym_boost. Many documents share
# the common words مبادرة, مشروع, حجر (also in their titles); one pair of twin documents per
# entry says it in the same sentence.
PATH_GROUPS = [
    ["مبادرة الياسمين", "مشروع الكهرمان"],
    ["الزمرد", "حجر الفيروز"],
    ["القرنفل", "البنفسج"],
    ["العقيق", "=>", "حجر المرجان"],
]
PATH_TOPICS = ["الشباب", "التعليم", "الصحة", "البيئة", "الرياضة", "الثقافة", "المرأة", "الزراعة"]
PATH_ENTRIES = ["مبادرة الياسمين", "مشروع الكهرمان", "الزمرد", "حجر الفيروز", "القرنفل"]
PATH_ENTRIES += ["البنفسج", "العقيق", "حجر المرجان", "كازا", "الدار البيضاء"]
PATH_DOCS = [
    *[
        doc(f"common-{word}-{n}", f"أطلقت الوزارة {word} جديدة لدعم {topic}", f"{word} {topic}")
        for word in ("مبادرة", "مشروع", "حجر")
        for n, topic in enumerate(PATH_TOPICS * 4)
    ],
    *[doc(f"jasmine-{n}", "تزهر شجرة الياسمين في الربيع", "حديقة") for n in range(3)],
    *[doc(entry, f"أطلقت الجمعية {entry} لدعم الأسر") for entry in PATH_ENTRIES],
]
# (query, the document that has it as typed, the document that has only a synonym)
PATHS = [
    pytest.param("مبادرة الياسمين", "مبادرة الياسمين", "مشروع الكهرمان", id="phrase-to-phrase"),
    pytest.param("مشروع الكهرمان", "مشروع الكهرمان", "مبادرة الياسمين", id="phrase-to-phrase-back"),
    pytest.param("الزمرد", "الزمرد", "حجر الفيروز", id="one-word-to-a-phrase"),
    pytest.param("حجر الفيروز", "حجر الفيروز", "الزمرد", id="a-phrase-to-one-word"),
    pytest.param("القرنفل", "القرنفل", "البنفسج", id="one-word-to-one-word"),
    pytest.param("العقيق", "العقيق", "حجر المرجان", id="a-one-way-group"),
    pytest.param("كازا", "كازا", "الدار البيضاء", id="a-built-in-darija-group"),
]


@pytest.fixture(scope="module", params=[True, False], ids=["as-searched", "first-stage-alone"])
def paths(request, tmp_path_factory) -> SearchEngine:
    """The engine as it searches, and its first stage alone: both rank a synonym so (the
    second stage must not be what saves it, nor what sinks it)."""
    ranking = Ranking() if request.param else Ranking(rerank_depth=0)
    path = tmp_path_factory.mktemp("paths") / "index"
    engine = SearchEngine(path, synonyms=PATH_GROUPS, ranking=ranking)
    engine.add_documents(PATH_DOCS)
    yield engine
    engine.close()


def ranks_as_another_path(engine: SearchEngine, q: str, typed: str, synonym: str) -> None:
    hits = engine.search(q, per_page=100).hits
    assert [hit.id for hit in hits[:2]] == [typed, synonym], [hit.id for hit in hits[:6]]
    score = {hit.id: hit.score for hit in hits}
    assert 0.85 * score[typed] <= score[synonym] < score[typed]


@pytest.mark.parametrize(("q", "typed", "synonym"), PATHS)
def test_a_synonym_scores_as_the_words_typed_times_its_weight(paths, q, typed, synonym) -> None:
    """Just below the twin document that has the words as typed (within 0.85 of its score,
    synonym_boost 0.9), and above every document that has one common word of the query."""
    ranks_as_another_path(paths, q, typed, synonym)


@pytest.fixture(scope="module")
def cluster_paths(tmp_path_factory) -> SearchEngine:
    """PATH_DOCS on a real two-node cluster (tests/test_sphinx_backend.py's LocalCluster)."""
    from tests.test_sphinx_backend import LocalCluster

    local = LocalCluster(tmp_path_factory.mktemp("paths-cluster") / "cluster")
    try:
        engine = SearchEngine(local.url, synonyms=PATH_GROUPS)
        engine.add_documents(PATH_DOCS)
        yield engine
        engine.close()
    finally:
        local.stop()


@pytest.mark.parametrize(("q", "typed", "synonym"), PATHS[:3])
def test_a_synonym_scores_so_on_a_cluster(cluster_paths, q, typed, synonym) -> None:
    """The scorer is shared: a cluster ranks a synonym's document as a folder does."""
    ranks_as_another_path(cluster_paths, q, typed, synonym)
