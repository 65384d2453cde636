"""The settings file's ``[analysis]`` stop-word lists and synonyms, end to end, on both
stores: indexed with ``bahth index --settings`` into a folder and a two-node cluster, then
searched from the CLI and the web with no settings given (the index keeps them). The rules
themselves are tested in test_stopword_settings.py and test_synonyms.py; here, that the
file reaches them, wherever the index is kept.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bahth.web import create_app
from tests.conftest import where
from tests.test_sphinx_backend import LocalCluster

SETTINGS = """
[analysis]
stem = "light"
stopwords_add = ["عاجل"]
stopwords_remove = ["لكن"]
synonyms = [["الأمم المتحدة", "الامم المتحده", "UN"], ["واشنطن", "الولايات المتحدة"]]
"""
FILLER = "وقال المتحدث في المؤتمر الصحفي إن الاجتماع تناول عدة ملفات مهمة"
NEWS = [
    {"id": "wash", "title": "زيارة", "text": f"زار الرئيس واشنطن أمس. {FILLER}"},
    {"id": "usa", "title": "زيارة", "text": f"زار الرئيس الولايات المتحدة أمس. {FILLER}"},
    {"id": "un", "title": "بيان", "text": f"أصدرت UN بيانا عن اليمن. {FILLER}"},
    {"id": "quake", "title": "عاجل: زلزال", "text": f"عاجل زلزال قوي يضرب المدينة. {FILLER}"},
    {"id": "rain", "title": "أمطار", "text": f"أمطار غزيرة لكن الطرق مفتوحة. {FILLER}"},
    {"id": "car", "title": "سوق", "text": f"اشترى سيارة جديدة. {FILLER}"},
    {"id": "vehicle", "title": "سوق", "text": f"اشترى مركبة جديدة. {FILLER}"},
    {"id": "casa", "title": "طقس", "text": f"أمطار غزيرة في الدار البيضاء. {FILLER}"},
    *[
        {"id": f"other-{n}", "title": "خبر", "text": f"خبر عن الطقس {n}. {FILLER}"}
        for n in range(4)
    ],
]


def bahth(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bahth", *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module", params=["folder", "cluster"])
def indexed(request, tmp_path_factory) -> tuple[str, Path]:
    """(the index folder or cluster URL, the data file): NEWS indexed with SETTINGS, as a
    user would."""
    folder = tmp_path_factory.mktemp("analysis-settings")
    data = folder / "news.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in NEWS), "utf-8")
    settings = folder / "settings.toml"
    settings.write_text(SETTINGS, "utf-8")
    index = str(folder / "index")
    if request.param == "cluster":
        local = LocalCluster(folder / "cluster")
        request.addfinalizer(local.stop)
        index = local.url
    done = bahth("index", str(data), "--settings", str(settings), *where(index))
    assert done.returncode == 0, done.stderr
    return index, data


def cli_hits(index: Path, q: str) -> list[tuple[str, float]]:
    done = bahth("search", q, *where(index), "--json", "--limit", "50")
    assert done.returncode == 0, done.stderr
    return [(hit["id"], hit["score"]) for hit in json.loads(done.stdout)["hits"]]


def web_hits(index: Path, q: str) -> list[dict]:
    client = create_app({"BAHTH_INDEX": str(index)}).test_client()
    answer = client.get("/api/search", query_string={"q": q, "per_page": 50})
    assert answer.status_code == 200, answer.data
    return answer.json["hits"]


# (query, the document found as typed, the one found only through a synonym)
SYNONYMS = [
    pytest.param("واشنطن", "wash", "usa", id="a-word-finds-its-phrase-below-it"),
    pytest.param("الولايات المتحدة", "usa", "wash", id="a-phrase-finds-its-word-below-it"),
]


@pytest.mark.parametrize(("q", "typed", "synonym"), SYNONYMS)
def test_synonyms_from_the_file_work_in_the_cli_and_on_the_web(indexed, q, typed, synonym):
    index, _ = indexed
    found = [doc for doc, _ in cli_hits(index, q)]
    assert found.index(typed) < found.index(synonym), found
    hits = web_hits(index, q)
    assert [hit["id"] for hit in hits] == found
    marked = next(hit for hit in hits if hit["id"] == synonym)["snippet_html"]
    assert "<mark>" in marked


def test_the_built_in_darija_groups_work_in_the_cli_and_on_the_web(indexed, tmp_path) -> None:
    """كازا is Casablanca in Darija: the file's own groups do not replace the built-in ones,
    and a settings file can turn them off at the next reindex (query time: no rebuild)."""
    index, data = indexed
    assert [doc for doc, _ in cli_hits(index, "كازا")] == ["casa"]
    assert [hit["id"] for hit in web_hits(index, "كازا")] == ["casa"]
    off = tmp_path / "off.toml"
    off.write_text(SETTINGS + "darija_synonyms = false\n", "utf-8")
    done = bahth("index", str(data), "--settings", str(off), *where(index))
    assert done.returncode == 0, done.stderr
    assert cli_hits(index, "كازا") == [] and web_hits(index, "كازا") == []
    restore = tmp_path / "on.toml"
    restore.write_text(SETTINGS, "utf-8")
    done = bahth("index", str(data), "--settings", str(restore), *where(index))
    assert done.returncode == 0, done.stderr
    assert [doc for doc, _ in cli_hits(index, "كازا")] == ["casa"]


# (query, what the page says it searched besides the words typed)
ALSO_SEARCHED = [
    pytest.param("كازا", ("كازا", "الدار البيضاء"), id="a-built-in-darija-group"),
    pytest.param("واشنطن", ("واشنطن", "الولايات المتحدة"), id="a-group-of-the-settings-file"),
]


@pytest.mark.parametrize(("q", "pair"), ALSO_SEARCHED)
def test_the_api_and_the_page_say_what_else_was_searched(indexed, q, pair) -> None:
    index, _ = indexed
    client = create_app({"BAHTH_INDEX": str(index)}).test_client()
    answer = client.get("/api/search", query_string={"q": q}).json
    typed, searched = pair
    assert {"typed": typed, "searched": searched} in answer["also_searched"], answer
    page = client.get("/search", query_string={"q": q}).get_data(as_text=True)
    shown = re.search(r'<p class="also-searched">(.*?)</p>', page, re.S)
    assert shown and searched in shown.group(1) and typed in shown.group(1)
    plain = client.get("/api/search", query_string={"q": f'"{q}"'}).json
    assert plain["also_searched"] == []  # quotes: the words typed only
    done = bahth("search", q, *where(index))
    assert done.returncode == 0 and f"{searched} (for {typed})" in done.stdout, done.stdout


@pytest.mark.parametrize("q", ["الأمم المتحدة", "الامم المتحده", "الأُمَم المتّحدة"])
def test_the_issue_s_group_finds_its_latin_entry_however_the_phrase_is_spelled(indexed, q):
    index, _ = indexed
    assert "un" in [doc for doc, _ in cli_hits(index, q)]


# (query with a stop word, the same without): an added word is ignored as built-in ones are
IGNORED = [
    pytest.param("عاجل زلزال", "زلزال", id="the-file-s-added-stop-word"),
    pytest.param("في زلزال", "زلزال", id="a-built-in-stop-word"),
]


@pytest.mark.parametrize(("with_stop", "without"), IGNORED)
def test_the_file_s_stop_words_are_ignored_in_the_cli_and_on_the_web(indexed, with_stop, without):
    index, _ = indexed
    expected = cli_hits(index, without)
    assert expected, "the query without the stop word finds something"
    assert cli_hits(index, with_stop) == expected
    assert web_hits(index, with_stop) == web_hits(index, without)


def test_the_file_s_removed_stop_word_is_searchable(indexed) -> None:
    index, _ = indexed
    assert [doc for doc, _ in cli_hits(index, "لكن")] == ["rain"]
    page = json.loads(bahth("search", "لكن", *where(index), "--json").stdout)
    assert "Only very common words" not in page["message"]  # a word, not a stop word
    assert [hit["id"] for hit in web_hits(index, "لكن")] == ["rain"]


def test_the_stop_lists_are_index_time_and_the_synonyms_query_time(indexed, tmp_path) -> None:
    index, data = indexed
    stats = json.loads(bahth("stats", *where(index), "--json").stdout)
    assert "stopwords+=عاجل" in stats["analyzer"] and "stopwords-=لكن" in stats["analyzer"]
    # another stop list without --rebuild: refused with the command that rebuilds
    other = tmp_path / "other.toml"
    other.write_text(SETTINGS.replace('["عاجل"]', '["عاجل", "خبر"]'), "utf-8")
    refused = bahth("index", str(data), "--settings", str(other), *where(index))
    assert refused.returncode == 2 and "--rebuild" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    # the same list spelled otherwise is the same analysis: no rebuild asked
    spelled = tmp_path / "spelled.toml"
    spelled.write_text(SETTINGS.replace('["عاجل"]', '["عَاجِل"]'), "utf-8")
    same = bahth("index", str(data), "--settings", str(spelled), *where(index))
    assert same.returncode == 0, same.stderr
    # other synonyms apply at once, with no rebuild
    assert "vehicle" not in [doc for doc, _ in cli_hits(index, "سيارة")]
    cars = tmp_path / "cars.toml"
    cars.write_text(SETTINGS.replace('["واشنطن",', '["سيارة", "مركبة"], ["واشنطن",'), "utf-8")
    done = bahth("index", str(data), "--settings", str(cars), *where(index))
    assert done.returncode == 0, done.stderr
    assert [doc for doc, _ in cli_hits(index, "سيارة")] == ["car", "vehicle"]


BAD = [
    pytest.param('stopwords_add = ["الأمم المتحدة"]', "stopwords_add", id="two-words-stop-word"),
    pytest.param('synonyms = [["واشنطن", "؟!"]]', "has no word", id="a-synonym-with-no-word"),
    pytest.param('synonyms = [["كازا", "=>"]]', "entries on both sides", id="an-arrow-at-the-end"),
    pytest.param("darija_synonyms = 1", "true or false", id="darija-synonyms-not-a-boolean"),
]


@pytest.mark.parametrize(("line", "says"), BAD)
def test_a_bad_analysis_setting_is_one_line_and_exit_2(tmp_path, line: str, says: str) -> None:
    settings = tmp_path / "bad.toml"
    settings.write_text(f"[analysis]\n{line}\n", "utf-8")
    data = tmp_path / "news.jsonl"
    data.write_text(json.dumps(NEWS[0], ensure_ascii=False) + "\n", "utf-8")
    done = bahth("index", str(data), "--settings", str(settings), "--index", str(tmp_path / "ix"))
    assert done.returncode == 2 and says in done.stderr and str(settings) in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert not (tmp_path / "ix").exists()
