"""The query and path parameters the OpenAPI document's routes share (web/openapi.py), with
the app's limits: kept apart so each module stays one job."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bahth.search.filters import RELEVANCE


def parameters(config: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters the routes share, with the app's limits."""
    max_query = int(config["MAX_QUERY_CHARS"])
    parameters = {
        "q": {
            "name": "q",
            "in": "query",
            "description": (
                f"The query, in bahth's query language; longer than {max_query} characters it "
                "is cut (and a notice says so)."
            ),
            "schema": {"type": "string"},
        },
        "page": {
            "name": "page",
            "in": "query",
            "description": (
                f"Page number, in any digits; clamped to 1..{config['MAX_PAGE']} and to the last "
                "page with hits."
            ),
            "schema": {"type": "string", "pattern": "^[+-]?[0-9٠-٩۰-۹０-９]+$", "default": "1"},
        },
        "per_page": {
            "name": "per_page",
            "in": "query",
            "description": f"Hits a page, clamped to 1..{config['MAX_PER_PAGE']}.",
            "schema": {"type": "string", "default": str(config["PER_PAGE"])},
        },
        "filters": {
            "name": "filters",
            "in": "query",
            "description": (
                "Every other parameter filters on a field the index declares: FIELD=VALUE for a "
                "keyword (source=alriyadh, year=2015 in the default fields), FIELD=A..B for a "
                "date or number range (date=2015-07, words=100..500; either end may be left "
                "open). A field the index does not declare, or a value its type cannot read, "
                "is a 400 (code bad_parameter) whose 'allowed' lists the index's filter fields."
            ),
            "schema": {
                "type": "object",
                "additionalProperties": {
                    "type": "string",
                    "maxLength": int(config["MAX_FILTER_CHARS"]),
                },
            },
            "style": "form",
            "explode": True,
        },
        "sort": {
            "name": "sort",
            "in": "query",
            "description": (
                "relevance, or a date or number field the index declares: FIELD ascending, "
                "-FIELD descending (date / -date in the default fields); documents without "
                "the field last either way. Another value is a 400 listing the allowed ones."
            ),
            "schema": {
                "type": "string",
                "pattern": "^(relevance|-?[A-Za-z][A-Za-z0-9_]*)$",
                "default": RELEVANCE,
            },
        },
        "collapse": {
            "name": "collapse",
            "in": "query",
            "description": (
                "1 (the default): each story (near-duplicate documents) once, as its best "
                "hit, and total counts stories; 0: every document."
            ),
            "schema": {"type": "string", "enum": ["0", "1"], "default": "1"},
        },
        "story_id": {
            "name": "story_id",
            "in": "path",
            "required": True,
            "description": "A story's id, as a hit's story.id gives it.",
            "schema": {"type": "string"},
        },
        "doc_id": {
            "name": "doc_id",
            "in": "path",
            "required": True,
            "description": "A document id, percent-encoded whole as one path segment ('/' too).",
            "schema": {"type": "string"},
        },
        "doc_q": {
            "name": "q",
            "in": "query",
            "description": "A query whose words are marked in title_html and body_html.",
            "schema": {"type": "string"},
        },
        "prefix": {
            "name": "q",
            "in": "query",
            "description": "What was typed: words completing its last word (two letters or more).",
            "schema": {"type": "string"},
        },
    }
    return parameters
