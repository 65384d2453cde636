"""`bahth search` and `bahth serve` read their command lines as a user means them: a query
that starts with - is a query (the query language's "without this word"), and a number of
seconds is a finite number above 0."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bahth.cli import main
from bahth.search.engine import SearchEngine

# (the command line after `bahth search`, the query the engine is asked)
DASHED = [
    pytest.param(["-الإرهاب"], "-الإرهاب", id="a-query-of-one-excluded-word"),
    pytest.param(["-الإرهاب", "--limit", "3"], "-الإرهاب", id="options-after-it"),
    pytest.param(["--sort", "-date", "-الإرهاب"], "-الإرهاب", id="an-option-value-with-a-dash"),
    pytest.param(["--", "-الإرهاب"], "-الإرهاب", id="after-a-double-dash"),
    pytest.param(["-FBI"], "-FBI", id="latin-letters"),
    pytest.param(["--json", "-1"], "-1", id="a-number"),
]


@pytest.mark.parametrize(("args", "query"), DASHED)
def test_a_query_may_start_with_a_dash(
    news_index: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], query: str
) -> None:
    asked: list[tuple[str, str]] = []
    search = SearchEngine.search

    def recording(self, q, *rest, **options):
        asked.append((q, options.get("sort")))
        return search(self, q, *rest, **options)

    monkeypatch.setattr(SearchEngine, "search", recording)
    result = CliRunner().invoke(main, ["search", "--index", str(news_index), *args])
    assert result.exit_code == 0, result.output
    assert [q for q, _ in asked] == [query]
    if "--sort" in args:
        assert asked[0][1] == "-date", "the option's value stays the option's"


def test_an_unknown_long_option_is_still_an_error(news_index: Path) -> None:
    result = CliRunner().invoke(main, ["search", "--index", str(news_index), "--limt", "3"])
    assert result.exit_code == 2 and "No such option '--limt'" in result.output


# (the command, the option, its value): every one a usage error, exit 2
SECONDS = [
    pytest.param(command, option, value, id=f"{command}-{option}-{reason}")
    for command, option in [
        ("search", "--time-limit"),
        ("serve", "--time-limit"),
        ("serve", "--header-timeout"),
    ]
    for value, reason in [
        ("nan", "not-a-number"),
        ("inf", "infinite"),
        ("-inf", "minus-infinity"),
        ("1e400", "past-the-largest-float"),
        ("0", "zero"),
        ("-1", "negative"),
        ("abc", "not-a-number-at-all"),
    ]
]


@pytest.mark.parametrize(("command", "option", "value"), SECONDS)
def test_seconds_must_be_finite_and_above_zero(
    news_index: Path, monkeypatch: pytest.MonkeyPatch, command: str, option: str, value: str
) -> None:
    from bahth.web import server, workers

    def refused(*args, **kwargs):
        raise AssertionError("the command ran with a bad number of seconds")

    monkeypatch.setattr(server, "create_server", refused)
    monkeypatch.setattr(workers, "create_multiprocess_server", refused)
    monkeypatch.setattr(SearchEngine, "search", refused)
    args = [command, "--index", str(news_index), f"{option}={value}"]
    result = CliRunner().invoke(main, [*args, "الأمن"] if command == "search" else args)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}'" in result.output
    assert "Traceback" not in result.output


# (what the queries file holds, where the run goes, the exit status, what the one line says)
BATCH = [
    pytest.param(b"\xff\xfe{}\n", "out.trec", 2, "not UTF-8 text", id="queries-not-utf8"),
    pytest.param(
        b'{"id": "1", "text": "x"}\n',
        "no/such/dir/out.trec",
        1,
        "cannot write the run",
        id="run-in-a-missing-folder",
    ),
]


@pytest.mark.parametrize(("queries", "run", "status", "says"), BATCH)
def test_batch_mode_says_what_it_cannot_read_or_write(
    news_index: Path, tmp_path: Path, queries: bytes, run: str, status: int, says: str
) -> None:
    """Both were a traceback (UnicodeDecodeError, FileNotFoundError)."""
    (tmp_path / "q.jsonl").write_bytes(queries)
    args = ["--queries", str(tmp_path / "q.jsonl"), "--run", str(tmp_path / run)]
    result = CliRunner().invoke(main, ["search", "--index", str(news_index), *args])
    assert result.exit_code == status, result.output
    assert says in result.output and result.output.count("\n") == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)


GOOD_QUERY = '{"id": "good", "text": "الأمن"}'
# (a queries file's lines after a good one, the line skipped, what stderr says of it): a
# run file is split on spaces, and one qid is one ranking; the others still run
SKIPPED_QUERIES = [
    pytest.param(['{"id": "q 1", "text": "الأمن"}'], 2, "'q 1' holds whitespace", id="space-in-id"),
    pytest.param(['{"id": "q\\t", "text": "x"}'], 2, "holds whitespace", id="tab-after-the-id"),
    pytest.param(['{"id": "", "text": "الأمن"}'], 2, "has no query id", id="empty-id"),
    pytest.param(
        ['{"id": "good", "text": "الإرهاب"}'],
        2,
        "'good' is given again (first at q.jsonl:1)",
        id="the-same-id-twice",
    ),
]


@pytest.mark.parametrize(("lines", "line", "says"), SKIPPED_QUERIES)
def test_batch_mode_skips_a_query_whose_id_a_run_cannot_carry(
    news_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lines, line, says
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("q.jsonl").write_text("\n".join([GOOD_QUERY, *lines]) + "\n", encoding="utf-8")
    args = ["search", "--index", str(news_index), "--queries", "q.jsonl", "--run", "out.trec"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert f"skipped q.jsonl:{line}: " in result.output and says in result.output
    rows = [row.split(" ") for row in Path("out.trec").read_text(encoding="utf-8").splitlines()]
    assert rows and all(len(row) == 6 and row[0] == "good" for row in rows)
    assert [row[3] for row in rows] == [str(rank) for rank in range(1, len(rows) + 1)]


# (a query for one odd id's word, whether its document can stand in a run line): a run line's
# columns are split on whitespace, so a document id holding any is left out and named
RUN_COLUMNS = [
    pytest.param("echo", False, id="an-id-with-a-space-is-left-out"),
    pytest.param("kilo", False, id="an-id-with-a-tab-is-left-out"),
    pytest.param("charlie", False, id="an-id-with-a-line-break-is-left-out"),
    pytest.param("alfa", True, id="slashes-and-dots-stand-as-they-are"),
]


@pytest.mark.parametrize(("word", "carried"), RUN_COLUMNS)
def test_a_run_line_never_holds_a_document_id_with_whitespace(
    odd_ids_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, word: str, carried: bool
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("q.jsonl").write_text(json.dumps({"id": "q1", "text": word}) + "\n", encoding="utf-8")
    args = ["search", "--index", str(odd_ids_index), "--queries", "q.jsonl", "--run", "out.trec"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    rows = [row.split(" ") for row in Path("out.trec").read_text(encoding="utf-8").splitlines()]
    assert all(len(row) == 6 for row in rows), rows
    assert ("left out of query q1's ranking" in result.output) is not carried
    assert bool(rows) is carried


def test_a_run_tag_with_a_space_is_a_usage_error(news_index: Path, tmp_path: Path) -> None:
    (tmp_path / "q.jsonl").write_text(GOOD_QUERY + "\n", encoding="utf-8")
    args = ["--queries", str(tmp_path / "q.jsonl"), "--run", str(tmp_path / "o.trec")]
    result = CliRunner().invoke(main, ["search", "--index", str(news_index), *args, "--tag", "a b"])
    assert result.exit_code == 2 and "--tag 'a b'" in result.output
    assert not (tmp_path / "o.trec").exists()
