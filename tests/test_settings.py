"""The settings file: what it reads, what it refuses (one row per rule), and how an index keeps
its settings: later commands need no --settings, index-time changes need --rebuild,
query-time changes apply at once. Also the input side: key mapping, standard input, strict
mode, and values a declared field cannot take."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bahth.index.settings import Settings, SettingsError
from bahth.index.whoosh.store import IndexStore
from bahth.search.engine import SearchEngine

# The issue's example, exactly as written there.
ISSUE_EXAMPLE = """
[fields.section]
type = "keyword"
facet = true

[fields.published]
type = "date"

[fields.words]
type = "number"

[fields.link]
type = "stored"

[analysis]
stem = "light"
stopwords_add = ["عاجل"]
stopwords_remove = []
synonyms = [["الأمم المتحدة", "الامم المتحده", "UN"], ["واشنطن", "الولايات المتحدة"]]
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def bahth(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bahth", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def jsonl(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def test_the_issue_example_reads_as_written(tmp_path: Path) -> None:
    settings = Settings.load(write(tmp_path / "s.toml", ISSUE_EXAMPLE))
    assert [(f.name, f.type, f.facet) for f in settings.fields] == [
        ("section", "keyword", True),
        ("published", "date", False),
        ("words", "number", False),
        ("link", "stored", False),
    ]
    assert settings.stem == "light" and settings.stopwords_add == ("عاجل",)
    assert settings.stopwords_remove == ()
    assert settings.synonyms == (
        ("الأمم المتحدة", "الامم المتحده", "UN"),
        ("واشنطن", "الولايات المتحدة"),
    )
    assert settings.facets == ["section"]
    assert Settings.from_dict(settings.as_dict()) == settings, "the index's record reads back"


def test_no_fields_table_keeps_the_default_fields(tmp_path: Path) -> None:
    settings = Settings.load(write(tmp_path / "s.toml", '[analysis]\nstem = "snowball"\n'))
    assert settings.fields == Settings().fields and settings.stem == "snowball"
    assert settings.facets == ["source", "year"]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        pytest.param('[fields.a]\ntype = "kw"\n', "use one of text, keyword", id="unknown-type"),
        pytest.param("[fields.a]\nfacet = true\n", "has no type", id="no-type"),
        pytest.param(
            '[fields.a]\ntype = "date"\nfacet = true\n', "for keyword fields", id="facet-on-a-date"
        ),
        pytest.param(
            '[fields.a]\ntype = "keyword"\ntpye = "x"\n', "no setting 'tpye'", id="misspelt-key"
        ),
        pytest.param(
            '[fields.a]\ntype = "keyword"\nweight = 2\n',
            "weight is for text fields",
            id="weight-on-a-keyword",
        ),
        pytest.param(
            '[fields.title]\ntype = "keyword"\n', 'always type = "text"', id="title-is-text"
        ),
        pytest.param(
            "[fields.title]\nweight = 0\n", "from 0.001 to 1000", id="weight-not-positive"
        ),
        pytest.param(
            "[fields.title]\nweight = inf\n",
            "from 0.001 to 1000",
            id="weight-inf-made-every-score-Infinity",
        ),
        pytest.param(
            "[fields.title]\nweight = 1e308\n",
            "from 0.001 to 1000",
            id="weight-1e308-overflowed-every-score-to-Infinity",
        ),
        pytest.param(
            "[fields.text]\nweight = 1e-300\n",
            "from 0.001 to 1000",
            id="weight-1e-300-made-every-score-0",
        ),
        pytest.param("[fields.title]\nweight = nan\n", "from 0.001 to 1000", id="weight-nan"),
        pytest.param(
            '[fields.id]\ntype = "keyword"\n', "[input] id names its key", id="id-is-not-declared"
        ),
        pytest.param(
            '[fields.summary]\ntype = "text"\nfacet = true\n',
            "facet = true is for keyword fields",
            id="facet-on-a-text-field",
        ),
        pytest.param(
            '[fields.summary]\ntype = "text"\nweight = -1\n',
            "from 0.001 to 1000",
            id="text-weight-negative",
        ),
        pytest.param('[fields.has]\ntype = "keyword"\n', "not one of", id="reserved-name"),
        pytest.param(
            '[fields.text_stems]\ntype = "keyword"\n',
            "text_stems",
            id="the-column-of-texts-stem-lists-is-taken",
        ),
        pytest.param('[fields.a_exact]\ntype = "keyword"\n', "_exact", id="exact-suffix"),
        pytest.param('[fields.story]\ntype = "keyword"\n', "column", id="story-was-a-traceback"),
        pytest.param('[fields.fingerprint]\ntype = "text"\n', "column", id="fingerprint-too"),
        pytest.param(
            '[fields."a b"]\ntype = "keyword"\n', "letters, digits and _", id="name-with-a-space"
        ),
        pytest.param(
            '[fields._a]\ntype = "keyword"\n',
            "starting with a letter",
            id="leading-underscore-whoosh-refused-it-with-a-traceback",
        ),
        pytest.param(
            '[fields.y]\ntype = "keyword"\nyear_of = "d"\n', 'type = "date"', id="year-of-no-date"
        ),
        pytest.param('[analysis]\nstem = "porter"\n', "use one of light", id="unknown-stemmer"),
        pytest.param(
            '[analysis]\nsynonyms = ["a", "b"]\n', "groups of two or more", id="synonyms-not-groups"
        ),
        pytest.param(
            '[analysis]\nstopwords_add = "عاجل"\n', "list of words", id="stopwords-not-a-list"
        ),
        pytest.param('[input]\nid = "key"\ntext = "key"\n', "different keys", id="one-key-twice"),
        pytest.param('[input]\nstrict = "yes"\n', "true or false", id="strict-not-a-bool"),
        pytest.param("[server]\nport = 1\n", "no setting 'server'", id="unknown-table"),
        pytest.param("[fields.a\n", "not valid TOML", id="not-toml"),
    ],
)
def test_a_settings_file_that_cannot_be_used_says_why(tmp_path: Path, text, says) -> None:
    path = write(tmp_path / "s.toml", text)
    with pytest.raises(SettingsError, match=None) as caught:
        Settings.load(path)
    assert says in str(caught.value) and str(path) in str(caught.value)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("q", id="q-a-facet-link-replaced-the-query"),
        pytest.param("page", id="page-is-the-page-number"),
        pytest.param("per_page", id="per_page-is-the-page-size"),
        pytest.param("sort", id="sort-is-the-order"),
        pytest.param("endpoint", id="endpoint-is-url_for-s-own-argument-a-500"),
    ],
)
def test_a_field_named_as_a_search_page_parameter_is_refused(tmp_path: Path, name: str) -> None:
    """Every other parameter of a search URL filters a field: a field of one of the page's own
    names could never be filtered, and its facet links broke the page's URLs."""
    write(tmp_path / "a.jsonl", jsonl([{"id": "1", "text": "نص", name: "news"}]))
    settings = write(tmp_path / "s.toml", f'[fields.{name}]\ntype = "keyword"\nfacet = true\n')
    index = tmp_path / "ix"
    done = bahth(
        "index", str(tmp_path / "a.jsonl"), "--settings", str(settings), "--index", str(index)
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and f"[fields.{name}]" in done.stderr
    assert "rename the field" in done.stderr and "Traceback" not in done.stderr
    assert not index.exists(), "nothing is written"


@pytest.mark.parametrize(
    ("content", "says"),
    [
        pytest.param(
            '[fields.section]\ntype = "keyword"\nlabel = "القسم"\n'.encode("cp1256"),
            "not UTF-8 text (bad byte at offset",
            id="not-utf8-was-a-traceback",
        ),
        pytest.param(b"[fields.a\n", "not valid TOML", id="not-toml"),
        pytest.param(None, "cannot read the settings file", id="a-folder-not-a-file"),
        pytest.param(b"", "cannot read the settings file", id="missing"),
    ],
)
def test_a_settings_file_that_cannot_be_read_is_one_line_and_exit_2(
    tmp_path: Path, content: bytes | None, says: str
) -> None:
    write(tmp_path / "a.jsonl", jsonl([{"id": "1", "text": "نص"}]))
    settings = tmp_path / "s.toml"
    if content is None:
        settings.mkdir()
    elif content:
        settings.write_bytes(content)
    index = tmp_path / "ix"
    done = bahth(
        "index", str(tmp_path / "a.jsonl"), "--settings", str(settings), "--index", str(index)
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and says in done.stderr and str(settings) in done.stderr
    assert not index.exists(), "nothing is written"


def test_a_settings_file_saved_with_a_byte_order_mark_reads(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_bytes(b"\xef\xbb\xbf" + b'[fields.section]\ntype = "keyword"\n')
    assert [spec.name for spec in Settings.load(path).fields] == ["section"]


def test_a_missing_settings_file_is_exit_2(tmp_path: Path) -> None:
    write(tmp_path / "a.jsonl", jsonl([{"id": "1", "text": "نص"}]))
    done = bahth(
        "index",
        str(tmp_path / "a.jsonl"),
        "--settings",
        str(tmp_path / "no.toml"),
        "--index",
        str(tmp_path / "ix"),
    )
    assert done.returncode == 2 and "cannot read the settings file" in done.stderr
    assert not (tmp_path / "ix").exists(), "nothing is written"


NEWS = [
    {
        "doc_id": "a",
        "headline": "عنوان أول",
        "body": "نص عن الاقتصاد",
        "section": "sport",
        "words": 120,
    },
    {
        "doc_id": "b",
        "headline": "عنوان ثان",
        "body": "نص آخر عن الاقتصاد",
        "section": "economy",
        "words": 800,
    },
]
MAPPED = """
[input]
id = "doc_id"
title = "headline"
text = "body"

[fields.section]
type = "keyword"
facet = true

[fields.words]
type = "number"
"""


def test_an_index_keeps_its_settings_and_refuses_index_time_changes(tmp_path: Path) -> None:
    data = write(tmp_path / "news.jsonl", jsonl(NEWS))
    settings = write(tmp_path / "s.toml", MAPPED)
    index = str(tmp_path / "ix")
    assert bahth("index", str(data), "--settings", str(settings), "--index", index).returncode == 0
    # later commands need no --settings
    again = bahth("index", str(data), "--index", index, "--json")
    assert again.returncode == 0 and json.loads(again.stdout.splitlines()[-1])["unchanged"] == 2
    found = json.loads(
        bahth("search", "الاقتصاد", "--index", index, "--json", "--filter", "section=sport").stdout
    )
    assert [hit["id"] for hit in found["hits"]] == ["a"]
    # an index-time change (a field's type) is refused with the command that rebuilds
    changed = write(tmp_path / "changed.toml", MAPPED.replace('type = "number"', 'type = "stored"'))
    refused = bahth("index", str(data), "--settings", str(changed), "--index", index)
    assert refused.returncode == 2
    assert f"bahth index --rebuild {data} --settings {changed} --index {index}" in refused.stderr
    assert SearchEngine(index).settings.field("words").type == "number", "nothing changed"
    rebuilt = bahth("index", str(data), "--settings", str(changed), "--index", index, "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert SearchEngine(index).settings.field("words").type == "stored"


def test_query_time_settings_apply_at_once(tmp_path: Path) -> None:
    data = write(tmp_path / "news.jsonl", jsonl(NEWS))
    index = str(tmp_path / "ix")
    settings = write(tmp_path / "s.toml", MAPPED)
    assert bahth("index", str(data), "--settings", str(settings), "--index", index).returncode == 0
    engine = SearchEngine(index)
    assert set(engine.search("الاقتصاد").facets) == {"section"}
    weighted = MAPPED.replace("facet = true", "facet = false") + "\n[fields.title]\nweight = 3\n"
    done = bahth(
        "index",
        str(data),
        "--settings",
        str(write(tmp_path / "w.toml", weighted)),
        "--index",
        index,
    )
    assert done.returncode == 0, done.stderr
    assert engine.search("الاقتصاد").facets == {}, "the same engine sees the new settings"
    assert engine.settings.title_weight == 3.0
    title_word = engine.search("أول")
    assert title_word.hits[0].score > 0


def test_weights_weigh(tmp_path: Path) -> None:
    docs = [
        {"id": "t", "title": "الاقتصاد", "text": "نص"},
        {"id": "x", "title": "نص", "text": "الاقتصاد"},
    ]
    scores = {}
    for weight in (1, 4):
        text = f"[fields.title]\nweight = {weight}\n"
        settings = Settings.load(write(tmp_path / f"{weight}.toml", text))
        engine = SearchEngine(tmp_path / f"ix{weight}", settings=settings)
        engine.add_documents(docs)
        scores[weight] = {hit.id: hit.score for hit in engine.search("الاقتصاد").hits}
    # a short text field outweighs the title at weight 1; at weight 4 the title wins
    assert scores[1]["x"] > scores[1]["t"] and scores[4]["t"] > scores[4]["x"], scores


def test_input_mapping_and_standard_input(tmp_path: Path) -> None:
    index = str(tmp_path / "ix")
    done = bahth(
        "index",
        "-",
        "--format",
        "jsonl",
        "--id-field",
        "doc_id",
        "--title-field",
        "headline",
        "--text-field",
        "body",
        "--index",
        index,
        stdin=jsonl(NEWS),
    )
    assert done.returncode == 0 and "2 added" in done.stdout, done.stderr
    hits = json.loads(bahth("search", "الاقتصاد", "--index", index, "--json").stdout)["hits"]
    assert {hit["id"] for hit in hits} == {"a", "b"}
    assert {hit["title"] for hit in hits} == {"عنوان أول", "عنوان ثان"}
    assert hits[0]["fields"] == {
        k: v
        for k, v in NEWS[0 if hits[0]["id"] == "a" else 1].items()
        if k not in ("doc_id", "headline", "body")
    }
    # the mapping is kept: a later run reads the same keys without being told
    more = [{"doc_id": "c", "headline": "ثالث", "body": "الاقتصاد أيضا"}]
    later = bahth("index", "-", "--format", "jsonl", "--index", index, stdin=jsonl(more))
    assert later.returncode == 0 and "1 added" in later.stdout, later.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        pytest.param(["-"], "--format jsonl|csv", id="stdin-without-format"),
        pytest.param(["seeds", "--format", "jsonl"], "give - as the PATH", id="format-no-stdin"),
        pytest.param(["-", "-", "--format", "jsonl"], "read once", id="stdin-twice"),
        pytest.param(
            ["-", "--format", "jsonl", "--id-field", "a", "--text-field", "a"],
            "must differ",
            id="same-key-twice",
        ),
        pytest.param(
            ["-", "--format", "jsonl", "--stem", "snowball", "--settings", "S"],
            "disagree",
            id="stem-against-settings-file",
        ),
    ],
)
def test_input_usage_errors_are_exit_2(tmp_path: Path, args, says) -> None:
    settings = str(write(tmp_path / "s.toml", '[analysis]\nstem = "light"\n'))
    args = [settings if a == "S" else a for a in args]
    done = bahth("index", *args, "--index", str(tmp_path / "ix"), stdin="")
    assert done.returncode == 2 and says in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_strict_mode_names_undeclared_fields_as_bad_input(tmp_path: Path) -> None:
    data = write(tmp_path / "news.jsonl", jsonl(NEWS + [{**NEWS[0], "doc_id": "c", "mood": 1}]))
    strict = write(tmp_path / "s.toml", MAPPED.replace("[input]", "[input]\nstrict = true"))
    done = bahth("index", str(data), "--settings", str(strict), "--index", str(tmp_path / "ix"))
    assert done.returncode == 1
    assert f"{data}:3: field 'mood' is not declared" in done.stderr
    assert "2 added" in done.stdout
    lenient = bahth(
        "index",
        str(data),
        "--settings",
        str(write(tmp_path / "l.toml", MAPPED)),
        "--index",
        str(tmp_path / "ix2"),
    )
    assert lenient.returncode == 0 and "3 added" in lenient.stdout


@pytest.mark.parametrize(
    ("value", "indexed"),
    [
        pytest.param("sport", True, id="text"),
        pytest.param(["sport", "news"], True, id="list-of-texts"),
        pytest.param(7, True, id="a-number-as-text"),
        pytest.param({"a": 1}, False, id="object-is-bad-input"),
        pytest.param([["sport"]], False, id="list-of-lists-is-bad-input"),
    ],
)
def test_what_a_keyword_field_takes(tmp_path: Path, value, indexed) -> None:
    store = IndexStore(tmp_path / "ix")
    report = store.add_documents([{"id": "d", "text": "نص", "source": value}])
    assert (report.added, report.failed) == ((1, 0) if indexed else (0, 1))
    if not indexed:
        assert "source is not text, a number, or a list of them" in report.failures[0].reason


@pytest.mark.parametrize(
    ("value", "found"),
    [
        pytest.param("250", True, id="number-as-text"),
        pytest.param(250.0, True, id="float"),
        pytest.param("٢٥٠", True, id="arabic-indic-digits"),
        pytest.param("many", False, id="not-a-number-not-indexed-but-kept"),
    ],
)
def test_an_unreadable_number_is_not_indexed_and_kept_as_given(tmp_path: Path, value, found):
    settings = Settings.load(write(tmp_path / "s.toml", '[fields.words]\ntype = "number"\n'))
    engine = SearchEngine(tmp_path / "ix", settings=settings)
    assert engine.add_documents([{"id": "d", "text": "الاقتصاد", "words": value}]).added == 1
    page = engine.search("الاقتصاد", filters={"words": "200..300"})
    assert (page.total == 1) is found
    assert engine.search("الاقتصاد").hits[0].fields == {"words": value}


SUMMARY = """
[fields.summary]
type = "text"
weight = 0.5
"""


def test_a_declared_text_field_is_analyzed_searched_and_weighed(tmp_path: Path) -> None:
    settings = Settings.load(write(tmp_path / "s.toml", SUMMARY))
    engine = SearchEngine(tmp_path / "ix", settings=settings)
    docs = [
        {"id": "in-summary", "title": "عنوان", "text": "نص", "summary": "المفاوضات النووية"},
        {"id": "in-text", "title": "عنوان", "text": "المفاوضات النووية", "summary": "ملخص"},
        {"id": "listed", "title": "عنوان", "text": "نص", "summary": ["سطر", "مفاوضات"]},
    ]
    assert engine.add_documents(docs).added == 3
    found = engine.search("مفاوضات")  # the stem meets المفاوضات: the field is analyzed
    assert {hit.id for hit in found.hits} == {"in-summary", "in-text", "listed"}
    assert found.hits[0].id == "in-text", "weight 0.5: the text outweighs the summary"
    only = engine.search("summary:مفاوضات")
    assert {hit.id for hit in only.hits} == {"in-summary", "listed"}
    phrase = engine.search('+"المفاوضات النووية"')
    assert {hit.id for hit in phrase.hits} == {"in-summary", "in-text"}, "its exact twin"
    assert only.hits[0].fields["summary"] in ("المفاوضات النووية", ["سطر", "مفاوضات"])
    bad = engine.add_documents([{"id": "x", "text": "نص", "summary": {"a": 1}}])
    assert bad.failed == 1 and "summary is not text" in bad.failures[0].reason


def test_a_changed_input_key_without_a_settings_file_asks_for_rebuild_only(tmp_path: Path):
    data = write(tmp_path / "news.jsonl", jsonl(NEWS))
    index = str(tmp_path / "ix")
    assert (
        bahth(
            "index",
            str(data),
            "--settings",
            str(write(tmp_path / "s.toml", MAPPED)),
            "--index",
            index,
        ).returncode
        == 0
    )
    refused = bahth("index", str(data), "--index", index, "--id-field", "key")
    assert refused.returncode == 2
    assert f"(`bahth index --rebuild {data} --index {index} --id-field key`, " in refused.stderr
    assert "bahth.json" not in refused.stderr, "the index's record is no settings file"


def test_a_rebuild_that_indexed_nothing_still_searches(tmp_path: Path) -> None:
    """Every record failed: the index is empty, and a search says so (no traceback)."""
    data = write(tmp_path / "bad.jsonl", jsonl([{"doc_id": "a"}]))
    index = str(tmp_path / "ix")
    assert bahth("index", str(data), "--index", index, "--id-field", "doc_id").returncode == 1
    for extra in ([], ["--sort", "-date", "--filter", "source=x"]):
        done = bahth("search", "نص", "--index", index, *extra)
        assert done.returncode == 0 and "0 documents" in done.stdout, done.stderr
