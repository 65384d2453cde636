"""Input bahth could read but not write back out: lone surrogates, values nested past any
sane depth, numbers JSON cannot carry. Each is repaired and said (a warning naming its
``file:line``) or skipped and named, and the rest of the run is indexed, on both stores: a
folder (Whoosh) and a two-node cluster (Sphinx). Before, one such line took every search that
would show it down (a traceback, a 500), or ended the whole run with nothing committed.

The web's answers are strict JSON on an index holding such values, also one built before
these rules (a real float nan in a document's fields): every JSON route, parsed strictly.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from bahth.index.documents import MAX_DEPTH
from bahth.index.sources import Document, Failure, read_sources
from bahth.search.engine import SearchEngine
from bahth.web import create_app
from tests.test_sphinx_backend import LocalCluster

GOOD = '{"id": "good", "title": "وزير التعليم", "text": "وزير"}'
SURROGATE = "lone surrogate"
NOT_A_NUMBER = "is not a number JSON can carry"


def nested(depth: int, opening: str = "[", closing: str = "]") -> str:
    """A JSON value of ``depth`` lists (or objects, with '{"a": ' and '}') around 1."""
    return opening * depth + "1" + closing * depth


def record(doc_id: str, **extra: str) -> str:
    """A JSONL line of a document titled with وزير; ``extra``: raw JSON per key."""
    head = f'{{"id": "{doc_id}", "title": "وزير {doc_id}", "text": "نص"'
    return head + "".join(f', "{key}": {value}' for key, value in extra.items()) + "}"


# One row per rule: the line, then what becomes of it: ("indexed", id, [what the warnings
# say]) or ("skipped", why).
LINES = [
    pytest.param(
        '{"id": "s1", "title": "وزير الصحة", "text": "يزور \\ud83d"}',
        ("indexed", "s1", [f"text: {SURROGATE} \\ud83d replaced with U+FFFD"]),
        id="lone-surrogate-in-the-text-took-every-search-down",
    ),
    pytest.param(
        '{"id": "s3", "title": "وزير \\udc00", "text": "نص"}',
        ("indexed", "s3", [f"title: {SURROGATE} \\udc00"]),
        id="lone-surrogate-in-the-title",
    ),
    pytest.param(
        '{"id": "s4\\ud800", "title": "وزير", "text": "نص"}',
        ("indexed", "s4\ufffd", [f"id: {SURROGATE} \\ud800"]),
        id="lone-surrogate-in-the-id",
    ),
    pytest.param(
        '{"id": "s5", "title": "وزير", "text": "نص", "k\\udfff": "v"}',
        ("indexed", "s5", [f"a field name: {SURROGATE} \\udfff"]),
        id="lone-surrogate-in-a-key",
    ),
    pytest.param(
        record("s6", tags='["a", {"b": ["\\ud83d\\ude00 \\ud83d"]}]'),
        ("indexed", "s6", [f"field 'tags': {SURROGATE} \\ud83d replaced"]),
        id="lone-surrogate-in-a-nested-value-beside-a-whole-pair",
    ),
    pytest.param(
        record("deep1000", deep=nested(1000)),
        ("skipped", f"nested more than {MAX_DEPTH} lists or objects deep"),
        id="1000-nested-lists-RecursionError-from-json-loads",
    ),
    pytest.param(
        record("deep500", deep=nested(500, '{"a": ', "}")),
        ("skipped", f"field 'deep' is nested more than {MAX_DEPTH} lists or objects deep"),
        id="500-nested-objects-RecursionError-in-jsonable",
    ),
    pytest.param(
        record("deep101", deep=nested(MAX_DEPTH + 1)),
        ("skipped", f"field 'deep' is nested more than {MAX_DEPTH}"),
        id="one-past-the-limit",
    ),
    pytest.param(
        record("deep100", deep=nested(MAX_DEPTH)),
        ("indexed", "deep100", []),
        id="at-the-limit-kept",
    ),
    pytest.param(
        record("n1", date="NaN", n="1e400", m="-Infinity", k="Infinity"),
        (
            "indexed",
            "n1",
            [
                f"field 'date': NaN {NOT_A_NUMBER}: kept as the text 'NaN'",
                f"field 'n': 1e400 {NOT_A_NUMBER}: kept as the text '1e400'",
                f"field 'm': -Infinity {NOT_A_NUMBER}",
                f"field 'k': Infinity {NOT_A_NUMBER}",
            ],
        ),
        id="NaN-and-1e400-were-written-back-as-NaN-and-Infinity",
    ),
]


def writable(document: Document) -> None:
    """What the stores write: every text as UTF-8, the fields as strict JSON."""
    for text in (document.id, document.title, document.text):
        text.encode("utf-8")
    json.dumps(document.fields, allow_nan=False, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize(("line", "outcome"), LINES)
def test_each_line_is_repaired_and_said_or_named_and_the_next_read(
    tmp_path: Path, line: str, outcome: tuple
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(f"{GOOD}\n{line}\n{GOOD.replace('good', 'after')}\n", encoding="utf-8")
    items = list(read_sources([path]))
    assert len(items) == 3 and (items[0].id, items[2].id) == ("good", "after")
    middle = items[1]
    if outcome[0] == "skipped":
        assert isinstance(middle, Failure) and middle.where == f"{path}:2"
        assert outcome[1] in middle.reason
        return
    assert isinstance(middle, Document) and middle.id == outcome[1]
    writable(middle)
    assert len(middle.repairs) == len(outcome[2])
    for said, expected in zip(middle.repairs, outcome[2], strict=True):
        assert said.startswith(expected)


def test_a_whole_surrogate_pair_from_python_is_joined_into_its_character() -> None:
    document = Document.from_dict({"id": "p", "text": "a\ud83d\ude00b"})
    assert document.text == "a\U0001f600b" and "joined" in document.repairs[0]


@pytest.mark.parametrize(
    ("asked", "found"),
    [
        pytest.param("z\ud800", True, id="lone-surrogate-said-the-index-was-damaged"),
        pytest.param("z\ufffd", True, id="the-id-as-stored"),
        pytest.param("\ud800", False, id="no-such-document"),
    ],
)
def test_an_id_looked_up_is_mended_as_it_was_indexed(tmp_path, asked: str, found: bool) -> None:
    from bahth.search.engine import SearchEngine

    engine = SearchEngine(tmp_path / "ix")
    engine.add_documents([{"id": "z\ud800", "title": "عنوان", "text": "نص"}])
    assert (engine.document(asked) is not None) is found
    assert engine.delete(asked) is found


# ---- both stores ---------------------------------------------------------------------------


def bahth(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bahth", *args], capture_output=True, text=True, timeout=300
    )


# Python callers: a dict or a Document holding what a file could not.
PYTHON_DOCUMENTS = [
    {"id": "py1", "title": "وزير", "text": "نص \ud83d", "tags": [{"x": "\udc01"}]},
    Document(id="py2\ud800", title="وزير", text="نص", fields={"n": float("nan")}),
    {"id": "py3", "title": "وزير", "text": "نص", "deep": json.loads(nested(MAX_DEPTH + 1))},
    Document(id="py4", title="وزير", text="نص", fields={"deep": json.loads(nested(500))}),
]


@pytest.fixture(scope="module", params=["folder", "cluster"])
def store(request, tmp_path_factory) -> Iterator[dict]:
    """Every line above in one file, indexed by ``bahth index --json`` into a folder or a
    cluster, then PYTHON_DOCUMENTS by ``add_documents``: the run's report and its target."""
    root = tmp_path_factory.mktemp(request.param)
    data = root / "in.jsonl"
    lines = [GOOD, *(param.values[0] for param in LINES)]
    data.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    cluster = LocalCluster(root / "cluster") if request.param == "cluster" else None
    try:
        target = ["--backend", cluster.url] if cluster else ["--index", str(root / "index")]
        run = bahth("index", str(data), *target, "--json")
        engine = SearchEngine(cluster.url if cluster else root / "index")
        try:
            api = engine.add_documents(PYTHON_DOCUMENTS)
        except Exception as error:  # what it did before: the test below says so
            api = error
        yield {"run": run, "data": data, "target": target, "engine": engine, "api": api}
    finally:
        if cluster is not None:
            cluster.stop()


