"""Stories: near-duplicates grouped at index time (index/stories.py) and shown once a page
(search/stories.py), on a folder; tests/test_sphinx_backend.py runs the same on a cluster."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from bahth.cli import main
from bahth.index import stories as stories_module
from bahth.index.errors import AnalysisMismatch
from bahth.index.keys import document_key
from bahth.index.settings import Settings, SettingsError
from bahth.index.stories import Stories, fingerprint, similarity, story_id
from bahth.search.engine import SearchEngine
from bahth.web import create_app

LETTERS = "بتثجحخدذرزسشصضطظعغفقكلمنهي"
QUERY = "مفاوضات"


def words(seed: int, count: int = 120) -> list[str]:
    """``count`` made-up three-letter words, the same for the same seed."""
    rng = random.Random(seed)
    return ["".join(rng.choice(LETTERS) for _ in range(3)) for _ in range(count)]


def article(seed: int, changed: int = 0, count: int = 120) -> str:
    """An article with the query word first; ``changed`` of its words replaced (a copy
    edited that much), always the same ones."""
    text = words(seed, count)
    for n in range(changed):
        text[(7 * n + 3) % count] = f"بدل{LETTERS[n % len(LETTERS)]}"
    return " ".join([QUERY, *text])


def doc(doc_id: str, text: str, date: str = "2020-01-01", source: str = "وكالة") -> dict:
    return {"id": doc_id, "title": f"عنوان {doc_id}", "text": text, "date": date, "source": source}


def jsonl(path: Path, docs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), "utf-8")
    return path


def stories_of(engine: SearchEngine) -> dict[str, str]:
    """Every document's story id, read through the engine's uncollapsed page."""
    page = engine.search(QUERY, per_page=100, collapse=False)
    return {hit.id: hit.story_id for hit in page.hits}


# ---- the rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "together"),
    [
        pytest.param(article(1), article(1), True, id="the same text: one story"),
        pytest.param(article(1), article(1, changed=3), True, id="three words edited: a copy"),
        pytest.param(article(1), article(1) + " وأضاف المصدر", True, id="a line added: a copy"),
        pytest.param(article(1), article(2), False, id="another text: two stories"),
        pytest.param(article(1), article(1, changed=30), False, id="a quarter rewritten: two"),
        pytest.param("خبر عاجل", "خبر عاجل", True, id="two words alike: one shingle, one story"),
        pytest.param("خبر عاجل", "خبر آخر", False, id="two words, one different: two"),
        pytest.param("", "", False, id="no words: each alone"),
    ],
)
@pytest.mark.parametrize("brute", [64, 0], ids=["compared-at-once", "through-lsh"])
def test_which_documents_share_a_story(
    first: str, second: str, together: bool, brute: int, monkeypatch
) -> None:
    monkeypatch.setattr(stories_module, "BRUTE_JOINS", brute)
    others = [(f"o{n}", document_key(f"o{n}"), fingerprint("", article(200 + n))) for n in range(5)]
    stories = Stories(0.7, others)
    a = stories.join("a", fingerprint("", first))
    b = stories.join("b", fingerprint("", second))
    assert (a == b) is together
    assert a == document_key("a"), "the first document founds its story, keyed by its id"


def test_the_estimate_follows_the_word_5_gram_jaccard() -> None:
    base = words(3, 400)
    copy = base[:300] + words(4, 100)  # 296 of 496 distinct 5-grams shared: 0.6
    grams = {tuple(base[i : i + 5]) for i in range(396)}
    other = {tuple(copy[i : i + 5]) for i in range(396)}
    exact = len(grams & other) / len(grams | other)
    estimate = similarity(fingerprint("", " ".join(base)), fingerprint("", " ".join(copy)))
    assert abs(estimate - exact) < 0.1, (estimate, exact)


def test_a_founder_that_left_does_not_take_its_old_story_back_with_another_text() -> None:
    stories = Stories(0.7)
    first = stories.join("a", fingerprint("", article(1)))
    assert stories.join("b", fingerprint("", article(1))) == first
    moved = stories.join("a", fingerprint("", article(2)))  # a changed: it leaves
    assert moved != first, "b still holds a's story: a founds another"
    assert stories.sizes == {first: 1, moved: 1}


# ---- a folder index: forming, splitting, rebuilding ----------------------------------------


def form_split_rebuild(engine: SearchEngine, folder: Path) -> list[dict[str, str]]:
    """A story forming, splitting on an update and surviving a rebuild, checked on
    ``engine`` (a folder or a cluster); the stories at each step, to compare stores."""
    folder.mkdir()
    engine.index_paths([jsonl(folder / "a.jsonl", [doc("a", article(1)), doc("c", article(5))])])
    engine.index_paths([jsonl(folder / "b.jsonl", [doc("b", article(1, changed=2))])])
    formed = stories_of(engine)
    assert formed["a"] == formed["b"] == story_id(document_key("a")), "b joined a's story"
    assert formed["c"] != formed["a"]

    jsonl(folder / "a.jsonl", [doc("a", article(9)), doc("c", article(5))])  # a rewritten
    report = engine.index_paths([folder / "a.jsonl", folder / "b.jsonl"])
    assert report.updated == 1
    split = stories_of(engine)
    assert split["b"] == formed["b"], "b keeps its story while it has members"
    assert split["a"] not in (formed["a"], split["c"]), "a left it for a story of its own"
    assert engine.story(split["b"]) == ["b"]

    engine.index_paths([folder / "a.jsonl", folder / "b.jsonl"], rebuild=True)
    again = stories_of(engine)
    engine.index_paths([folder / "a.jsonl", folder / "b.jsonl"], rebuild=True)
    assert stories_of(engine) == again, "a rebuild of the same files gives the same stories"
    assert len(set(again.values())) == 3
    return [formed, split, again]


def test_a_story_forms_splits_on_an_update_and_survives_a_rebuild(tmp_path: Path) -> None:
    assert len(form_split_rebuild(SearchEngine(tmp_path / "ix"), tmp_path / "docs")) == 3


def test_a_deleted_founder_leaves_its_story_to_the_others(tmp_path: Path) -> None:
    engine = SearchEngine(tmp_path / "ix")
    engine.add_documents([doc("a", article(1)), doc("b", article(1, changed=1))])
    engine.add_documents([doc("c", article(1, changed=2))])
    story = stories_of(engine)["a"]
    assert engine.delete("a")
    assert stories_of(engine) == {"b": story, "c": story}
    page = engine.search(QUERY)
    assert [(h.story_id, h.story_size) for h in page.hits] == [(story, 2)]


# ---- the page --------------------------------------------------------------------------


def copies_and_others(copies: int, others: int) -> list[dict]:
    """``copies`` copies of one dispatch (one a day: the last the newest), ``others`` texts."""
    docs = [
        doc(f"copy-{n:02d}", article(1, changed=n % 3), date=f"2020-01-{n + 1:02d}")
        for n in range(copies)
    ]
    return docs + [doc(f"other-{n:02d}", article(100 + n)) for n in range(others)]


@pytest.fixture(scope="module")
def copies_index(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("stories") / "ix"
    SearchEngine(path).add_documents(copies_and_others(copies=15, others=12))
    return path


@pytest.mark.parametrize(
    ("options", "total", "documents", "shown"),
    [
        pytest.param({}, 13, 27, 10, id="collapsed: one story a hit, fetched past the copies"),
        pytest.param({"collapse": False}, 27, 27, 10, id="collapse=False: every document"),
        pytest.param({"page": 2}, 13, 27, 3, id="the second page of stories"),
        pytest.param({"sort": "-date"}, 13, 27, 10, id="by date: each story once too"),
    ],
)
def test_a_page_shows_each_story_once(copies_index, options, total, documents, shown) -> None:
    page = SearchEngine(copies_index).search(QUERY, **options)
    assert (page.total, page.total_documents, len(page.hits)) == (total, documents, shown)
    if options.get("collapse", True):
        assert len({hit.story_id for hit in page.hits}) == len(page.hits)
    sizes = {hit.story_size for hit in page.hits if hit.id.startswith("copy")}
    assert sizes == {15} or not sizes
    assert sum(page.facets["source"].values()) == 27, "facets count documents"


def test_a_story_lists_its_documents_newest_first(copies_index) -> None:
    engine = SearchEngine(copies_index)
    hit = next(h for h in engine.search(QUERY).hits if h.story_size > 1)
    assert engine.story(hit.story_id) == [f"copy-{n:02d}" for n in reversed(range(15))]
    view = engine.story_view(hit.story_id).to_dict()
    assert (view["id"], view["size"]) == (hit.story_id, 15)
    assert view["documents"][0]["date"].startswith("2020-01-15")
    assert engine.story("0000000000000000") == [] and engine.story("not a story") == []


def test_stories_off_in_the_settings_collapse_nothing(tmp_path: Path) -> None:
    off = tmp_path / "off.toml"
    off.write_text("[stories]\nenabled = false\n", "utf-8")
    engine = SearchEngine(tmp_path / "ix", settings=Settings.load(off))
    engine.add_documents(copies_and_others(copies=3, others=2))
    page = engine.search(QUERY)
    assert (page.total, page.total_documents) == (5, 5)
    assert {hit.story_size for hit in page.hits} == {1}


@pytest.mark.parametrize(
    ("text", "error"),
    [
        pytest.param("[stories]\nthreshold = 0.2\n", "threshold", id="too low: subjects join"),
        pytest.param('[stories]\nthreshold = "high"\n', "threshold", id="not a number"),
        pytest.param("[stories]\nenabled = 1\n", "enabled", id="enabled is true or false"),
        pytest.param("[stories]\nlimit = 3\n", "limit", id="an unknown key"),
    ],
)
def test_bad_story_settings_say_what_is_wrong(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "s.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(SettingsError, match=error):
        Settings.load(path)


def test_another_threshold_needs_a_rebuild_and_says_so(tmp_path: Path) -> None:
    engine = SearchEngine(tmp_path / "ix")
    engine.add_documents(copies_and_others(copies=2, others=1))
    path = tmp_path / "s.toml"
    path.write_text("[stories]\nthreshold = 0.9\n", "utf-8")
    result = CliRunner().invoke(
        main,
        [
            "index",
            str(jsonl(tmp_path / "d.jsonl", [doc("z", article(7))])),
            "--index",
            str(tmp_path / "ix"),
            "--settings",
            str(path),
        ],
    )
    assert result.exit_code == 2, "as for other index-time settings"
    assert "stories" in result.output and "--rebuild" in result.output
    with pytest.raises(AnalysisMismatch):
        SearchEngine(tmp_path / "ix", settings=Settings.load(path)).add_documents([doc("y", "")])


def test_an_index_made_before_stories_searches_and_says_how_to_get_them(
    tmp_path: Path, monkeypatch
) -> None:
    from bahth.index.whoosh import store

    def without_stories(*args, **kwargs):
        schema = build_schema(*args, **kwargs)
        schema.remove("story")
        schema.remove("fingerprint")
        return schema

    build_schema = store.build_schema
    monkeypatch.setattr(store, "build_schema", without_stories)
    engine = SearchEngine(tmp_path / "ix")
    report = engine.add_documents(copies_and_others(copies=3, others=1))
    assert any("--rebuild" in warning for warning in report.warnings)
    page = engine.search(QUERY)
    assert (page.total, {hit.story_size for hit in page.hits}) == (4, {1})


# ---- the faces: CLI, JSON, page -------------------------------------------------------------


def test_the_cli_says_more_in_this_story_and_no_collapse_lists_them(copies_index) -> None:
    args = ["search", QUERY, "--index", str(copies_index)]
    collapsed = CliRunner().invoke(main, args)
    assert collapsed.exit_code == 0
    assert "13 stories of 27 documents" in collapsed.output
    assert "+14 more in this story" in collapsed.output
    every = CliRunner().invoke(main, [*args, "--no-collapse", "--json"])
    answer = json.loads(every.output)
    assert (answer["total"], answer["total_documents"]) == (27, 27)
    assert {hit["story"]["size"] for hit in answer["hits"]} >= {15, 1}


@pytest.mark.parametrize(
    ("path", "status", "check"),
    [
        pytest.param(
            "/api/search?q=مفاوضات",
            200,
            lambda a: (a["total"], a["total_documents"]) == (13, 27),
            id="collapsed by default",
        ),
        pytest.param(
            "/api/search?q=مفاوضات&collapse=0",
            200,
            lambda a: a["total"] == 27,
            id="collapse=0: every document",
        ),
        pytest.param(
            "/api/search?q=مفاوضات&collapse=yes",
            400,
            lambda a: a["parameter"] == "collapse",
            id="collapse is 0 or 1",
        ),
        pytest.param(
            "/api/story/0000000000000000",
            404,
            lambda a: a["code"] == "story_not_found",
            id="no such story",
        ),
        pytest.param("/api/story/..", 404, lambda a: a["status"] == 404, id="not a story id"),
    ],
)
def test_the_json_api(copies_index, path, status, check) -> None:
    response = create_app({"BAHTH_INDEX": str(copies_index)}).test_client().get(path)
    assert response.status_code == status
    assert check(response.get_json())


def test_the_page_links_a_hit_to_its_story_page(copies_index) -> None:
    client = create_app({"BAHTH_INDEX": str(copies_index)}).test_client()
    answer = client.get(f"/api/search?q={QUERY}").get_json()
    story = next(hit["story"] for hit in answer["hits"] if hit["story"]["size"] > 1)
    page = client.get(f"/search?q={QUERY}").get_data(as_text=True)
    assert f'href="/story/{story["id"]}?q=' in page
    assert "و 14 مصدرا آخر" in page, "14: a singular after numbers 11 to 99"
    listed = client.get(f"/api/story/{story['id']}").get_json()
    assert (listed["size"], len(listed["documents"])) == (15, 15)
    assert set(listed["documents"][0]) == {"id", "title", "source", "date", "url"}
    assert "collapse=0" in page, "the count line offers every document"
    every = client.get(f"/search?q={QUERY}&collapse=0").get_data(as_text=True)
    assert 'class="each-story"' in every, "and every document offers each story once"
    html = client.get(f"/story/{story['id']}").get_data(as_text=True)
    assert 'dir="rtl"' in html and html.count('class="hit"') == 15
