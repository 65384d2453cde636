"""The web front end through Flask's test client: every route, every error, escaping, headers.

Runs against a real index (``news_index``: the seeds, 15 generated news items and one hostile
document), so what is checked is what a browser would get.
"""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from conftest import HOSTILE_TITLE, NEWS_SOURCES, ODD_IDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bahth.index.errors import SearchTimeout
from bahth.search.engine import SearchEngine
from bahth.web import DEFAULTS, create_app
from bahth.web.params import parse_search_params

QUERY = "مكافحة الإرهاب"


@pytest.fixture(scope="module")
def app(news_index: Path):
    return create_app({"BAHTH_INDEX": str(news_index)})


@pytest.fixture()
def client(app):
    return app.test_client()


def html(response) -> str:
    return response.get_data(as_text=True)


def links(page: str, css_class: str) -> list[str]:
    """The href of every <a> inside elements whose class is ``css_class`` (simple pages)."""
    return re.findall(rf'class="{css_class}"[^>]*>\s*<a href="([^"]+)"', page)


# ---- pages -----------------------------------------------------------------------------


def test_home_is_rtl_arabic_with_a_focused_labelled_box(client) -> None:
    response = client.get("/")
    page = html(response)
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page
    assert 'name="viewport"' in page
    assert '<label for="q"' in page
    assert re.search(r'<input id="q"[^>]*\bautofocus\b', page)
    assert 'href="/search?q=' in page, "an example query to click"


def test_search_page_shows_count_ranked_highlighted_hits_and_facets(client) -> None:
    response = client.get("/search", query_string={"q": QUERY})
    page = html(response)
    assert response.status_code == 200
    engine_total = SearchEngine(client.application.config["BAHTH_INDEX"]).search(QUERY).total
    assert engine_total > 10
    assert re.search(rf'role="status"[^>]*>\s*{engine_total} نتيجة', page)
    assert page.count('class="hit"') == 10
    assert page.count('<p class="snippet" dir="auto">') == 10
    assert "<mark>" in page
    assert 'aria-live="polite"' in page
    assert 'rel="next"' in page and "page=2" in page
    assert 'data-facet="source"' in page and 'data-facet="year"' in page


def test_page_two_continues_the_ranking(client) -> None:
    first = html(client.get("/search", query_string={"q": QUERY}))
    second = html(client.get("/search", query_string={"q": QUERY, "page": 2}))
    first_ids = re.findall(r'href="/doc/([^"?]+)\?', first)
    second_ids = re.findall(r'href="/doc/([^"?]+)\?', second)
    assert second_ids and not set(first_ids) & set(second_ids)
    assert '<ol class="hits" start="11">' in second
    assert 'aria-current="page">2<' in second


def test_a_source_facet_link_narrows_the_search(client) -> None:
    page = html(client.get("/search", query_string={"q": QUERY}))
    wide_total = int(re.search(r'role="status"[^>]*>\s*(\d+)', page).group(1))
    facet = re.search(r'data-facet="source">.*?<a href="([^"]+)"', page, re.S).group(1)
    chosen = parse_qs(urlsplit(facet.replace("&amp;", "&")).query)["source"][0]
    narrow = client.get(facet.replace("&amp;", "&"))
    data = client.get(
        "/api/search", query_string={"q": QUERY, "source": chosen, "per_page": 50}
    ).json
    assert narrow.status_code == 200
    assert 0 < data["total"] < wide_total
    assert {hit["source"] for hit in data["hits"]} == {chosen}
    assert "إلغاء التضييق" in html(narrow), "a way back to the wider search"


def test_pages_keep_a_chosen_per_page(client) -> None:
    page = html(client.get("/search", query_string={"q": QUERY, "per_page": 4}))
    assert page.count('class="hit"') == 4
    next_link = re.search(r'rel="next" href="([^"]+)"', page).group(1)
    assert parse_qs(urlsplit(next_link.replace("&amp;", "&")).query)["per_page"] == ["4"]


def test_year_facet_narrows_the_search(client) -> None:
    data = client.get("/api/search", query_string={"q": QUERY, "year": "2021", "per_page": 50}).json
    assert data["total"] > 0
    assert {hit["date"][:4] for hit in data["hits"]} == {"2021"}


