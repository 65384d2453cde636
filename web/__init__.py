"""bahth's web front end: a right-to-left search page and its JSON twin.

The web knows nothing of Whoosh: it talks to :class:`search.engine.SearchEngine` and renders
the dataclasses of :mod:`search.results`. Build an app with :func:`create_app`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Flask is imported by create_app: the CLI reads DEFAULTS without it
    from flask import Flask

DEFAULTS: dict[str, Any] = {
    "BAHTH_INDEX": None,  # index folder; None: the library default ($BAHTH_INDEX, instance/index)
    "BAHTH_ENGINE": None,  # an already built SearchEngine (embedding, tests); wins over BAHTH_INDEX
    "PER_PAGE": 10,
    "MAX_PER_PAGE": 50,
    "MAX_PAGE": 100,  # deeper pages are clamped: nobody reads page 101, and it costs the server
    "MAX_QUERY_CHARS": 500,  # longer queries are cut (and the page says so)
    "MAX_FILTER_CHARS": 200,
    "SUGGEST_LIMIT": 8,
    # seconds a search may run; past it the engine raises SearchTimeout and the answer is a
    # 503 that says so (None: no limit). A thread stuck on one query serves nobody else.
    "REQUEST_TIME_LIMIT": 5.0,
    # static files (CSS, JS) may be cached a day; their URLs carry a hash of their content
    "SEND_FILE_MAX_AGE_DEFAULT": 86400,
    "EXAMPLE_QUERY": "الحموشي",
    # origins whose pages may read the JSON API (web.cors); () none, ("*",) any
    "CORS_ORIGINS": (),
    "JSON_AS_ASCII": False,
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Flask's application-factory pattern: one app per call, configured by ``config``."""
    from flask import Flask

    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    if config:
        app.config.from_mapping(config)

    from bahth.web.api import blueprint as api
    from bahth.web.caching import add_cache_control, static_url_version
    from bahth.web.cors import add_cors_headers
    from bahth.web.doc_ids import DocIdConverter
    from bahth.web.engine_access import EngineHolder
    from bahth.web.errors import register_error_handlers
    from bahth.web.json_answers import StrictJSONProvider
    from bahth.web.security import add_security_headers
    from bahth.web.views import blueprint as pages

    app.json = StrictJSONProvider(app)  # never NaN or Infinity; Arabic stays readable
    app.extensions["bahth"] = EngineHolder(app.config["BAHTH_INDEX"], app.config["BAHTH_ENGINE"])
    app.url_map.converters["doc_id"] = DocIdConverter
    app.register_blueprint(pages)
    app.register_blueprint(api)
    register_error_handlers(app)
    app.url_defaults(static_url_version)
    app.after_request(add_security_headers)
    app.after_request(add_cache_control)
    app.after_request(add_cors_headers)
    return app


__all__ = ["create_app", "DEFAULTS"]
