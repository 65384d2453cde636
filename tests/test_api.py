"""The JSON API, route by route, and its OpenAPI document: every route of the app is in the
document, the document is valid OpenAPI 3.1, and real answers (errors included) match the
schema the document gives for their route and status."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import NEWS_SOURCES
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi

from bahth.index.errors import SearchTimeout
from bahth.index.whoosh.store import IndexStore
from bahth.search.engine import SearchEngine
from bahth.web import create_app
from bahth.web.errors import CODES

QUERY = "مكافحة الإرهاب"


@pytest.fixture(scope="module")
def app(news_index: Path):
    return create_app({"BAHTH_INDEX": str(news_index)})


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def document(app) -> dict:
    return app.test_client().get("/api/openapi.json").json


def route_of(path: str) -> str:
    """The OpenAPI path template a request path belongs to."""
    path = path.split("?", 1)[0]
    for prefix, template in (("/api/doc/", "/api/doc/{doc_id}"), ("/doc/", "/doc/{doc_id}")):
        if path.startswith(prefix):
            return template
    return path


def check_against_document(document: dict, path: str, response) -> None:
    """``response`` is what the document says ``path`` answers with its status."""
    operation = document["paths"][route_of(path)]["get"]
    described = operation["responses"].get(str(response.status_code))
    assert described, f"{path}: status {response.status_code} is not in the document"
    content = described.get("content", {})
    assert response.mimetype in content, f"{path}: {response.mimetype} not documented"
    if response.mimetype == "application/json":
        schema = {**content["application/json"]["schema"], "components": document["components"]}
        errors = sorted(
            Draft202012Validator(schema).iter_errors(response.json), key=lambda e: e.path
        )
        assert not errors, f"{path}: {[e.message for e in errors[:3]]}"


def test_the_document_is_valid_openapi_3_1(document: dict) -> None:
    assert document["openapi"].startswith("3.1")
    validate_openapi(document)


def test_every_route_of_the_app_is_in_the_document_and_nothing_else(app, document) -> None:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        routes.add(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
        assert rule.methods - {"HEAD", "OPTIONS"} == {"GET"}, rule
    assert routes == set(document["paths"])
    for template, item in document["paths"].items():
        assert set(item) == {"get"}, template


def test_the_documented_limits_are_the_apps(document: dict, app) -> None:
    """Built from the config, not copied: a change of limit changes the document."""
    other = create_app({"BAHTH_INDEX": app.config["BAHTH_INDEX"], "MAX_PER_PAGE": 7})
    text = json.dumps(other.test_client().get("/api/openapi.json").json)
    assert "clamped to 1..7" in text
    assert f"clamped to 1..{app.config['MAX_PER_PAGE']}" in json.dumps(document)
    assert set(document["components"]["schemas"]["Error"]["properties"]["code"]["enum"]) == set(
        CODES
    )


OK_PATHS = [
    f"/api/search?q={QUERY}",
    f"/api/search?q={QUERY}&page=2&per_page=5&sort=date",
    f"/api/search?q={QUERY}&source={NEWS_SOURCES[0]}&year=2021",
    "/api/search?q=ز*",  # a notice: a prefix needs two letters
    "/api/search?q=zzzzqqq",  # nothing found
    f"/api/search?q={QUERY}&page=99",  # past the end: the last page, and a notice
    "/api/doc/news-01?q=" + quote("الأمن"),
    "/api/doc/" + quote("hostile-<b>1</b>", safe=""),
    "/api/suggest?q=الحمو",
    "/api/suggest?q=",
    "/api/stats",
    "/healthz",
    "/api/openapi.json",
    "/",
    f"/search?q={QUERY}",
    "/doc/news-01",
]
ERROR_PATHS = [
    ("/api/search?q=x&page=abc", 400, "bad_parameter"),
    ("/api/search?q=x&year=20x5", 400, "bad_parameter"),
    ("/api/search?q=x&sort=random", 400, "bad_parameter"),
    ("/api/search?q=x&year=2021&year=2020", 400, "bad_parameter"),  # the second was ignored
    ("/api/doc/no-such-document", 404, "document_not_found"),
    ("/search?q=x&per_page=abc", 400, "bad_parameter"),
    ("/doc/no-such-document", 404, "document_not_found"),
]


@pytest.mark.parametrize("path", OK_PATHS)
def test_real_answers_match_the_document(client, document, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    check_against_document(document, path, response)


@pytest.mark.parametrize("path, status, code", ERROR_PATHS)
def test_errors_match_the_document_and_carry_a_code(client, document, path, status, code):
    response = client.get(path)
    assert response.status_code == status
    check_against_document(document, path, response)
    if path.startswith("/api/"):
        assert response.json["code"] == code and response.json["status"] == status
        assert response.json["error"], "a message for a person"
    if code == "bad_parameter" and path.startswith("/api/"):
        assert response.json["parameter"] in path


def test_unknown_api_routes_and_other_methods_are_json_errors(client) -> None:
    missing = client.get("/api/nothing")
    assert missing.status_code == 404 and missing.json["code"] == "not_found"
    posted = client.post("/api/search?q=x")
    assert posted.status_code == 405 and posted.json["code"] == "method_not_allowed"
    assert "GET" in posted.headers["Allow"]


@pytest.mark.parametrize("path", ["/api/search?q=x", "/api/doc/news-01?q=x", "/api/suggest?q=اله"])
def test_a_request_past_the_time_limit_is_a_503_the_document_describes(
    news_index: Path, document: dict, monkeypatch, path: str
) -> None:
    def too_slow(self, *args, time_limit=None, **kwargs):
        raise SearchTimeout(time_limit or 1.0, "test")

    for name in ("search", "document", "suggest"):
        monkeypatch.setattr(SearchEngine, name, too_slow)
    response = create_app({"BAHTH_INDEX": str(news_index)}).test_client().get(path)
    assert response.status_code == 503 and response.json["code"] == "time_limit"
    check_against_document(document, path, response)


# ---- the routes, one by one ----------------------------------------------------------------


def test_api_doc_is_the_engines_document_with_marks_for_q(client, news_index: Path) -> None:
    data = client.get("/api/doc/news-03", query_string={"q": "الأمن"}).json
    engine = SearchEngine(news_index)
    assert data == engine.document("news-03", q="الأمن").to_dict()
    assert "<mark>" in data["body_html"] and data["text"] == engine.document("news-03").text
    assert "<mark>" not in client.get("/api/doc/news-03").json["body_html"]


def test_api_doc_opens_any_id(odd_ids_index: Path) -> None:
    from conftest import ODD_IDS

    client = create_app({"BAHTH_INDEX": str(odd_ids_index)}).test_client()
    for row in ODD_IDS:
        doc_id = row.values[0]
        response = client.get("/api/doc/" + quote(doc_id, safe=""))
        assert response.status_code == 200 and response.json["id"] == doc_id


def test_api_stats_tells_the_index_and_not_its_folder(client, news_index: Path) -> None:
    data = client.get("/api/stats").json
    store = IndexStore(news_index)
    expected = store.stats()
    for name in ("documents", "terms", "size_bytes", "analyzer", "last_update"):
        assert data[name] == expected[name], name
    assert data["generation"] == store.generation() == client.get("/healthz").json["generation"]
    assert "path" not in data and str(news_index) not in json.dumps(data)


def test_healthz_follows_the_index(tmp_path: Path) -> None:
    """503 with no index, 503 for an empty one, 200 with the generation once documents are
    in, and a new generation after each commit."""
    path = tmp_path / "index"
    client = create_app({"BAHTH_INDEX": str(path)}).test_client()
    none = client.get("/healthz")
    assert none.status_code == 503 and none.json["code"] == "index_missing"
    assert none.json["command"].endswith(str(path))
    engine = SearchEngine(path)
    engine.add_documents([])
    empty = client.get("/healthz")
    assert empty.status_code == 503 and empty.json["code"] == "index_empty"
    engine.add_documents([{"id": "a", "title": "عنوان", "text": "نص"}])
    first = client.get("/healthz")
    assert first.status_code == 200 and first.json["documents"] == 1
    engine.add_documents([{"id": "b", "title": "عنوان آخر", "text": "نص آخر"}])
    second = client.get("/healthz")
    assert second.json["documents"] == 2
    assert second.json["generation"] != first.json["generation"]
    assert second.json["generation"] == IndexStore(path).generation()
    assert client.get("/api/stats").json["documents"] == 2, "stats follow the generation too"


def test_healthz_is_503_when_the_index_does_not_read(tmp_path: Path) -> None:
    path = tmp_path / "index"
    SearchEngine(path).add_documents([{"id": "a", "title": "عنوان", "text": "نص"}])
    live = (path / "current").resolve()
    for segment in live.glob("*.seg"):
        segment.write_bytes(b"not a segment")  # damaged: the searcher cannot open it
    response = create_app({"BAHTH_INDEX": str(path)}).test_client().get("/healthz")
    assert response.status_code == 503 and response.json["code"] == "index_unreadable"


# ---- CORS: opt-in, /api/ only ---------------------------------------------------------------


def cors_client(news_index: Path, *origins: str):
    return create_app({"BAHTH_INDEX": str(news_index), "CORS_ORIGINS": origins}).test_client()


def test_no_cross_origin_reads_unless_asked(client) -> None:
    response = client.get("/api/search?q=x", headers={"Origin": "https://other.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_configured_origin_may_read_the_api_and_no_other(news_index: Path) -> None:
    client = cors_client(news_index, "https://a.example")
    allowed = client.get("/api/search?q=x", headers={"Origin": "https://a.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://a.example"
    assert "Origin" in allowed.headers["Vary"]
    other = client.get("/api/search?q=x", headers={"Origin": "https://b.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    error = client.get("/api/doc/nope", headers={"Origin": "https://a.example"})
    assert error.status_code == 404
    assert error.headers["Access-Control-Allow-Origin"] == "https://a.example"
    page = client.get("/search?q=x", headers={"Origin": "https://a.example"})
    assert "Access-Control-Allow-Origin" not in page.headers, "pages are not for other origins"
    preflight = client.options(
        "/api/search?q=x",
        headers={"Origin": "https://a.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://a.example"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET"


def test_any_origin_when_asked(news_index: Path) -> None:
    client = cors_client(news_index, "*")
    response = client.get("/healthz", headers={"Origin": "https://b.example"})
    assert "Access-Control-Allow-Origin" not in response.headers  # /healthz is not /api/
    response = client.get("/api/stats", headers={"Origin": "https://b.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "given, expected",
    [
        ("https://Example.org/", "https://example.org"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://[::1]:3000", "http://[::1]:3000"),
        ("*", "*"),
    ],
)
def test_origins_are_read_as_browsers_send_them(given: str, expected: str) -> None:
    from bahth.web.cors import check_origin

    assert check_origin(given) == expected


@pytest.mark.parametrize(
    "given", ["example.org", "https://example.org/path", "ftp://example.org", "null", ""]
)
def test_what_is_not_an_origin_is_refused(given: str) -> None:
    from bahth.web.cors import BadOrigin, check_origin

    with pytest.raises(BadOrigin):
        check_origin(given)
