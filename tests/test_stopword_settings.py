"""An index's own stop words: words added to bahth's list and words taken out of it
(``AnalysisConfig.stopwords_add`` / ``stopwords_remove``, the settings file's ``[analysis]``).

Rows are rules, the reason as the id: what a word becomes under a changed list (the one answer
of WordAnalysis, checked against the Whoosh chains), then what search does with it on a real
index, then the index refusing another list without a rebuild.
"""

from __future__ import annotations

import json

import pytest

from bahth.analyzers import AnalysisConfig, WordAnalysis
from bahth.analyzers.filters import ArabicStopFilter
from bahth.index.errors import AnalysisMismatch
from bahth.index.whoosh.store import IndexStore
from bahth.search.engine import SearchEngine

ADD = {"stopwords_add": ("عاجل",)}
REMOVE = {"stopwords_remove": ("لكن",)}

# (the list's changes, a word as written, is it a stop word)
RULES = [
    pytest.param(ADD, "عاجل", True, id="an-added-word-is-a-stop-word"),
    pytest.param(ADD, "وعاجل", True, id="an-added-word-brings-its-wa-form-as-listed-words-do"),
    pytest.param(ADD, "فعاجل", True, id="an-added-word-brings-its-fa-form"),
    pytest.param(ADD, "عَاجِـــل", True, id="an-added-word-with-diacritics-and-tatweel-in-the-text"),
    pytest.param({"stopwords_add": ("أخبار",)}, "اخبار", True, id="added-with-hamza-text-without"),
    pytest.param({"stopwords_add": ("اخبار",)}, "أخبار", True, id="added-without-hamza-text-with"),
    pytest.param({"stopwords_add": ("عَاجِل",)}, "عاجل", True, id="added-with-diacritics"),
    pytest.param(ADD, "في", True, id="adding-keeps-the-built-in-words"),
    pytest.param({}, "عاجل", False, id="the-default-list-does-not-have-it"),
    pytest.param(REMOVE, "لكن", False, id="a-removed-word-is-an-ordinary-word"),
    pytest.param(REMOVE, "ولكن", False, id="a-removed-word-takes-its-wa-form-out-too"),
    pytest.param(REMOVE, "في", True, id="removing-keeps-the-other-built-in-words"),
    pytest.param({"stopwords_remove": ("إلى",)}, "الى", False, id="removed-hamza-text-without"),
    pytest.param({"stopwords_remove": ("الى",)}, "إلى", False, id="removed-no-hamza-text-with"),
    pytest.param({"stopwords_remove": ("فى",)}, "في", False, id="removed-fi-with-ya-maqsura"),
    pytest.param({"stopwords_remove": ("علي",)}, "على", True, id="removing-the-name-ali-keeps-ala"),
    pytest.param(
        {"stopwords_add": ("عاجل",), "stopwords_remove": ("عاجل",)},
        "عاجل",
        False,
        id="a-word-both-added-and-removed-is-removed",
    ),
    pytest.param({"stopwords_add": ("UN",)}, "un", True, id="latin-words-case-folded"),
]


@pytest.mark.parametrize(("changes", "surface", "stop"), RULES)
def test_what_a_changed_list_makes_of_a_word(changes: dict, surface: str, stop: bool) -> None:
    words = WordAnalysis(AnalysisConfig(**changes))
    terms = words.word(surface)
    assert terms.stop is stop
    assert bool(terms.stems) is not stop  # a stop word has no stemmed term; another word has
    # the per-word answer is the chains' answer over a whole text (one rule in one place)
    assert words.check(f"قال الوزير {surface} في المؤتمر")


BAD_LISTS = [
    pytest.param(["الأمم المتحدة"], "is not one word", id="two-words-are-not-a-stop-word"),
    pytest.param(["،"], "is not one word", id="punctuation-is-no-word"),
    pytest.param("عاجل", "must be a list of words", id="a-string-is-not-a-list"),
    pytest.param([7], "is not one word", id="a-number-is-not-a-word"),
]


@pytest.mark.parametrize(("words", "message"), BAD_LISTS)
def test_a_bad_list_is_a_clear_error(words, message: str) -> None:
    with pytest.raises(ValueError, match=f"stopwords_add.*{message}"):
        AnalysisConfig(stopwords_add=words)


def test_spellings_of_one_list_are_one_analysis() -> None:
    """A list is kept by its keys: the same words spelled otherwise are the same analysis,
    so an index is not refused (nor rebuilt) for a hamza."""
    assert AnalysisConfig(stopwords_add=["إلى", "عاجِل"]) == AnalysisConfig(
        stopwords_add=("عاجل", "الى", "عاجل")
    )


def test_an_index_without_changes_keeps_its_record_and_its_chains() -> None:
    """An index built before the lists existed records three keys and pickled a stop filter
    with no attributes: both still equal today's defaults (no rebuild, and the fast writer
    still recognizes the index's chains)."""
    assert AnalysisConfig().as_dict() == {"stem": "light", "normalize": True, "stopwords": True}
    assert AnalysisConfig(**{"stem": "light", "normalize": True, "stopwords": True}) == (
        AnalysisConfig()
    )
    assert vars(ArabicStopFilter()) == {}
    assert AnalysisConfig().stemmed() == AnalysisConfig(stopwords_add=()).stemmed()
    assert AnalysisConfig(**ADD).stemmed() != AnalysisConfig().stemmed()


