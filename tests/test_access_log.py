"""One access-log line per request on stderr: time, method, path, status, duration; query text
kept out with --no-log-queries; whatever a client sent never forges a line."""

from __future__ import annotations

import logging
import re
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import serving

from bahth.web.access_log import AccessLog, access_line

LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (\S+) (\S+) (\d{3}|-) (\d+\.\d)ms$")


def fetch(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def logged(app, environ: dict, log_queries: bool = True) -> list[str]:
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    logger = logging.getLogger(f"test-access-{id(records)}")
    logger.addHandler(Keep())
    logger.setLevel(logging.INFO)
    logger.propagate = False
    base = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "QUERY_STRING": ""}
    AccessLog(app, log_queries=log_queries, logger=logger)({**base, **environ}, lambda *a: None)
    return records


def answering(status: str):
    def app(environ, start_response):
        start_response(status, [])
        return [b""]

    return app


def test_one_line_per_request_with_time_method_target_status_duration() -> None:
    def slow(environ, start_response):
        time.sleep(0.02)
        start_response("404 NOT FOUND", [])
        return [b""]

    (line,) = logged(slow, {"PATH_INFO": "/api/search", "QUERY_STRING": "q=%D8%A8%D8%AD%D8%AB+x"})
    method, target, status, ms = LINE.fullmatch(line).groups()
    assert (method, target, status) == ("GET", "/api/search?q=بحث%20x", "404")
    assert float(ms) >= 20


def test_no_query_text_when_asked() -> None:
    (line,) = logged(answering("200 OK"), {"QUERY_STRING": "q=secret"}, log_queries=False)
    assert "secret" not in line and LINE.fullmatch(line).group(2) == "/"


@pytest.mark.parametrize(
    "path", ["/doc/a\nb 200 1.0ms\nforged", "/doc/\x1b[31mred", "/doc/\u202eevil"]
)
def test_what_a_client_sent_cannot_forge_a_line(path: str) -> None:
    (line,) = logged(answering("200 OK"), {"PATH_INFO": path})
    assert "\n" not in line and "\x1b" not in line and "\u202e" not in line
    assert LINE.fullmatch(line), line


def test_a_very_long_target_is_cut() -> None:
    line = access_line(
        {"REQUEST_METHOD": "GET", "PATH_INFO": "/search", "QUERY_STRING": "q=" + "a" * 5000},
        "200",
        0.001,
    )
    assert len(line) < 400 and "…" in line


def test_a_failing_app_is_logged_too() -> None:
    def broken(environ, start_response):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        logged(broken, {"PATH_INFO": "/x"})


@pytest.mark.parametrize("workers", [1, 2])
def test_the_real_server_logs_every_request_on_stderr(seeds_index: Path, workers: int) -> None:
    with serving(seeds_index, workers=workers) as server:
        assert fetch(server.address + "api/search?q=" + quote("الحموشي")) == 200
        assert fetch(server.address + "doc/no-such-doc") == 404
        deadline = time.monotonic() + 10
        while len([x for x in server.stderr if LINE.match(x.strip())]) < 2:
            assert time.monotonic() < deadline, server.stderr
            time.sleep(0.05)
    lines = [LINE.fullmatch(x.strip()).groups() for x in server.stderr if LINE.match(x.strip())]
    assert [(m, t, s) for m, t, s, _ in lines] == [
        ("GET", "/api/search?q=الحموشي", "200"),
        ("GET", "/doc/no-such-doc", "404"),
    ]


def test_no_log_queries_keeps_query_text_out_of_the_real_servers_log(seeds_index: Path) -> None:
    with serving(seeds_index, "--no-log-queries", workers=2) as server:
        assert fetch(server.address + "search?q=" + quote("سرّي")) == 200
        deadline = time.monotonic() + 10
        while not any(LINE.match(x.strip()) for x in server.stderr):
            assert time.monotonic() < deadline, server.stderr
            time.sleep(0.05)
    log = "".join(server.stderr)
    assert "سرّي" not in log and quote("سرّي") not in log
    assert re.search(r"GET /search 200 ", log)
