"""The OpenAPI 3.1 document of bahth's HTTP interface, served at /api/openapi.json.

Built from the rules it describes, not copied from them: the limits come from the app's
config (the largest ``per_page``, the longest query), the error codes from web.errors, the
notice codes from search.notices. So the document cannot drift
from what the server does, and the tests check real answers against it (and that every route
of the app is in it).
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from bahth.analyzers import MAX_WORD_CHARS
from bahth.search.engine import SUGGESTIONS_MAX
from bahth.search.notices import ENGLISH as NOTICES
from bahth.web.errors import CODES
from bahth.web.openapi_parameters import parameters

JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str) -> dict[str, Any]:
    return {"type": [kind, "null"]}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _html(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


def _errors(*statuses: int, html: bool = False) -> dict[str, Any]:
    described = {
        400: "A parameter that cannot be used (code bad_parameter, and the parameter's name).",
        404: "No such document or route.",
        503: (
            "No index, an empty one, one to rebuild (with the command that fixes it), a "
            "search stopped at the server's time limit (code time_limit), or an expensive "
            "search refused while another runs (code busy, with Retry-After)."
        ),
    }
    answers = {}
    for status in statuses:
        if html:
            answers[str(status)] = _html(described[status] + " An Arabic page.")
        else:
            answers[str(status)] = _json(_ref("Error"), described[status])
    return answers


def _version() -> str:
    try:
        return version("bahth")
    except PackageNotFoundError:  # a checkout used without installing it
        return "0"


def openapi_document(config: Mapping[str, Any]) -> dict[str, Any]:
    """The document for an app with ``config`` (its limits)."""
    paths = _paths(config)
    for path, item in paths.items():
        if path.startswith("/api/") or path == "/healthz":
            item["get"]["responses"].setdefault("500", _json(_ref("Error"), "A server error."))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "bahth",
            "version": _version(),
            "description": (
                "Full-text search for Arabic text. Every answer is JSON under /api/ and at "
                "/healthz; errors are {error, code, status}. Every route is GET."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": {**_result_schemas(), **_other_schemas()},
            "parameters": parameters(config),
        },
    }


def _result_schemas() -> dict[str, Any]:
    """A search's answer: its page, hits, facets and notices."""
    schemas = {
        "Notice": {
            "type": "object",
            "description": "Something a result says about itself: a stable code and its values.",
            "required": ["code", "text"],
            "properties": {
                "code": {"type": "string", "enum": sorted(NOTICES)},
                "text": {"type": "string", "description": "The English sentence."},
            },
            "additionalProperties": True,
        },
        "Hit": {
            "type": "object",
            "required": ["id", "title", "title_html", "snippet_html", "score"],
            "properties": {
                "id": {"type": "string"},
                "title": {"type": "string"},
                "title_html": {"type": "string", "description": "Escaped, <mark> on matches."},
                "snippet_html": {"type": "string", "description": "Escaped, <mark> on matches."},
                "score": {"type": "number", "description": "Relevance, whatever the sort."},
                "source": _nullable("string"),
                "date": _nullable("string"),
                "url": _nullable("string"),
                "fields": {
                    "type": "object",
                    "description": "Every field of the document but id, title, text, as given.",
                },
                "story": {
                    "type": "object",
                    "description": "Its story (near-duplicates share one): id, and its "
                    "documents' number (1: alone). /api/story/{id} lists them.",
                    "required": ["id", "size"],
                    "properties": {
                        "id": {"type": "string"},
                        "size": {"type": "integer", "minimum": 1},
                    },
                },
            },
        },
        "Facets": {
            "type": "object",
            "description": (
                "For each facet field (facet = true; source and year in the default fields), "
                "each value's number of matches."
            ),
            "additionalProperties": {
                "type": "object",
                "additionalProperties": {"type": "integer", "minimum": 1},
            },
        },
        "Page": {
            "type": "object",
            "required": ["query", "total", "page", "per_page", "took_ms", "hits", "facets"],
            "properties": {
                "query": {"type": "string"},
                "total": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "What the pages list: stories (collapsed), else documents.",
                },
                "total_documents": {"type": "integer", "minimum": 0},
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1},
                "took_ms": {"type": "number", "minimum": 0},
                "hits": {"type": "array", "items": _ref("Hit")},
                "suggestion": _nullable("string"),
                "facets": _ref("Facets"),
                "message": {"type": "string", "description": "The notices, in English."},
                "notices": {"type": "array", "items": _ref("Notice")},
                "partial": {
                    "type": "boolean",
                    "description": "A node of the cluster did not answer: its documents are "
                    "missing from this page.",
                },
                "warning": {**_nullable("string"), "description": "Which nodes, in English."},
                "read_as": {
                    "type": "array",
                    "description": "The entries of also_searched that read a word typed in "
                    "the other script: on the wrong keyboard layout (script: keyboard), or "
                    "Arabic in Latin letters (script: latin).",
                    "items": {
                        "type": "object",
                        "required": ["typed", "searched", "script"],
                        "properties": {
                            "typed": {"type": "string"},
                            "searched": {"type": "string"},
                            "script": {"type": "string", "enum": ["keyboard", "latin"]},
                        },
                    },
                },
                "also_searched": {
                    "type": "array",
                    "description": "Other spellings (name variants) and synonyms the query "
                    "searched besides the words typed, each with the word it was searched for: "
                    "the words as typed, a spelling as the documents write it.",
                    "items": {
                        "type": "object",
                        "required": ["typed", "searched"],
                        "properties": {
                            "typed": {"type": "string"},
                            "searched": {"type": "string"},
                        },
                    },
                },
            },
        },
    }
    return schemas


