"""One line per request on stderr: when it came, what it asked, the answer's status, how long
it took. What an operator needs to see traffic, errors and slow requests, and nothing more.

    2026-12-01T10:12:07Z GET /api/search?q=الحموشي 200 12.3ms

A WSGI middleware, so it sees every request the app answers, whichever server runs it
(waitress alone, or gunicorn's workers). Written through the ``bahth.access`` logger: one
``write`` a line, so the lines of several worker processes sharing stderr do not mix.
Query text can be private: ``log_queries=False`` (``bahth serve --no-log-queries``) logs the
path alone. Whatever a client sent is printed readably but never verbatim: control and
invisible characters are escaped (a newline in a document id cannot forge a log line), and a
very long target is cut.
"""

from __future__ import annotations

import logging
import time
import unicodedata
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote

LOGGER = logging.getLogger("bahth.access")
MAX_TARGET_CHARS = 300  # of path and query string: enough to recognize a request

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


class AccessLog:
    """Wraps a WSGI app; logs one line per request once the app has answered."""

    def __init__(self, app: WSGIApp, *, log_queries: bool = True, logger: logging.Logger = LOGGER):
        self.app = app
        self.log_queries = log_queries
        self.logger = logger

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        status = ["-"]

        def recording_start_response(status_line: str, headers: list, *exc_info: Any):
            status[0] = status_line.split(" ", 1)[0]
            return start_response(status_line, headers, *exc_info)

        try:
            return self.app(environ, recording_start_response)
        finally:
            seconds = time.perf_counter() - started
            self.logger.info(access_line(environ, status[0], seconds, self.log_queries))


def access_line(environ: dict, status: str, seconds: float, log_queries: bool = True) -> str:
    """``time method target status duration``: the line logged for one request."""
    when = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    target = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    query = environ.get("QUERY_STRING", "")
    if query and log_queries:
        target += "?" + unquote(query.replace("+", " "), errors="replace")
    target = printable(target)
    if len(target) > MAX_TARGET_CHARS:
        target = target[:MAX_TARGET_CHARS] + "…"
    method = printable(environ.get("REQUEST_METHOD", "-"))[:20]
    return f"{when} {method} {target} {status} {seconds * 1000:.1f}ms"


def printable(text: str) -> str:
    """``text`` with control, invisible and separator characters (category C*, Z* but the
    space) escaped as ``\\xNN``/``\\uNNNN``, and spaces as ``%20``: one token, one line."""
    out = []
    for char in text:
        if char == " ":
            out.append("%20")
        elif unicodedata.category(char)[0] in "CZ":
            out.append(char.encode("unicode_escape").decode("ascii"))
        else:
            out.append(char)
    return "".join(out)


def log_to_stderr() -> None:
    """Send the access log to stderr, one bare line per request (what ``bahth serve`` does);
    idempotent."""
    import sys

    if not any(getattr(h, "bahth_access", False) for h in LOGGER.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.bahth_access = True  # type: ignore[attr-defined]
        LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.INFO)
    LOGGER.propagate = False