def test_did_you_mean_links_to_the_corrected_search(client) -> None:
    page = html(client.get("/search", query_string={"q": "الحموسي"}))
    match = re.search(r'id="did-you-mean" href="([^"]+)">([^<]+)<', page)
    assert match, "a misspelt name should offer a correction"
    assert match.group(2) == "الحموشي"
    corrected = client.get(match.group(1).replace("&amp;", "&"))
    assert corrected.status_code == 200 and "<mark>" in html(corrected)


def test_no_result_page_helps(client) -> None:
    page = html(client.get("/search", query_string={"q": "زرافةبنفسجية"}))
    assert "لم نجد نتائج" in page
    assert "تحقق من الإملاء" in page


def test_no_result_with_a_filter_offers_to_drop_it(client) -> None:
    page = html(client.get("/search", query_string={"q": "الحموشي", "year": "1999"}))
    assert "ابحث دون تضييق" in page


def test_empty_query_goes_home(client) -> None:
    response = client.get("/search?q=+++")
    assert response.status_code == 302 and response.headers["Location"].endswith("/")


def test_document_page_shows_the_whole_article_with_marks_from_the_search(client) -> None:
    data = client.get("/api/search", query_string={"q": "الحموشي"}).json
    doc_id = data["hits"][0]["id"]
    with_query = html(client.get(f"/doc/{quote(doc_id)}", query_string={"q": "الحموشي"}))
    without = html(client.get(f"/doc/{quote(doc_id)}"))
    assert '<article class="document">' in with_query
    assert "<mark>" in with_query and "<mark>" not in without
    assert 'dir="auto"' in with_query
    assert "العودة إلى نتائج" in with_query


# ---- JSON twins ----------------------------------------------------------------------


def test_api_search_is_the_engine_page_as_json(client) -> None:
    response = client.get("/api/search", query_string={"q": QUERY, "page": 2, "per_page": 5})
    expected = (
        SearchEngine(client.application.config["BAHTH_INDEX"])
        .search(QUERY, page=2, per_page=5)
        .to_dict()
    )
    got = response.json
    assert response.status_code == 200 and response.mimetype == "application/json"
    got.pop("took_ms"), expected.pop("took_ms")
    assert got == expected


def test_api_suggest_lists_words_starting_with_the_prefix(client) -> None:
    words = client.get("/api/suggest", query_string={"q": "الحمو"}).json
    assert "الحموشي" in words
    assert all(word.startswith("الحمو") for word in words)
    assert client.get("/api/suggest").json == []


# ---- safety ------------------------------------------------------------------------------


def test_a_script_title_shows_as_text_everywhere(client) -> None:
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    results = html(client.get("/search", query_string={"q": "اقتباس"}))
    doc_link = re.search(r'href="(/doc/hostile[^"]+)"', results).group(1).replace("&amp;", "&")
    document = html(client.get(doc_link))
    for page in (results, document):
        assert escaped in page
        assert HOSTILE_TITLE not in page
        assert "<img" not in page and "<i>" not in page
        assert "javascript:" not in page, "a javascript: url is not a link"
        assert not re.search(r'<script(?! src="/static/\w+\.js\?v=\w+")', page)


def test_a_query_with_markup_is_escaped(client) -> None:
    page = html(client.get("/search", query_string={"q": '"><script>alert(4)</script>'}))
    assert "<script>alert(4)" not in page
    assert "&lt;script&gt;alert(4)" in page


@pytest.mark.parametrize("path", ["/", "/search?q=x", "/api/search?q=x", "/nope", "/doc/nope"])
def test_security_headers_on_every_answer(client, path: str) -> None:
    headers = client.get(path).headers
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_pages_use_no_other_host(client) -> None:
    for path in ("/", f"/search?q={QUERY}"):
        page = html(client.get(path))
        assert not re.search(r'(src|href)="(https?:)?//', page), path
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/static/suggest.js").status_code == 200


# ---- bad parameters: a 4xx or a clamped answer, never a 500 ------------------------------

LONG_QUERY = "ب" * 20_000