DOCS = [
    {"id": "quake", "title": "عاجل: زلزال في المغرب", "text": "عاجل زلزال قوي يضرب المغرب اليوم"},
    {"id": "rain", "title": "أمطار في الرباط", "text": "أمطار غزيرة في الرباط لكن الطرق مفتوحة"},
    {"id": "news", "title": "عاجل", "text": "عاجل عاجل عاجل خبر عاجل عن الاقتصاد"},
    {"id": "sport", "title": "مباراة", "text": "فاز الفريق في مباراة اليوم"},
]
CHANGED = AnalysisConfig(stopwords_add=("عاجل",), stopwords_remove=("لكن",))


@pytest.fixture(scope="module")
def engines(tmp_path_factory) -> dict[str, SearchEngine]:
    """The same documents in an index with the default list and one with CHANGED."""
    made = {}
    for name, analysis in (("default", None), ("changed", CHANGED)):
        path = tmp_path_factory.mktemp(f"stop-{name}") / "index"
        IndexStore(path, analysis).add_documents(DOCS)
        made[name] = SearchEngine(path)
    yield made
    for engine in made.values():
        engine.close()


def ranked(engine: SearchEngine, q: str) -> list[tuple[str, float]]:
    return [(hit.id, hit.score) for hit in engine.search(q, per_page=50).hits]


# (index, a query with a stop word, the same query without it): the same ranked page
IGNORED = [
    pytest.param("changed", "عاجل زلزال", "زلزال", id="an-added-word-is-ignored-by-search"),
    pytest.param("changed", "عاجل الاقتصاد", "الاقتصاد", id="added-word-does-not-lift-its-docs"),
    pytest.param("changed", "في زلزال", "زلزال", id="a-built-in-one-still-is"),
    pytest.param("default", "في زلزال", "زلزال", id="as-in-an-index-with-the-default-list"),
]


@pytest.mark.parametrize(("index", "with_stop", "without"), IGNORED)
def test_a_stop_word_is_ignored_by_search(engines, index, with_stop, without) -> None:
    expected = ranked(engines[index], without)
    assert expected, "the query without the stop word finds something"
    assert ranked(engines[index], with_stop) == expected


def test_the_added_word_counts_in_the_default_index(engines) -> None:
    """The rows above could pass if عاجل counted nowhere: in the default index it ranks."""
    assert ranked(engines["default"], "عاجل زلزال") != ranked(engines["default"], "زلزال")


def test_an_added_word_alone_is_matched_as_written_like_a_built_in_one(engines) -> None:
    page = engines["changed"].search("عاجل")
    assert "Only very common words" in page.message
    assert {hit.id for hit in page.hits} == {"quake", "news"}
    assert "Only very common words" not in engines["default"].search("عاجل").message


def test_a_removed_word_is_searchable(engines) -> None:
    changed, default = engines["changed"].search("لكن"), engines["default"].search("لكن")
    assert [hit.id for hit in changed.hits] == ["rain"] and not changed.message
    assert "<mark>لكن</mark>" in changed.hits[0].snippet_html
    assert "Only very common words" in default.message  # the default list has it
    reader = engines["changed"]._reader()
    assert reader.frequency("text", "لكن") and not reader.frequency("text", "عاجل")


def test_suggestions_leave_an_added_stop_word_out(engines) -> None:
    assert "عاجل" in engines["default"].suggest("عاج")
    assert "عاجل" not in engines["changed"].suggest("عاج")


def test_an_index_refuses_another_list_without_rebuild(tmp_path) -> None:
    path, source = tmp_path / "index", tmp_path / "docs.jsonl"
    source.write_text("\n".join(json.dumps(doc, ensure_ascii=False) for doc in DOCS))
    IndexStore(path, CHANGED).index_paths([source])
    recorded = json.loads((path / "current" / "bahth.json").read_text())["analysis"]
    assert recorded["stopwords_add"] == ["عاجل"] and recorded["stopwords_remove"] == ["لكن"]
    assert IndexStore(path).analysis == CHANGED  # later commands need no list
    # the same list spelled otherwise is the same analysis: accepted
    same = AnalysisConfig(stopwords_add=["عَاجِل"], stopwords_remove=["لكنّ"])
    assert IndexStore(path, same).index_paths([source]).unchanged == len(DOCS)
    for other in (
        AnalysisConfig(stopwords_add=("عاجل", "خبر"), stopwords_remove=("لكن",)),
        AnalysisConfig(stopwords_add=("عاجل",)),
        AnalysisConfig(),
    ):
        with pytest.raises(AnalysisMismatch, match=r"--rebuild .*--index"):
            IndexStore(path, other).index_paths([source])
    assert IndexStore(path).analysis == CHANGED  # nothing was written
    # a rebuild takes the new list, and search follows it
    new = AnalysisConfig(stopwords_add=("خبر",))
    IndexStore(path, new).index_paths([source], rebuild=True)
    assert IndexStore(path).analysis == new
    engine = SearchEngine(path)
    assert [hit.id for hit in engine.search("عاجل").hits][:1] == ["news"]
    assert "Only very common words" in engine.search("خبر").message
    engine.close()