def test_the_run_indexes_every_good_line_and_names_the_rest(store) -> None:
    run, data = store["run"], store["data"]
    assert run.returncode == 1, run.stderr  # some input skipped
    assert "Traceback" not in run.stderr
    report = json.loads(run.stdout.splitlines()[-1])
    expected_failures, expected_warnings, added = [], [], 1  # GOOD
    for number, param in enumerate(LINES, start=2):
        outcome = param.values[1]
        if outcome[0] == "skipped":
            expected_failures.append((f"{data}:{number}", outcome[1]))
            continue
        added += 1
        expected_warnings += [f"{data}:{number}: {said}" for said in outcome[2]]
    assert report["added"] == added and report["failed"] == len(expected_failures)
    failures = [(f["where"], f["reason"]) for f in report["failures"]]
    for (where, reason), (expected_where, says) in zip(failures, expected_failures, strict=True):
        assert where == expected_where and says in reason
    assert len(report["warnings"]) == len(expected_warnings)
    for warning, expected in zip(report["warnings"], expected_warnings, strict=True):
        assert warning.startswith(expected)
    for warning in report["warnings"]:
        assert f"bahth: warning: {warning}" in run.stderr


def test_python_callers_get_the_same_rules(store) -> None:
    report = store["api"]
    assert not isinstance(report, Exception), f"add_documents raised {report!r}"
    assert (report.added, report.failed) == (2, 2)
    reasons = sorted((f.where, f.reason) for f in report.failures)
    assert reasons == [
        (
            "document py3",
            f"field 'deep' is nested more than {MAX_DEPTH} lists or objects deep (bahth's limit)",
        ),
        (
            "document py4",
            f"field 'deep' is nested more than {MAX_DEPTH} lists or objects deep (bahth's limit)",
        ),
    ]
    said = "\n".join(report.warnings)
    for expected in (
        f"document py1: text: {SURROGATE} \\ud83d",
        f"document py1: field 'tags': {SURROGATE} \\udc01",
        f"document py2\ufffd: id: {SURROGATE} \\ud800",
        f"document py2\ufffd: field 'n': NaN {NOT_A_NUMBER}",
    ):
        assert expected in said