@pytest.mark.parametrize(
    "path, status",
    [
        pytest.param("/search?q=x&page=abc", 400, id="page-not-a-number"),
        pytest.param("/search?q=x&page=1.5", 400, id="page-not-whole"),
        pytest.param("/search?q=x&page=-3", 200, id="page-negative-clamped"),
        pytest.param("/search?q=x&page=0", 200, id="page-zero-clamped"),
        pytest.param("/search?q=x&page=99999999999999999999", 200, id="page-huge-clamped"),
        pytest.param("/search?q=x&page=" + "9" * 5000, 200, id="page-5000-digits-clamped"),
        pytest.param("/search?q=x&page=٢", 200, id="page-in-arabic-indic-digits"),
        pytest.param("/api/search?q=x&per_page=" + "9" * 5000, 200, id="per-page-5000-digits"),
        pytest.param("/search?q=x&page=٢x", 400, id="page-digits-and-a-letter"),
        pytest.param("/search?q=x&per_page=abc", 400, id="per-page-not-a-number"),
        pytest.param("/search?q=x&year=20x5", 400, id="year-not-four-digits"),
        pytest.param("/search?q=x&sort=random", 400, id="unknown-sort"),
        pytest.param(f"/search?q={LONG_QUERY}", 200, id="20000-char-query-cut"),
        pytest.param("/search?q=%00%01", 200, id="control-characters"),
        pytest.param('/search?q="(((*~^:', 200, id="query-syntax-junk"),
        pytest.param("/search?q=x&source=%3Cb%3E", 200, id="markup-in-filter"),
        pytest.param("/doc/no-such-document", 404, id="unknown-doc-id"),
        pytest.param("/doc/../../etc/passwd", 404, id="doc-path-traversal"),
        pytest.param("/no/such/page", 404, id="odd-path"),
        pytest.param("/static/../web/views.py", 404, id="static-traversal"),
        pytest.param("/api/search?q=x&page=abc", 400, id="api-page-not-a-number"),
        pytest.param("/api/search?q=x&year=x", 400, id="api-bad-year"),
        pytest.param(f"/api/search?q={LONG_QUERY}", 200, id="api-20000-char-query"),
        pytest.param(f"/api/suggest?q={LONG_QUERY}", 200, id="api-suggest-long-prefix"),
        pytest.param("/api/nothing", 404, id="api-odd-path"),
    ],
)
def test_bad_parameters_never_give_a_500(client, path: str, status: int) -> None:
    response = client.get(path, follow_redirects=True)  # a page past the end goes to the last
    assert response.status_code == status
    body = html(response)
    assert "Traceback" not in body
    if path.startswith("/api/") and status != 200:
        assert response.json["error"], "the JSON twin explains the error too"
    elif status != 200:
        assert '<html lang="ar" dir="rtl">' in body, "errors are pages of the site"


@pytest.mark.parametrize(
    "per_page, expected",
    [
        pytest.param("100000", 50, id="huge-clamped-to-max"),
        pytest.param("0", 1, id="zero-clamped-to-one"),
        pytest.param("7", 7, id="in-range-kept"),
    ],
)
def test_api_per_page_is_clamped(client, per_page: str, expected: int) -> None:
    data = client.get("/api/search", query_string={"q": QUERY, "per_page": per_page}).json
    assert data["per_page"] == expected
    assert len(data["hits"]) == min(expected, data["total"])


def test_a_long_query_is_cut_and_the_page_says_so(client) -> None:
    page = html(client.get("/search", query_string={"q": LONG_QUERY}))
    assert "قُصّ الاستعلام" in page
    assert LONG_QUERY[:501] not in page


def test_a_page_past_the_end_goes_to_the_last_page(client) -> None:
    total = client.get("/api/search", query_string={"q": QUERY}).json["total"]
    last = -(-total // 10)
    response = client.get("/search", query_string={"q": QUERY, "page": 50})
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.headers["Location"]).query)["page"] == [str(last)]
    page = html(client.get(response.headers["Location"]))
    assert f'aria-current="page">{last}<' in page and 'rel="next"' not in page


def test_post_is_not_allowed(client) -> None:
    response = client.post("/search?q=x")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.headers["Cache-Control"] == "no-store"


# ---- numbers in any digits, of any length ------------------------------------------------


