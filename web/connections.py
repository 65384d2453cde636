"""What waitress does not do for bahth: a deadline for a request's headers, and our headers on
the answers waitress gives by itself.

Waitress is asynchronous: until a request has arrived whole, its connection costs a socket and
a little memory, not a thread; then one of the worker threads runs the app. Slow clients can
therefore take connection slots, never threads, and the cure is many slots (the connection
limit, set in web.server) and a deadline: a connection whose request has not completed its
headers within ``header_timeout`` seconds is closed. The clock starts at the request's first
byte, or, for a connection's first request, when the connection opens (a client that sends
nothing is as slow as one that sends a byte a second). Waitress's ``channel_timeout`` only
counts seconds of silence, which one byte a second defeats. The deadline covers a request's
body too (bahth takes none: every route is GET).

Waitress answers some requests itself, before the app sees them (400 for a malformed request,
431 for headers over its limit, 413, 500 if the app fails outside Flask); those answers get the
headers the app gives every answer (web.security, web.caching), are JSON with a code under
/api/ as the app's errors are (web.errors), and have their access-log line (web.access_log)
like every other answer.
"""

from __future__ import annotations

import json
import time

from waitress.channel import HTTPChannel
from waitress.task import ErrorTask

from bahth.web.access_log import LOGGER as ACCESS_LOG
from bahth.web.access_log import access_line
from bahth.web.caching import NO_STORE
from bahth.web.errors import HTTP_MESSAGES
from bahth.web.security import SECURITY_HEADERS


class HeaderedErrorTask(ErrorTask):
    """Waitress's own error answer, with our security headers and ``no-store``; JSON with a
    code under /api/; logged."""

    log_queries = True

    def execute(self) -> None:
        started = time.perf_counter()
        self.response_headers.extend([*SECURITY_HEADERS.items(), ("Cache-Control", NO_STORE)])
        request, error = self.request, self.request.error
        path = _text(getattr(request, "path", ""))
        if path.startswith("/api/") or path == "/healthz":
            code, message = HTTP_MESSAGES.get(
                error.code, ("http_error", f"تعذّر تنفيذ الطلب ({error.code}).")
            )
            body = json.dumps(
                {"error": message, "code": code, "status": error.code}, ensure_ascii=False
            ).encode("utf-8")
            self.status = f"{error.code} {error.reason}"
            self.response_headers.append(("Content-Type", "application/json"))
            self.set_close_on_finish()
            self.content_length = len(body)
            self.write(body)
        else:
            super().execute()
        environ = {
            "REQUEST_METHOD": _text(getattr(request, "command", "")) or "-",
            "PATH_INFO": path or "-",
            "QUERY_STRING": _text(getattr(request, "query", "")),
        }
        seconds = time.perf_counter() - started
        ACCESS_LOG.info(access_line(environ, str(error.code), seconds, self.log_queries))


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value or "")


class DeadlineChannel(HTTPChannel):
    """A connection that is closed when its request's headers are ``header_timeout`` late."""

    header_timeout = 10.0
    error_task_class = HeaderedErrorTask

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # When the request being read started; None while no request is being read.
        self.request_started: float | None = time.monotonic()  # first request: from opening

    def received(self, data: bytes) -> bool:
        before = self.request
        result = super().received(data)
        if self.request is None:  # the data ended on a whole request: nothing is being read
            self.request_started = None
        elif self.request is not before and (before is not None or self.request_started is None):
            self.request_started = time.monotonic()  # a new request began within this data
        return result

    def readable(self) -> bool:
        """Asked by waitress's loop at least once a second (its poll timeout) for every open
        connection: the place to notice a deadline has passed. Only while waitress would
        read: a client is not late while the server is still busy with its last answer."""
        if not super().readable():
            return False
        started = self.request_started
        if started is not None and time.monotonic() - started > self.header_timeout:
            self.will_close = True  # writable() is now true, and the loop closes the socket
            return False
        return True


def deadline_channel(header_timeout: float, log_queries: bool = True) -> type[DeadlineChannel]:
    """A DeadlineChannel class for waitress's ``channel_class``, with this deadline (and its
    error answers logged with or without their query strings)."""
    errors = type("HeaderedErrorTask", (HeaderedErrorTask,), {"log_queries": log_queries})
    attributes = {"header_timeout": float(header_timeout), "error_task_class": errors}
    return type("DeadlineChannel", (DeadlineChannel,), attributes)
