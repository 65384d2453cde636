"""Every failure becomes a page a person can read (or JSON under /api/), never a traceback.

A missing or empty index is 503 with the command that builds one; a search past the app's
time limit (REQUEST_TIME_LIMIT) is 503 with what to try instead; HTTP errors keep their
status; anything unexpected is logged and answered with a plain 500 page.
"""

from __future__ import annotations

import shlex

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from bahth.index.errors import (
    BackendUnavailable,
    BahthError,
    IndexDamaged,
    IndexMissing,
    IndexVersionMismatch,
    SearchTimeout,
)

TITLES = {
    400: "طلب غير صالح",
    404: "الصفحة غير موجودة",
    405: "طريقة غير مسموحة",
    500: "خطأ غير متوقع",
    503: "لا يوجد فهرس بعد",
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


TIMEOUT_TITLE = "استغرق البحث وقتا أطول من المسموح"


def error_answer(
    status: int, message: str, template: str = "error.html", title: str | None = None, **extra
) -> Response:
    if wants_json():
        response = jsonify({"error": message, "status": status, **extra})
    else:
        title = title or TITLES.get(status, "خطأ")
        page = render_template(template, status=status, title=title, message=message, **extra)
        response = make_response(page)
    response.status_code = status
    return response


def index_unavailable(error: BahthError):
    """503: there is nothing to search yet (or the index needs a rebuild). Say how to fix it."""
    path = str(current_app.extensions["bahth"].engine().store.path)
    if isinstance(error, IndexMissing):
        command = error.command
    else:  # an index of another analyzer version, or a damaged one
        command = f"bahth index --rebuild PATH... --index {shlex.quote(str(path))}"
    return error_answer(503, str(error), template="no_index.html", command=command, index_path=path)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        message = error.description or ""
        if error.code == 404 and (not message or "requested URL was not found" in message):
            message = "لم نجد هذه الصفحة. جرّب البحث من الصفحة الرئيسية."
        answer = error_answer(error.code or 500, message)
        if error.code == 405:
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
        return error_answer(503, message, title=TIMEOUT_TITLE)

    @app.errorhandler(BackendUnavailable)
    def backend_unavailable(error: BackendUnavailable):
        """503: no node of the cluster answers (with one, the page is partial instead)."""
        message = "لا تجيب عقد الفهرس الآن. أعد المحاولة بعد قليل."
        return error_answer(503, message, title="الفهرس غير متاح", detail=str(error))

    @app.errorhandler(BahthError)
    def bahth_error(error: BahthError):
        return error_answer(400, str(error))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        current_app.logger.exception("unexpected error on %s", request.path)
        return error_answer(500, "حدث خطأ غير متوقع في الخادم. أعد المحاولة بعد قليل.")