def _other_schemas() -> dict[str, Any]:
    """One document, the statistics, the health check, an error."""
    schemas = {
        "Document": {
            "type": "object",
            "required": ["id", "title", "text", "title_html", "body_html"],
            "properties": {
                "id": {"type": "string"},
                "title": {"type": "string"},
                "text": {"type": "string", "description": "The whole text."},
                "title_html": {"type": "string"},
                "body_html": {
                    "type": "string",
                    "description": "Escaped <p> paragraphs, <mark> on q's words (maybe cut).",
                },
                "source": _nullable("string"),
                "date": _nullable("string"),
                "url": _nullable("string"),
                "fields": {"type": "object"},
                "message": {"type": "string"},
                "notices": {"type": "array", "items": _ref("Notice")},
            },
        },
        "Story": {
            "type": "object",
            "required": ["id", "size", "documents"],
            "properties": {
                "id": {"type": "string"},
                "size": {"type": "integer", "minimum": 1},
                "documents": {
                    "type": "array",
                    "description": "Newest first (documents without a date last).",
                    "items": {
                        "type": "object",
                        "required": ["id", "title", "source", "date", "url"],
                        "properties": {
                            "id": {"type": "string"},
                            "title": {"type": "string"},
                            "source": _nullable("string"),
                            "date": _nullable("string"),
                            "url": _nullable("string"),
                        },
                    },
                },
            },
        },
        "Stats": {
            "type": "object",
            "required": ["documents", "terms", "size_bytes", "analyzer", "generation"],
            "properties": {
                "documents": {"type": "integer", "minimum": 0},
                "terms": {"type": "integer", "minimum": 0},
                "size_bytes": {"type": "integer", "minimum": 0},
                "analyzer": {"type": "string"},
                "analyzer_version": {"type": "string"},
                "last_update": _nullable("string"),
                "created": _nullable("string"),
                "generation": {"type": "string"},
            },
            "additionalProperties": False,
        },
        "Health": {
            "type": "object",
            "required": ["status", "generation", "documents"],
            "properties": {
                "status": {
                    "enum": ["ok", "partial"],
                    "description": "partial: a node of the cluster does not answer (searches "
                    "are served without its documents).",
                },
                "generation": {
                    "type": "string",
                    "description": "Changes with every commit and rebuild of the index.",
                },
                "documents": {"type": "integer", "minimum": 1},
                "nodes": {
                    "type": "array",
                    "description": "A cluster's nodes (--backend), each answering or not.",
                    "items": {
                        "type": "object",
                        "required": ["node", "up"],
                        "properties": {
                            "node": {"type": "string"},
                            "up": {"type": "boolean"},
                            "error": _nullable("string"),
                        },
                        "additionalProperties": False,
                    },
                },
            },
            "additionalProperties": False,
        },
        "Error": {
            "type": "object",
            "required": ["error", "code", "status"],
            "properties": {
                "error": {"type": "string", "description": "What went wrong, in Arabic."},
                "code": {"type": "string", "enum": list(CODES)},
                "status": {"type": "integer"},
                "parameter": {"type": "string", "description": "The parameter a 400 is about."},
                "allowed": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "For an unknown filter field or sort: the names that would do.",
                },
                "command": {"type": "string", "description": "The command that fixes a 503."},
                "index_path": {"type": "string"},
                "detail": {
                    "type": "string",
                    "description": "backend_unavailable: the cluster's nodes that did not answer.",
                },
            },
            "additionalProperties": False,
        },
    }

    return schemas