@pytest.mark.parametrize(
    "args, page, per_page",
    [
        pytest.param({"page": "٢"}, 2, 10, id="arabic-indic-page"),
        pytest.param({"page": "۳", "per_page": "۵"}, 3, 5, id="persian-page-and-per-page"),
        pytest.param({"page": "２"}, 2, 10, id="full-width-page"),
        pytest.param({"page": "9" * 5000}, DEFAULTS["MAX_PAGE"], 10, id="5000-digits-clamped"),
        pytest.param({"page": "-" + "9" * 5000}, 1, 10, id="5000-digits-negative-clamped"),
        pytest.param({"page": "0" * 5000 + "3"}, 3, 10, id="leading-zeros-are-still-3"),
        pytest.param({"per_page": "٧" * 5000}, 1, DEFAULTS["MAX_PER_PAGE"], id="long-per-page"),
        pytest.param({"page": "+4"}, 4, 10, id="plus-sign"),
    ],
)
def test_whole_numbers_in_any_digits_and_any_length(args, page: int, per_page: int) -> None:
    params = parse_search_params({"q": "x", **args}, DEFAULTS)
    assert (params.page, params.per_page) == (page, per_page)


@pytest.mark.parametrize(
    "year",
    [
        pytest.param("٢٠٢١", id="arabic-indic-digits"),
        pytest.param("۲۰۲۱", id="persian-digits"),
        pytest.param("２０２１", id="full-width-digits"),
        pytest.param(" 2021 ", id="spaces-around"),
    ],
)
def test_a_year_in_any_digits_filters_as_in_the_query(client, year: str) -> None:
    def api(**args) -> dict:
        data = client.get("/api/search", query_string={"per_page": 50, **args}).json
        data.pop("took_ms")
        return data

    ascii_year = api(q=QUERY, year="2021")
    assert ascii_year["total"] > 0
    assert api(q=QUERY, year=year)["hits"] == ascii_year["hits"]
    in_query = api(q=f"{QUERY} year:{year.strip()}")
    assert api(q=QUERY, year=year)["total"] == in_query["total"] == ascii_year["total"]


# ---- how long an answer may be kept ------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/", id="home"),
        pytest.param(f"/search?q={QUERY}", id="results"),
        pytest.param("/search?q=+", id="redirect"),
        pytest.param("/api/search?q=x", id="json"),
        pytest.param("/api/suggest?q=الحمو", id="suggestions"),
        pytest.param("/doc/news-01", id="document"),
        pytest.param("/doc/nope", id="404"),
        pytest.param("/search?q=x&page=abc", id="400"),
        pytest.param("/api/search?q=x&year=x", id="json-400"),
        pytest.param("/static/nope.css", id="static-404"),
    ],
)
def test_searches_documents_and_errors_may_not_be_stored(client, path: str) -> None:
    """They change with the index (a reindex can swap it at any moment), and a query can be
    private: no browser or proxy keeps them."""
    assert client.get(path).headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("name", ["style.css", "suggest.js"])
def test_static_files_may_be_kept_a_day_under_a_url_that_names_their_content(
    tmp_path: Path, news_index: Path, name: str
) -> None:
    app = create_app({"BAHTH_INDEX": str(news_index)})
    app.static_folder = str(shutil.copytree(Path(app.static_folder), tmp_path / "static"))
    client = app.test_client()

    def linked() -> str:
        page = html(client.get("/"))
        return unescape(re.search(rf'(?:href|src)="(/static/{re.escape(name)}[^"]*)"', page)[1])

    before = linked()
    response = client.get(before)
    assert response.status_code == 200
    cache = response.headers["Cache-Control"]
    assert "public" in cache and int(re.search(r"max-age=(\d+)", cache)[1]) >= 86400
    assert linked() == before, "the same file keeps its URL"
    with open(tmp_path / "static" / name, "a", encoding="utf-8") as file:
        file.write("\n/* changed */\n")
    assert linked() != before, "a changed file gets a new URL, so no stale copy is used"


# ---- a search past the time limit ---------------------------------------------------------


