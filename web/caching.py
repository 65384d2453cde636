"""How long a browser or a proxy may keep each answer: every answer says so, errors included.

Search pages, documents and their JSON change whenever the index does (a reindex or a
rebuild swaps it at any moment), and a query can be private: they are ``no-store``, as are
redirects and errors. Static files (CSS, JS) change only with a new bahth: they may be kept a
day (Flask's ``SEND_FILE_MAX_AGE_DEFAULT``), and their URLs carry a hash of the file's content
(``?v=``), so a new version is fetched at once instead of a day late.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from typing import Any

from flask import Response, current_app
from werkzeug.security import safe_join

NO_STORE = "no-store"


def add_cache_control(response: Response) -> Response:
    """Flask ``after_request`` hook: an answer that does not say how long it may be kept
    (every one but a static file's) may not be kept at all."""
    response.headers.setdefault("Cache-Control", NO_STORE)
    return response


def static_url_version(endpoint: str, values: dict[str, Any]) -> None:
    """Flask ``url_defaults`` hook: ``url_for('static', filename=...)`` gains ``v=`` (a hash
    of the file's content), so a cached copy of an older file is never used."""
    if endpoint != "static" or "v" in values or "filename" not in values:
        return
    path = safe_join(current_app.static_folder or "", values["filename"])
    if path and os.path.isfile(path):
        values["v"] = _content_hash(path, os.stat(path).st_mtime_ns)


@lru_cache(maxsize=64)
def _content_hash(path: str, mtime_ns: int) -> str:
    """The first 12 hex digits of the file's SHA-256 (``mtime_ns`` keys the cache)."""
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()[:12]
