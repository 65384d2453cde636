"""Declared fields, end to end, on both stores: a news JSONL with its own keys and fields
(section, author, tags as a list, a publication date, a word count, a link), indexed with a
settings file by the real `bahth index` into a folder and into a two-node cluster, then
searched from the library, the CLI and the web: filters by section and by a word-count
range, facets, sorting by date both ways with undated documents last, every stored field
back as given, and a clear error for an unknown field. Later commands give no settings file:
each store keeps its own.

Expected answers are computed from the records themselves, never written down.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from conftest import running_server, where

from bahth.search.engine import SearchEngine
from bahth.web import create_app
from tests.test_sphinx_backend import LocalCluster

WORD = "الاقتصاد"  # in every body: a query that finds every document
SECTIONS = ("sport", "economy", "politics", "culture")
TAGS = ("الرياض", "جدة", "النفط", "كرة القدم", "الطقس")

SETTINGS = """
[input]
id = "doc_id"
title = "headline"
text = "body"

[fields.section]
type = "keyword"
facet = true

[fields.author]
type = "keyword"

[fields.tags]
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


def news_records(count: int = 60) -> list[dict]:
    rng = random.Random(11)
    records = []
    for n in range(count):
        record = {
            "doc_id": f"n{n:03d}",
            "headline": f"خبر رقم {n} عن {WORD}",
            "body": f"نص الخبر {n} يتحدث عن {WORD} في المملكة وعن أمور أخرى.",
            "section": SECTIONS[n % len(SECTIONS)],
            "author": rng.choice(["سارة", "محمد", "ليلى"]),
            "tags": rng.sample(TAGS, rng.randint(1, 3)),
            "link": f"https://example.org/{n}",
        }
        if n % 5:  # every fifth is undated
            record["published"] = f"2015-{1 + n % 12:02d}-{1 + n % 28:02d}"
        if n % 7:  # every seventh has no word count
            record["words"] = rng.randint(50, 900)
        if n % 9 == 0:  # a field nobody declared, and not a simple value
            record["extra"] = {"votes": [n, n + 1], "note": "غير معلن"}
        records.append(record)
    return records


def given(record: dict) -> dict:
    return {k: v for k, v in record.items() if k not in ("doc_id", "headline", "body")}


def bahth(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bahth", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module", params=["folder", "cluster"])
def news(request, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, list[dict]]:
    """(index folder or cluster URL, settings file, records): built by the real `bahth index
    --settings`."""
    folder = tmp_path_factory.mktemp("fields")
    records = news_records()
    data = folder / "news.jsonl"
    data.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    settings = folder / "settings.toml"
    settings.write_text(SETTINGS, encoding="utf-8")
    index = str(folder / "index")
    if request.param == "cluster":
        local = LocalCluster(folder / "cluster")
        request.addfinalizer(local.stop)
        index = local.url
    done = bahth("index", str(data), "--settings", str(settings), *where(index))
    assert done.returncode == 0, done.stderr
    return index, settings, records


@pytest.fixture(scope="module")
def engine(news):
    engine = SearchEngine(news[0])
    yield engine
    engine.close()


def by_id(records: list[dict]) -> dict[str, dict]:
    return {r["doc_id"]: r for r in records}


# ---- the library ----------------------------------------------------------------------


def test_every_stored_field_comes_back_as_given(engine, news) -> None:
    records = by_id(news[2])
    page = engine.search(WORD, per_page=1000)
    assert page.total == len(records)
    for hit in page.hits:
        assert hit.fields == given(records[hit.id]), hit.id
    assert any("extra" in hit.fields for hit in page.hits), "undeclared fields are kept"


def test_filter_by_section_and_by_word_range(engine, news) -> None:
    records = news[2]
    page = engine.search(WORD, per_page=1000, filters={"section": "sport", "words": "100..500"})
    expected = {
        r["doc_id"]
        for r in records
        if r["section"] == "sport" and "words" in r and 100 <= r["words"] <= 500
    }
    assert expected and {hit.id for hit in page.hits} == expected
    assert page.total == len(expected)


