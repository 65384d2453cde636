"""What a request asks of the engine, shared by the pages and the JSON API: its parameters
read (a 400 that says why, or clamped), and every engine call given the app's time limit.
One place, so a page and its JSON twin can never read the same URL differently."""

from __future__ import annotations

from flask import current_app, request

from bahth.search.filters import FilterError
from bahth.search.language import cut_query
from bahth.search.results import DocumentView, Page
from bahth.search.stories import Story
from bahth.web.engine_access import EngineHolder
from bahth.web.errors import Problem
from bahth.web.params import BadParameter, SearchParams, filter_problem, parse_search_params


def holder() -> EngineHolder:
    return current_app.extensions["bahth"]


def time_limit() -> float | None:
    """Seconds any engine call of a request may take (a 503 past it): the app's setting."""
    return current_app.config["REQUEST_TIME_LIMIT"]


def search_params() -> SearchParams:
    try:
        return parse_search_params(request.args, current_app.config)
    except BadParameter as error:
        raise bad_parameter(error) from None


def bad_parameter(error: BadParameter) -> Problem:
    """A 400 naming the parameter (and, for a filter or a sort, the names that would do)."""
    extra = {"allowed": list(error.allowed)} if error.allowed else {}
    return Problem(400, "bad_parameter", str(error), parameter=error.parameter, **extra)


def run_search(params: SearchParams) -> Page:
    """The engine's page for ``params``, within the app's time limit (past it the engine
    raises SearchTimeout, which web.errors answers with a 503). A filter or sort the index
    cannot apply is a 400 that names those it can."""
    engine = holder().require_documents()
    try:
        return engine.search(
            params.q,
            page=params.page,
            per_page=params.per_page,
            filters=params.filters or None,
            sort=params.sort,
            time_limit=time_limit(),
            collapse=params.collapse,
        )
    except FilterError as error:
        raise bad_parameter(filter_problem(error)) from None


def document_query() -> str:
    """The ``q`` a document is opened with (to mark its words), collapsed and cut."""
    q = " ".join((request.args.get("q") or "").split())
    return cut_query(q, int(current_app.config["MAX_QUERY_CHARS"]))


def find_document(doc_id: str, q: str) -> DocumentView:
    """The document ``doc_id`` with the words of ``q`` marked; a 404 when there is none."""
    engine = holder().require_documents()
    view = engine.document(doc_id, q=q or None, time_limit=time_limit())
    if view is None:
        raise Problem(404, "document_not_found", "لا توجد وثيقة بهذا المعرّف في الفهرس.")
    return view


def find_story(story_id: str) -> Story:
    """A story's documents, newest first; a 404 when no document holds ``story_id``."""
    engine = holder().require_documents()
    found = engine.story_view(story_id)
    if found is None:
        raise Problem(404, "story_not_found", "لا توجد قصة بهذا المعرّف في الفهرس.")
    return found


def suggestions(prefix: str) -> list[str]:
    """Indexed words completing the last word of ``prefix`` (the search box's suggestions)."""
    prefix = prefix.strip()[:100]
    if not prefix:
        return []
    engine = holder().require_documents()
    limit = int(current_app.config["SUGGEST_LIMIT"])
    return list(engine.suggest(prefix, limit=limit, time_limit=time_limit()))