class TimedOutEngine(SearchEngine):
    """A real engine whose every search runs past its limit (and records the limit)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.limits: list[float | None] = []

    def search(self, q: str, *args, time_limit: float | None = None, **kwargs):
        self.limits.append(time_limit)
        raise SearchTimeout(time_limit or 1.0, "test")


@pytest.mark.parametrize(
    "config, limit",
    [
        pytest.param({}, DEFAULTS["REQUEST_TIME_LIMIT"], id="default-limit"),
        pytest.param({"REQUEST_TIME_LIMIT": 2.5}, 2.5, id="configured-limit"),
    ],
)
@pytest.mark.parametrize("path", ["/search?q=x", "/api/search?q=x"])
def test_a_search_past_the_time_limit_is_a_503_that_says_so(
    news_index: Path, config: dict, limit: float, path: str
) -> None:
    engine = TimedOutEngine(news_index)
    response = create_app({"BAHTH_ENGINE": engine, **config}).test_client().get(path)
    assert engine.limits == [limit], "the engine was given the app's time limit"
    assert response.status_code == 503
    assert response.headers["Cache-Control"] == "no-store"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    if path.startswith("/api/"):
        assert set(response.json) == {"error", "code", "status"}
        assert response.json["status"] == 503 and response.json["code"] == "time_limit"
        message = response.json["error"]
    else:
        message = html(response)
        assert '<html lang="ar" dir="rtl">' in message
        assert "لا يوجد فهرس" not in message, "not the page for a missing index"
    assert "تجاوز الوقت المسموح" in message and f"{limit:g}" in message
    assert "Traceback" not in message


# ---- document ids: every id opens from its link ---------------------------------------------


@pytest.fixture(scope="module")
def odd_client(odd_ids_index: Path):
    return create_app({"BAHTH_INDEX": str(odd_ids_index)}).test_client()


def hit_links(page: str) -> list[str]:
    return [
        unescape(link) for link in re.findall(r'class="hit-title"[^>]*><a href="([^"]+)"', page)
    ]


def heading(page: str) -> str:
    """The page's <h1>, as text."""
    return re.sub(r"<[^>]+>", "", re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)[1]).strip()


@pytest.mark.parametrize("doc_id, word", ODD_IDS)
def test_every_document_opens_from_its_link(odd_client, doc_id: str, word: str) -> None:
    (link,) = hit_links(html(odd_client.get("/search", query_string={"q": word})))
    path = urlsplit(link).path
    assert path.startswith("/doc/") and "/" not in path[len("/doc/") :], "one path segment"
    assert "\n" not in link and " " not in link
    response = odd_client.get(link)
    assert response.status_code == 200, link
    assert heading(html(response)) == f"وثيقة {word}"


def test_an_unexpected_error_is_a_friendly_500(news_index: Path) -> None:
    app = create_app({"BAHTH_INDEX": str(news_index)})

    def broken():
        raise RuntimeError("secret internals")

    app.add_url_rule("/broken", "broken", broken)
    response = app.test_client().get("/broken")
    assert response.status_code == 500
    assert response.headers["Cache-Control"] == "no-store"
    assert "secret internals" not in html(response) and "Traceback" not in html(response)
    assert "خطأ غير متوقع" in html(response)


# ---- no index yet --------------------------------------------------------------------------


@pytest.fixture()
def empty_index(tmp_path: Path) -> Path:
    path = tmp_path / "empty"
    engine = SearchEngine(path)
    engine.add_documents([])
    assert engine.store.exists() and engine.stats()["documents"] == 0, "an index, but empty"
    engine.close()
    return path


@pytest.mark.parametrize("kind", ["missing", "empty"])
@pytest.mark.parametrize("path", ["/", "/search?q=x", "/api/search?q=x", "/doc/x"])
def test_no_index_says_how_to_build_one(tmp_path: Path, empty_index: Path, kind, path) -> None:
    index = tmp_path / "nothing-here" if kind == "missing" else empty_index
    response = create_app({"BAHTH_INDEX": str(index)}).test_client().get(path)
    assert response.status_code == 503
    assert response.headers["Cache-Control"] == "no-store"
    assert f"bahth index PATH... --index {index}" in html(response)


def test_sources_in_facets_are_the_indexed_ones(client) -> None:
    facets = client.get("/api/search", query_string={"q": QUERY}).json["facets"]
    assert set(NEWS_SOURCES) <= set(facets["source"])


# ---- any parameters at all: never a 500 ---------------------------------------------------

any_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60
) | st.sampled_from(["", "0", "-1", "1e9", "2015", "NaN", "../..", "%", "\u200f", "*", '"'])


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=any_text, page=any_text, per_page=any_text, source=any_text, year=any_text, sort=any_text)
def test_random_parameters_never_give_a_500(app, q, page, per_page, source, year, sort) -> None:
    args = {"q": q, "page": page, "per_page": per_page, "source": source, "year": year}
    args["sort"] = sort
    client = app.test_client()
    for path in ("/search", "/api/search", "/api/suggest"):
        response = client.get(path, query_string=args)
        assert response.status_code in (200, 302, 400), (path, args, response.status_code)
    document = client.get("/doc/" + quote(q or "x", safe=""))
    assert document.status_code in (200, 404)  # any id at all: no redirect to another one