@pytest.mark.parametrize(
    ("filters", "keep"),
    [
        pytest.param({"words": "..200"}, lambda r: r.get("words", 10**9) <= 200, id="open-low"),
        pytest.param({"words": "600.."}, lambda r: r.get("words", -1) >= 600, id="open-high"),
        pytest.param(
            {"published": "2015-03"}, lambda r: "2015-03" in r.get("published", ""), id="date-month"
        ),
        pytest.param({"tags": "النفط"}, lambda r: "النفط" in r["tags"], id="one-of-many-tags"),
        pytest.param({"author": "ليلى"}, lambda r: r["author"] == "ليلى", id="keyword-not-facet"),
    ],
)
def test_each_kind_of_filter_keeps_what_it_says(engine, news, filters, keep) -> None:
    page = engine.search(WORD, per_page=1000, filters=filters)
    expected = {r["doc_id"] for r in news[2] if keep(r)}
    assert expected and {hit.id for hit in page.hits} == expected


def test_query_language_filters_as_the_filters_argument_does(engine) -> None:
    typed = engine.search(f"{WORD} section:sport words:100..500", per_page=1000)
    given_ = engine.search(WORD, per_page=1000, filters={"section": "sport", "words": "100..500"})
    assert typed.total == given_.total > 0
    assert [h.id for h in typed.hits] == [h.id for h in given_.hits]


def test_facet_counts_add_up(engine, news) -> None:
    records = news[2]
    page = engine.search(WORD, per_page=1000)
    assert set(page.facets) == {"section", "tags"}, "facets are the fields with facet = true"
    assert sum(page.facets["section"].values()) == page.total
    assert page.facets["section"] == dict(Counter(r["section"] for r in records))
    assert page.facets["tags"] == dict(Counter(t for r in records for t in r["tags"]))
    counts = list(page.facets["tags"].values())
    assert counts == sorted(counts, reverse=True)
    narrowed = engine.search(WORD, per_page=1000, filters={"section": "economy"})
    assert narrowed.facets["section"] == {"economy": narrowed.total}


@pytest.mark.parametrize("descending", [False, True], ids=["oldest-first", "newest-first"])
def test_sort_by_date_both_ways_with_undated_last(engine, news, descending) -> None:
    records = by_id(news[2])
    sort = "-published" if descending else "published"
    page = engine.search(WORD, per_page=1000, sort=sort)
    dates = [records[hit.id].get("published") for hit in page.hits]
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=descending) and len(set(dated)) > 5
    assert dates == dated + [None] * (len(dates) - len(dated)), "undated last"
    relevance = {hit.id: hit.score for hit in engine.search(WORD, per_page=1000).hits}
    assert {hit.id: hit.score for hit in page.hits} == relevance, "the score is relevance"


@pytest.mark.parametrize("descending", [False, True], ids=["smallest-first", "largest-first"])
def test_sort_by_number_with_missing_last(engine, news, descending) -> None:
    records = by_id(news[2])
    page = engine.search(WORD, per_page=1000, sort="-words" if descending else "words")
    words = [records[hit.id].get("words") for hit in page.hits]
    counted = [w for w in words if w is not None]
    assert counted == sorted(counted, reverse=descending)
    assert words == counted + [None] * (len(words) - len(counted))


@pytest.mark.parametrize(
    ("call", "names"),
    [
        pytest.param(
            {"filters": {"bogus": "1"}},
            "section, author, tags, published, words",
            id="unknown-filter-field",
        ),
        pytest.param({"filters": {"link": "x"}}, "section, author", id="stored-field-not-a-filter"),
        pytest.param({"sort": "bogus"}, "-published, words, -words", id="unknown-sort-key"),
        pytest.param({"sort": "section"}, "relevance, published", id="keyword-is-no-sort-key"),
        pytest.param(
            {"filters": {"words": "many"}},
            "range such as 100..500",
            id="number-filter-not-a-number",
        ),
        pytest.param(
            {"filters": {"published": "July"}},
            "2015-07-01..2015-07-31",
            id="date-filter-not-a-date",
        ),
    ],
)
def test_what_cannot_be_applied_is_a_value_error_naming_what_can(engine, call, names) -> None:
    with pytest.raises(ValueError, match=names.replace(".", r"\.")):
        engine.search(WORD, **call)


