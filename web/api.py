"""The JSON API: the search page's twin, one document, suggestions, the index's statistics,
a health check for load balancers, and the OpenAPI document that describes them all.

Thin glue over SearchEngine, like the pages (web.searching reads the parameters for both).
Errors are JSON with a machine code (web.errors); /api/openapi.json (web.openapi) lists every
route, parameter, answer and code, and the tests check real answers against it.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from bahth.index.errors import (
    BackendUnavailable,
    IndexDamaged,
    IndexEmpty,
    IndexMissing,
    IndexVersionMismatch,
)
from bahth.web.errors import Problem
from bahth.web.searching import (
    document_query,
    find_document,
    find_story,
    holder,
    run_search,
    search_params,
    suggestions,
)

blueprint = Blueprint("api", __name__)

STATS_FIELDS = (  # what /api/stats tells; the index's folder on the server is not for clients
    "documents",
    "terms",
    "size_bytes",
    "analyzer",
    "analyzer_version",
    "last_update",
    "created",
    "generation",
)


@blueprint.get("/api/search")
def search():
    return jsonify(run_search(search_params()).to_dict())


@blueprint.get("/api/doc/<doc_id:doc_id>")  # any id: web.doc_ids
def document(doc_id: str):
    return jsonify(find_document(doc_id, document_query()).to_dict())


@blueprint.get("/api/story/<story_id>")
def story(story_id: str):
    return jsonify(find_story(story_id).to_dict())


@blueprint.get("/api/suggest")
def suggest():
    return jsonify(suggestions(request.args.get("q") or ""))


@blueprint.get("/api/stats")
def stats():
    figures = holder().stats()
    return jsonify({name: figures.get(name) for name in STATS_FIELDS})


@blueprint.get("/healthz")
def healthz():
    """200 with the index generation when the index opens and reads, else 503: for load
    balancers, and for nodes that must serve the same generation."""
    engine = holder().engine()
    try:
        state = engine.state()
    except (IndexMissing, IndexVersionMismatch, IndexDamaged, BackendUnavailable):
        raise  # web.errors: 503 with the command that fixes it, or the nodes that are down
    except Exception:  # any other failure to read: out of the pool until it reads again
        current_app.logger.exception("health check: the index does not read")
        raise Problem(503, "index_unreadable", "تعذّرت قراءة الفهرس.") from None
    if not state.documents:
        raise IndexEmpty(engine.store.path)
    answer = {"status": "ok", "generation": state.generation, "documents": state.documents}
    nodes = engine.health()["nodes"]
    if nodes:  # a cluster: which nodes answer (with one down, searches are partial)
        answer["nodes"] = nodes
        answer["status"] = "ok" if all(n["up"] for n in nodes) else "partial"
    return jsonify(answer)


@blueprint.get("/api/openapi.json")
def openapi():
    from bahth.web.openapi import openapi_document

    return jsonify(openapi_document(current_app.config))
