"""Cross-origin reads of the JSON API, for pages served from another origin: opt-in.

A browser lets a page read an answer from another origin only when the answer names the
page's origin in ``Access-Control-Allow-Origin``. bahth names none unless told
(``bahth serve --cors https://example.org``, ``CORS_ORIGINS`` in the app's config): the
default is that only the bahth page itself calls its API. Only ``/api/`` answers (errors
included, so a page can read why) carry the header; the HTML pages never do. Every route is
GET without credentials, so no preflight is needed; one is answered all the same.
"""

from __future__ import annotations

import re

from flask import Response, current_app, request

ANY_ORIGIN = "*"
# scheme://host[:port], nothing after: what a browser sends in Origin
ORIGIN = re.compile(
    r"(?i)https?://[a-z0-9.\-]+(:[0-9]{1,5})?|https?://\[[0-9a-f:.]+\](:[0-9]{1,5})?"
)


class BadOrigin(ValueError):
    """A --cors value that is not an origin."""


def check_origin(origin: str) -> str:
    """``origin`` as a browser sends it (lower case, no trailing slash), or BadOrigin."""
    value = origin.strip().rstrip("/")
    if value == ANY_ORIGIN:
        return value
    if not ORIGIN.fullmatch(value):
        raise BadOrigin(
            f"{origin!r} is not an origin: give scheme://host[:port], like "
            "https://example.org, or * for any"
        )
    return value.lower()


def add_cors_headers(response: Response) -> Response:
    """Flask ``after_request`` hook: let the configured origins read /api/ answers."""
    allowed = current_app.config.get("CORS_ORIGINS") or ()
    if not allowed or not request.path.startswith("/api/"):
        return response
    if ANY_ORIGIN in allowed:
        response.headers["Access-Control-Allow-Origin"] = ANY_ORIGIN
    else:
        response.vary.add("Origin")  # the answer differs by the asking origin
        origin = (request.headers.get("Origin") or "").lower()
        if origin in allowed:
            response.headers["Access-Control-Allow-Origin"] = origin
    if request.method == "OPTIONS":  # a preflight: what the real request may do
        response.headers["Access-Control-Allow-Methods"] = "GET"
        response.headers["Access-Control-Max-Age"] = "600"
    return response