def test_search_shows_every_document_the_issue_lost(store) -> None:
    """The issue's command: a traceback before; now every وزير document, s1 with U+FFFD."""
    # every document: a collapsed page would show their copies once (near-duplicates)
    found = bahth("search", "وزير", *store["target"], "--limit", "50", "--json", "--no-collapse")
    assert found.returncode == 0, found.stderr
    hits = {hit["id"]: hit for hit in json.loads(found.stdout)["hits"]}
    indexed = {"good", "py1", "py2\ufffd"} | {
        param.values[1][1] for param in LINES if param.values[1][0] == "indexed"
    }
    assert set(hits) == indexed
    assert hits["s1"]["snippet_html"] == "يزور \ufffd"
    assert hits["n1"]["fields"]["n"] == "1e400" and hits["py2\ufffd"]["fields"]["n"] == "NaN"
    plain = bahth("search", "وزير", *store["target"], "--limit", "50")
    assert plain.returncode == 0 and "يزور \ufffd" in plain.stdout


def strict(text: str) -> object:
    """JSON as a strict parser reads it: NaN, Infinity and -Infinity refused."""

    def refuse(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def every_route(app, doc_id: str) -> list[str]:
    """A request for every route the OpenAPI document lists (it lists them all)."""
    client = app.test_client()
    paths = client.get("/api/openapi.json").get_json()["paths"]
    found = client.get(f"/api/search?q={quote('وزير')}&collapse=0&per_page=50").get_json()
    story = next(hit["story"]["id"] for hit in found["hits"] if hit["id"] == doc_id)
    urls = []
    for template in paths:
        url = template.replace("{doc_id}", quote(doc_id, safe="")).replace("{story_id}", story)
        if template in ("/search", "/api/search", "/api/suggest"):
            url += f"?q={quote('وزير')}"
        urls.append(url)
    return urls


def test_every_route_answers_and_every_json_answer_is_strict(store) -> None:
    app = create_app({"BAHTH_ENGINE": store["engine"]})
    client = app.test_client()
    urls = every_route(app, "n1") + every_route(app, "s1")
    assert len(urls) >= 10
    for url in urls:
        answer = client.get(url)
        assert answer.status_code == 200, url
        if answer.mimetype == "application/json":
            strict(answer.get_data(as_text=True))
    shown = strict(client.get("/api/doc/n1").get_data(as_text=True))
    assert shown["fields"]["n"] == "1e400" and shown["fields"]["date"] == "NaN"


def test_an_index_built_before_the_rules_still_answers_strict_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real float nan and inf in a document's fields, as an older bahth stored them: each
    JSON route writes null in their place rather than NaN or Infinity."""
    # the rules as they were (raising=False: before them, there was no such method)
    monkeypatch.setattr(Document, "checked", lambda self: self, raising=False)
    engine = SearchEngine(tmp_path / "index")
    fields = {"n": float("nan"), "big": [float("inf"), {"x": -float("inf")}]}
    report = engine.add_documents([Document(id="old", title="وزير", text="نص", fields=fields)])
    assert report.added == 1
    monkeypatch.undo()
    app = create_app({"BAHTH_ENGINE": engine})
    client = app.test_client()
    for url in every_route(app, "old"):
        answer = client.get(url)
        assert answer.status_code == 200, url
        if answer.mimetype == "application/json":
            strict(answer.get_data(as_text=True))
    shown = strict(client.get("/api/doc/old").get_data(as_text=True))
    assert shown["fields"] == {"n": None, "big": [None, {"x": None}]}
    searched = bahth("search", "وزير", "--index", str(tmp_path / "index"), "--json")
    assert strict(searched.stdout)["hits"][0]["fields"]["n"] is None