def test_page_json_has_fields_and_facets(engine, news) -> None:
    data = engine.search(WORD, per_page=1000).to_dict()
    records = by_id(news[2])
    assert all(hit["fields"] == given(records[hit["id"]]) for hit in data["hits"])
    assert set(data["facets"]) == {"section", "tags"}
    json.dumps(data, ensure_ascii=False)  # the page is JSON as it is


# ---- the command line -----------------------------------------------------------------


def test_cli_search_filters_sorts_and_returns_fields(news, engine) -> None:
    index, _, records = news
    done = bahth(
        "search",
        WORD,
        *where(index),
        "--filter",
        "section=sport",
        "--filter",
        "words=100..500",
        "--sort",
        "-published",
        "--json",
        "--limit",
        "1000",
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    library = engine.search(
        WORD, per_page=1000, filters={"section": "sport", "words": "100..500"}, sort="-published"
    )
    assert [h["id"] for h in data["hits"]] == [h.id for h in library.hits] != []
    assert all(h["fields"] == given(by_id(records)[h["id"]]) for h in data["hits"])
    assert all("T" not in h["fields"].get("published", "") for h in data["hits"]), "as given"


def test_cli_prints_the_relevance_score_when_sorting(news, engine) -> None:
    done = bahth("search", WORD, *where(news[0]), "--sort", "-published", "--limit", "5")
    assert done.returncode == 0, done.stderr
    shown = [float(s) for s in __import__("re").findall(r"score: (-?[0-9.]+)", done.stdout)]
    relevance = {round(h.score, 3) for h in engine.search(WORD, per_page=1000).hits}
    assert len(shown) == 5 and set(shown) <= relevance


@pytest.mark.parametrize(
    ("args", "says"),
    [
        pytest.param(["--filter", "bogus=1"], "section, author, tags", id="unknown-filter"),
        pytest.param(["--sort", "bogus"], "relevance, published", id="unknown-sort"),
        pytest.param(["--filter", "section"], "FIELD=VALUE", id="filter-without-value"),
        pytest.param(["--filter", "words=x"], "number field", id="bad-number"),
    ],
)
def test_cli_refuses_what_it_cannot_apply_with_exit_2(news, args, says) -> None:
    done = bahth("search", WORD, *where(news[0]), *args)
    assert done.returncode == 2 and says in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


# ---- the web ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(news):
    return create_app({"BAHTH_INDEX": str(news[0])}).test_client()


def test_web_filters_sorts_and_shows_facets(client, engine) -> None:
    args = {"q": WORD, "section": "sport", "words": "100..500", "sort": "-published"}
    data = client.get("/api/search", query_string={**args, "per_page": 50}).json
    library = engine.search(
        WORD, per_page=50, filters={"section": "sport", "words": "100..500"}, sort="-published"
    )
    assert [h["id"] for h in data["hits"]] == [h.id for h in library.hits] != []
    assert data["facets"] == library.facets
    page = client.get("/search", query_string={"q": WORD}).get_data(as_text=True)
    assert 'data-facet="section"' in page and 'data-facet="tags"' in page
    assert 'data-facet="source"' not in page, "only the fields declared with facet = true"
    narrowed = client.get("/search", query_string={"q": WORD, "section": "sport"})
    assert narrowed.status_code == 200
    assert f"{library.facets['section']['sport']} نتيجة" in narrowed.get_data(as_text=True)


@pytest.mark.parametrize(
    ("args", "parameter", "allowed"),
    [
        pytest.param(
            {"bogus": "1"},
            "bogus",
            ["section", "author", "tags", "published", "words"],
            id="unknown-field",
        ),
        pytest.param(
            {"sort": "bogus"},
            "sort",
            ["relevance", "published", "-published", "words", "-words"],
            id="unknown-sort",
        ),
        pytest.param({"words": "x"}, "words", None, id="bad-number"),
    ],
)
def test_web_answers_400_with_the_allowed_names(client, args, parameter, allowed) -> None:
    api = client.get("/api/search", query_string={"q": WORD, **args})
    assert api.status_code == 400 and api.json["code"] == "bad_parameter"
    assert api.json["parameter"] == parameter and api.json.get("allowed") == allowed
    assert f"{parameter} ({parameter})" not in api.json["error"]  # a name with no label: once
    page = client.get("/search", query_string={"q": WORD, **args})
    assert page.status_code == 400
    assert all(name in page.get_data(as_text=True) for name in allowed or ["100..500"])


def test_real_server_returns_fields_and_facets(news) -> None:
    import urllib.parse
    import urllib.request

    records = by_id(news[2])
    with running_server(news[0]) as address:
        query = urllib.parse.urlencode({"q": WORD, "tags": "النفط", "per_page": 50})
        with urllib.request.urlopen(f"{address}api/search?{query}", timeout=30) as response:
            data = json.loads(response.read())
    assert data["total"] == sum("النفط" in r["tags"] for r in records.values()) > 0
    assert all(h["fields"] == given(records[h["id"]]) for h in data["hits"])
    assert data["facets"]["tags"]["النفط"] == data["total"]


# ---- a range that ends before it starts --------------------------------------------------

# (field, the range as given, the same range the right way round): it matched nothing and
# said nothing, so a search found no document and the user could not tell why
REVERSED = [
    pytest.param("words", "500..100", "100..500", id="number-range"),
    pytest.param("published", "2015-07-21..2015-07-20", "2015-07-20..2015-07-21", id="date-range"),
    pytest.param("published", "2015-08..2015-07", "2015-07..2015-08", id="months-reversed"),
]


def _reversed_in_library(news, engine, name, value) -> str:
    from bahth.search.filters import FilterError

    with pytest.raises(FilterError) as raised:
        engine.search(WORD, filters={name: value})
    assert raised.value.kind == "reversed_range" and raised.value.parameter == name
    return str(raised.value)


def _reversed_in_query_text(news, engine, name, value) -> str:
    page = engine.search(f"{WORD} {name}:{value}")  # user text never raises: it says so
    assert page.total > 0, "the clause it cannot apply is left out, as a bad value is"
    return page.message


def _reversed_on_the_command_line(news, engine, name, value) -> str:
    done = bahth("search", WORD, *where(news[0]), "--filter", f"{name}={value}")
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    return done.stderr


def _reversed_on_the_web(news, engine, name, value) -> str:
    client = create_app({"BAHTH_INDEX": str(news[0])}).test_client()
    api = client.get("/api/search", query_string={"q": WORD, name: value})
    assert api.status_code == 400 and api.json["parameter"] == name, api.json
    page = client.get("/search", query_string={"q": WORD, name: value})
    assert page.status_code == 400
    return api.json["error"] + page.get_data(as_text=True)


SURFACES = [
    pytest.param(_reversed_in_library, id="library"),
    pytest.param(_reversed_in_query_text, id="query-text"),
    pytest.param(_reversed_on_the_command_line, id="cli"),
    pytest.param(_reversed_on_the_web, id="web"),
]


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize(("name", "value", "swapped"), REVERSED)
def test_a_reversed_range_is_refused_naming_it_the_right_way_round(
    news, engine, surface, name, value, swapped
) -> None:
    said = surface(news, engine, name, value)
    assert value[:20] in said and swapped in said, said  # the web shows 20 characters of it