# ---- the page reads right in Arabic ----------------------------------------------------------


@pytest.mark.parametrize(
    "n, said",
    [
        (0, "لا نتائج"),
        (1, "نتيجة واحدة"),
        (2, "نتيجتان"),
        (3, "3 نتائج"),
        (10, "10 نتائج"),
        (11, "11 نتيجة"),
        (99, "99 نتيجة"),
        (100, "100 نتيجة"),
        (101, "101 نتيجة"),
        (102, "102 نتيجة"),
        (103, "103 نتائج"),
        (110, "110 نتائج"),
        (111, "111 نتيجة"),
        (1000, "1,000 نتيجة"),
        (31030, "31,030 نتيجة"),
    ],
)
def test_counts_agree_with_their_number_as_arabic_does(n: int, said: str) -> None:
    from bahth.web.arabic import count

    assert count(n, "result") == said


@pytest.mark.parametrize("q", ["اقتباس", "الحموشي", QUERY, "زرافةبنفسجية"])
def test_the_results_page_says_its_count_in_arabic(client, q: str) -> None:
    from bahth.web.arabic import count

    total = client.get("/api/search", query_string={"q": q}).json["total"]
    page = html(client.get("/search", query_string={"q": q}))
    said = re.search(r'id="result-count"[^>]*>\s*([^<(]+?)\s*<', page)[1]
    assert said == count(total, "result")