def _paths(config: Mapping[str, Any]) -> dict[str, Any]:
    """Every route of the app (the HTML pages and their JSON twins)."""
    search_parameters = [
        {"$ref": f"#/components/parameters/{name}"}
        for name in ("q", "page", "per_page", "filters", "sort", "collapse")
    ]
    story_parameters = [{"$ref": "#/components/parameters/story_id"}]
    doc_parameters = [{"$ref": "#/components/parameters/doc_id"}]
    doc_parameters.append({"$ref": "#/components/parameters/doc_q"})

    paths = {
        "/": {"get": {"summary": "The search page", "responses": {"200": _html("The page.")}}},
        "/search": {
            "get": {
                "summary": "Results page",
                "parameters": search_parameters,
                "responses": {
                    "200": _html("Ranked hits, facets, pages."),
                    "302": {"description": "An empty query goes home; a late page to the last."},
                    **_errors(400, 503, html=True),
                },
            }
        },
        "/doc/{doc_id}": {
            "get": {
                "summary": "One document's page",
                "parameters": doc_parameters,
                "responses": {"200": _html("The document."), **_errors(404, 503, html=True)},
            }
        },
        "/story/{story_id}": {
            "get": {
                "summary": "One story's page: its documents with source and date",
                "parameters": [*story_parameters, {"$ref": "#/components/parameters/doc_q"}],
                "responses": {"200": _html("The story."), **_errors(404, 503, html=True)},
            }
        },
        "/api/story/{story_id}": {
            "get": {
                "summary": "One story: its documents, newest first",
                "parameters": story_parameters,
                "responses": {
                    "200": _json(_ref("Story"), "The story."),
                    **_errors(404, 503),
                },
            }
        },
        "/api/search": {
            "get": {
                "summary": "Search: one page of ranked hits, with facets over all matches",
                "parameters": search_parameters,
                "responses": {"200": _json(_ref("Page"), "The page."), **_errors(400, 503)},
            }
        },
        "/api/doc/{doc_id}": {
            "get": {
                "summary": "One document, the words of q marked",
                "parameters": doc_parameters,
                "responses": {
                    "200": _json(_ref("Document"), "The document."),
                    **_errors(404, 503),
                },
            }
        },
        "/api/suggest": {
            "get": {
                "summary": "Autocomplete: indexed words completing the last word typed",
                "parameters": [{"$ref": "#/components/parameters/prefix"}],
                "responses": {
                    "200": _json(
                        {
                            "type": "array",
                            "items": {"type": "string", "maxLength": MAX_WORD_CHARS},
                            "maxItems": SUGGESTIONS_MAX,
                        },
                        "Words as the documents write them, most frequent first.",
                    ),
                    **_errors(503),
                },
            }
        },
        "/api/stats": {
            "get": {
                "summary": "The index: documents, terms, size, analyzer, last update, generation",
                "responses": {"200": _json(_ref("Stats"), "The figures."), **_errors(503)},
            }
        },
        "/healthz": {
            "get": {
                "summary": "Health check, for load balancers",
                "description": (
                    "200 with the index generation when the index opens and reads and holds "
                    "documents (over a cluster: which nodes answer, and status partial when "
                    "one does not); 503 otherwise (codes index_missing, index_empty, "
                    "index_version, index_damaged, index_unreadable, backend_unavailable)."
                ),
                "responses": {
                    "200": _json(_ref("Health"), "Serving."),
                    "503": _json(_ref("Error"), "Not serving: the code says why."),
                },
            }
        },
        "/api/openapi.json": {
            "get": {
                "summary": "This document",
                "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1.")},
            }
        },
    }
    return paths
