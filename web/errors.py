"""Every failure becomes a page a person can read in Arabic (or JSON under /api/), never a
traceback.

Each answer other than a 200 has a status, a stable machine ``code`` and a message. Under
``/api/`` (and ``/healthz``) it is JSON: ``{"error": message, "code": code, "status": status}``
plus what helps (the ``parameter`` a 400 is about, the ``command`` that builds a missing
index); elsewhere it is a page of the site. Messages are Arabic: the library's own messages
are English sentences for library users and the CLI, so they are never shown as they are;
the error's type says which Arabic message to give. A missing or empty index is 503 with the
command that builds one; a search past the app's time limit (REQUEST_TIME_LIMIT) is 503 with
what to try instead, and so is an expensive one refused while another runs (code busy, with
Retry-After); anything unexpected is logged and answered with a plain 500 page.
"""

from __future__ import annotations

import shlex
from typing import Any

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from bahth.index.errors import (
    BackendUnavailable,
    BahthError,
    IndexDamaged,
    IndexEmpty,
    IndexMissing,
    IndexVersionMismatch,
    SearchBusy,
    SearchTimeout,
)

TITLES = {
    400: "طلب غير صالح",
    404: "الصفحة غير موجودة",
    405: "طريقة غير مسموحة",
    500: "خطأ غير متوقع",
    503: "لا يوجد فهرس بعد",
}
HTTP_MESSAGES = {  # for Werkzeug's own HTTP errors, whose descriptions are English
    400: ("bad_request", "الطلب غير صالح."),
    404: ("not_found", "لم نجد هذه الصفحة. جرّب البحث من الصفحة الرئيسية."),
    405: ("method_not_allowed", "هذا العنوان يقبل طلبات GET وحدها."),
}
TIMEOUT_TITLE = "استغرق البحث وقتا أطول من المسموح"
BUSY_TITLE = "الخادم مشغول ببحث واسع آخر"
RETRY_AFTER = 1  # seconds a refused expensive search is told to wait (search.admission)
VERSION_TITLE = "يجب إعادة بناء الفهرس"

# Every code an answer may carry (the OpenAPI document lists them).
CODES = (
    "bad_parameter",
    "bad_request",
    "not_found",
    "document_not_found",
    "story_not_found",
    "method_not_allowed",
    "index_missing",
    "index_empty",
    "index_version",
    "index_damaged",
    "index_unreadable",
    "backend_unavailable",
    "time_limit",
    "busy",
    "internal",
    "http_error",
)


class Problem(Exception):
    """An answer other than 200 that a view gives on purpose: ``status``, a ``code`` from
    CODES, an Arabic ``message``, and any extra JSON fields."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_answer(
    status: int,
    code: str,
    message: str,
    template: str = "error.html",
    title: str | None = None,
    **extra: Any,
) -> Response:
    if wants_json():
        response = jsonify({"error": message, "code": code, "status": status, **extra})
    else:
        title = title or TITLES.get(status, "خطأ")
        page = render_template(
            template, status=status, code=code, title=title, message=message, **extra
        )
        response = make_response(page)
    response.status_code = status
    return response


def index_unavailable(error: BahthError) -> Response:
    """503: there is nothing to search yet (or the index needs a rebuild). Say how to fix it."""
    path = str(current_app.extensions["bahth"].engine().store.path)
    if isinstance(error, IndexEmpty):
        code, message = "index_empty", "الفهرس موجود لكنه لا يحوي أي وثيقة بعد."
    elif isinstance(error, IndexMissing):
        code, message = "index_missing", "لا يوجد فهرس في هذا المجلد بعد."
    elif isinstance(error, IndexDamaged):
        code, message = "index_damaged", "هذا الفهرس تالف: أعد بناءه من مصادره."
    else:
        code, message = "index_version", "بُني هذا الفهرس بإصدار آخر من محلل bahth: أعد بناءه."
    if isinstance(error, IndexMissing):
        command = error.command
    else:  # an index of another analyzer version, or a damaged one
        command = f"bahth index --rebuild PATH... --index {shlex.quote(path)}"
    return error_answer(
        503,
        code,
        message,
        template="no_index.html",
        title=VERSION_TITLE if code in ("index_version", "index_damaged") else None,
        command=command,
        index_path=path,
    )


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(Problem)
    def problem(error: Problem):
        return error_answer(error.status, error.code, error.message, **error.extra)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        code, message = HTTP_MESSAGES.get(status, ("http_error", f"تعذّر تنفيذ الطلب ({status})."))
        answer = error_answer(status, code, message)
        if status == 405:
            answer.headers["Allow"] = ", ".join(getattr(error, "valid_methods", None) or ["GET"])
        return answer

    @app.errorhandler(IndexDamaged)
    @app.errorhandler(IndexMissing)
    @app.errorhandler(IndexVersionMismatch)
    def missing_index(error: BahthError):
        return index_unavailable(error)

    @app.errorhandler(SearchTimeout)
    def search_timeout(error: SearchTimeout):
        """503: this search would hold a server thread too long. Say what to try."""
        limit = current_app.config["REQUEST_TIME_LIMIT"]
        within = f" (الحد: {float(limit):g} ث)" if limit else ""  # ث: seconds, any number
        message = (
            f"أُوقف البحث لأنه تجاوز الوقت المسموح{within}. "
            "جرّب كلمات أقل أو أدق، أو ضيّق البحث بالمصدر أو السنة."
        )
        return error_answer(503, "time_limit", message, title=TIMEOUT_TITLE)

    @app.errorhandler(SearchBusy)
    def search_busy(error: SearchBusy):
        """503: an expensive search met another one running (search.admission): say to try
        again in a moment, or to narrow it."""
        message = (
            "يجري الآن بحث واسع آخر، فلم يُنفَّذ هذا البحث. أعد المحاولة بعد لحظات، "
            "أو ضيّقه: كلمات أقل بـ * أو ~، أو حروف أكثر قبل *، أو عبارة أقصر، أو المصدر أو السنة."
        )
        answer = error_answer(503, "busy", message, title=BUSY_TITLE)
        answer.headers["Retry-After"] = str(RETRY_AFTER)
        return answer

    @app.errorhandler(BackendUnavailable)
    def backend_unavailable(error: BackendUnavailable):
        """503: no node of the cluster answers (with one, the page is partial instead)."""
        message = "لا تجيب عقد الفهرس الآن. أعد المحاولة بعد قليل."
        return error_answer(
            503, "backend_unavailable", message, title="الفهرس غير متاح", detail=str(error)
        )

    @app.errorhandler(BahthError)
    def bahth_error(error: BahthError):
        current_app.logger.warning("library error on %s: %s", request.path, error)
        return error_answer(400, "bad_request", "تعذّر تنفيذ هذا الطلب على الفهرس.")

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        current_app.logger.exception("unexpected error on %s", request.path)
        return error_answer(500, "internal", "حدث خطأ غير متوقع في الخادم. أعد المحاولة بعد قليل.")