def visible_text(page: str) -> str:
    """What a reader sees, less what is not prose: code, the Latin name of the project, the
    query box's own value and the query quoted back."""
    page = re.sub(r"<(script|style|pre|code|bdi)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<span lang="en"[^>]*>.*?</span>', " ", page, flags=re.S)
    page = re.sub(r"<title>.*?</title>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return unescape(page)


ENGLISH_WORDS = re.compile(r"\b[A-Za-z]{2,}(?:[ ,.:;'-]+[A-Za-z]{2,}){2,}")  # 3 words in a row


@pytest.mark.parametrize(
    "path, status",
    [
        pytest.param("/", 200, id="home"),
        pytest.param(f"/search?q={QUERY}", 200, id="results"),
        pytest.param("/search?q=زرافةبنفسجية", 200, id="no-results"),
        pytest.param("/search?q=ز*", 200, id="prefix-too-short-notice"),
        pytest.param("/search?q=NOT+الحموشي", 200, id="only-an-excluded-word"),
        pytest.param("/search?q=الحموشي+date:yesterday", 200, id="unreadable-date"),
        pytest.param("/search?q=" + "ب " * 300, 200, id="query-cut"),
        pytest.param("/search?q=x&page=abc", 400, id="400-page"),
        pytest.param("/search?q=x&year=20x5", 400, id="400-year"),
        pytest.param("/search?q=x&sort=random", 400, id="400-sort"),
        pytest.param("/doc/no-such-document", 404, id="404-document"),
        pytest.param("/no/such/page", 404, id="404-page"),
        pytest.param("/doc/news-01?q=الأمن", 200, id="document"),
    ],
)
def test_no_english_sentence_on_an_arabic_page(client, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    text = visible_text(html(response))
    assert not ENGLISH_WORDS.search(text), ENGLISH_WORDS.search(text)[0]
    assert re.search(r"[\u0600-\u06ff]{3,}", text), "an Arabic page"


def test_405_and_no_index_and_time_limit_pages_are_arabic(tmp_path: Path, news_index) -> None:
    pages = [create_app({"BAHTH_INDEX": str(news_index)}).test_client().post("/search?q=x")]
    pages.append(create_app({"BAHTH_INDEX": str(tmp_path / "none")}).test_client().get("/"))
    engine = TimedOutEngine(news_index)
    pages.append(create_app({"BAHTH_ENGINE": engine}).test_client().get("/search?q=x"))
    assert [page.status_code for page in pages] == [405, 503, 503]
    for page in pages:
        text = visible_text(html(page))
        assert not ENGLISH_WORDS.search(text), ENGLISH_WORDS.search(text)[0]


def test_every_engine_notice_has_arabic_words() -> None:
    from bahth.search.notices import ENGLISH
    from bahth.web.arabic import NOTICES, notice_text

    assert set(NOTICES) == set(ENGLISH), "a new notice needs its Arabic sentence"
    values = {"chars": 2000, "words": 40, "letters": 2, "value": "x", "page": 9, "shown": 3}
    values |= {"field": "x", "swapped": "1..2"}
    values |= {"length": 600_000, "text": "x"}
    for code in ENGLISH:
        said = notice_text(code, values)
        assert said is None or re.search(r"[\u0600-\u06ff]{3,}", said), code
        assert said is None or not ENGLISH_WORDS.search(said), code


def test_a_notice_is_said_in_arabic_on_the_page(client) -> None:
    page = html(client.get("/search", query_string={"q": "الحموشي ز*"}))
    assert "letters before" not in page
    assert "حرفان قبل *" in page


def test_empty_results_give_arabic_advice_and_no_english(client) -> None:
    page = html(client.get("/search", query_string={"q": "زرافةبنفسجية"}))
    assert "لم نجد نتائج" in page and "تحقق من الإملاء" in page
    assert "No document matches" not in page


def long_title_client(tmp_path: Path):
    from bahth.web.titles import TITLE_CHARS

    title = " ".join(f"كلمة{n}" for n in range(60))  # about 400 characters
    assert len(title) > 2 * TITLE_CHARS
    engine = SearchEngine(tmp_path / "index")
    engine.add_documents([{"id": "long", "title": title, "text": "نص قصير عن الموضوع"}])
    return create_app({"BAHTH_ENGINE": engine}).test_client(), title


def test_a_long_title_is_cut_at_a_word_and_whole_on_the_document_page(tmp_path: Path) -> None:
    from bahth.web.titles import TITLE_CHARS

    client, title = long_title_client(tmp_path)
    results = html(client.get("/search", query_string={"q": "الموضوع"}))
    link = re.search(r'class="hit-title"[^>]*><a href="([^"]+)" title="([^"]+)">(.*?)</a>', results)
    shown = unescape(re.sub(r"<[^>]+>", "", link[3]))
    assert shown.endswith("…") and len(shown) <= TITLE_CHARS + 1
    assert title.startswith(shown[:-1]) and title[len(shown) - 1] == " ", "cut between words"
    assert unescape(link[2]) == title, "the whole title on hover"
    document = html(client.get(unescape(link[1])))
    assert heading(document) == title


@pytest.mark.parametrize(
    "title_html, limit, expected",
    [
        ("قصير", 20, "قصير"),
        ("واحد اثنان ثلاثة أربعة", 12, "واحد اثنان…"),
        ("واحد <mark>اثنان ثلاثة</mark> أربعة", 13, "واحد <mark>اثنان</mark>…"),
        ("<mark>واحد</mark> اثنان، ثلاثة", 12, "<mark>واحد</mark> اثنان…"),
        ("a &amp; b &lt;c&gt; d e", 10, "a &amp; b &lt;c&gt;…"),
        ("كلمةطويلةجدابلامسافاتأبدا", 10, "كلمةطويلةج…"),
    ],
)
def test_titles_are_cut_between_words_and_marks_stay_whole(title_html, limit, expected) -> None:
    from bahth.web.titles import shorten_html

    assert str(shorten_html(title_html, limit)) == expected


@pytest.mark.parametrize(
    "url, link",
    [
        ("https://example.org/a", True),
        ("HTTP://example.org", True),
        (" https://example.org/x ", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html,x", False),
        ("/relative/path", False),
        ("http:no-host", False),
        ("ftp://example.org", False),
        ("", False),
        (None, False),
    ],
)
def test_a_documents_original_is_a_link_only_for_http_and_https(url, link: bool) -> None:
    from bahth.web.views import is_web_link

    assert is_web_link(url) is link


def test_the_original_link_on_the_document_page(client) -> None:
    page = html(client.get("/doc/news-01"))
    assert 'class="original" href="https://example.org/news/1"' in page
    hostile = html(client.get("/doc/" + quote("hostile-<b>1</b>", safe="")))
    assert 'class="original"' not in hostile
