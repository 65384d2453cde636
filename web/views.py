"""The one blueprint: the HTML pages and their JSON twins, thin glue over SearchEngine."""

from __future__ import annotations

from datetime import date, datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from bahth.search.filters import FilterError
from bahth.web.engine_access import EngineHolder
from bahth.web.params import BadParameter, SearchParams, parse_search_params

blueprint = Blueprint("web", __name__)

FACET_SHOWN = 12  # values per facet on the page; the JSON twin has them all


def holder() -> EngineHolder:
    return current_app.extensions["bahth"]


def time_limit() -> float | None:
    """Seconds any engine call of a request may take (a 503 past it): the app's setting."""
    return current_app.config["REQUEST_TIME_LIMIT"]


def search_params() -> SearchParams:
    try:
        return parse_search_params(request.args, current_app.config)
    except BadParameter as error:
        abort(400, description=str(error))


def run_search(params: SearchParams):
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
        )
    except FilterError as error:
        abort(400, description=str(error))


@blueprint.app_template_filter("show_date")
def show_date(value: object) -> str:
    """ISO string or datetime -> YYYY-MM-DD (the time of day of a news item is noise here)."""
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    return str(value or "")[:10]


@blueprint.get("/")
def home():
    holder().require_documents()
    return render_template("home.html", example=current_app.config["EXAMPLE_QUERY"])


@blueprint.get("/search")
def search():
    params = search_params()
    if not params.q:
        return redirect(url_for("web.home"))
    page = run_search(params)
    settings = holder().engine().settings
    pages = min(page.pages, int(current_app.config["MAX_PAGE"]))
    if page.total and params.page > pages:  # past the end: show the last page, at its own URL
        return redirect(url_for("web.search", **params.url_args(page=pages)))
    return render_template(
        "search.html",
        params=params,
        page=page,
        pages=pages,
        page_numbers=page_window(page.page, pages),
        facets=facet_links(params, page.facets, settings),
        sorts=sort_links(params, settings),
    )


@blueprint.get("/doc/<doc_id:doc_id>")  # any id: web.doc_ids
def document(doc_id: str):
    q = " ".join((request.args.get("q") or "").split())[: current_app.config["MAX_QUERY_CHARS"]]
    view = holder().require_documents().document(doc_id, q=q or None, time_limit=time_limit())
    if view is None:
        abort(404, description="لا توجد وثيقة بهذا المعرّف في الفهرس.")
    return render_template("document.html", doc=view, q=q)


@blueprint.get("/api/search")
def api_search():
    params = search_params()
    return jsonify(run_search(params).to_dict())


@blueprint.get("/api/suggest")
def api_suggest():
    prefix = (request.args.get("q") or "").strip()[:100]
    if not prefix:
        return jsonify([])
    engine = holder().require_documents()
    limit = int(current_app.config["SUGGEST_LIMIT"])
    return jsonify(list(engine.suggest(prefix, limit=limit, time_limit=time_limit())))


def page_window(current: int, pages: int, width: int = 2) -> list[int]:
    """Page numbers to link: the first, the last, and ``width`` either side of the current."""
    shown = {1, pages, *range(current - width, current + width + 1)}
    return sorted(n for n in shown if 1 <= n <= pages)


def label(settings, name: str) -> str:
    spec = settings.field(name)
    return (spec.label if spec is not None else None) or name


def facet_links(params: SearchParams, facets: dict[str, dict[str, int]], settings) -> list[dict]:
    """For each facet: its values (most frequent first) with the URL that narrows to each, and,
    when a value is already chosen, the URL that widens the search again."""
    groups = []
    for name, counts in facets.items():
        active = params.filters.get(name)
        if not counts and not active:
            continue
        ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:FACET_SHOWN]
        values = [
            {
                "value": value,
                "count": count,
                "active": value == active,
                "url": url_for("web.search", **params.url_args(page=None, **{name: value})),
            }
            for value, count in ordered
        ]
        clear = url_for("web.search", **params.url_args(page=None, **{name: None}))
        groups.append(
            {
                "name": name,
                "label": label(settings, name),
                "active": active,
                "values": values,
                "clear_url": clear,
            }
        )
    return groups


def sort_links(params: SearchParams, settings) -> list[dict]:
    """Relevance, and each date field newest first: the orders the page offers."""
    orders = [("relevance", "حسب الصلة")]
    for name in settings.names("date"):
        shown = "حسب التاريخ" if name == "date" else f"حسب {label(settings, name)}"
        orders.append((f"-{name}", shown))
    return [
        {
            "label": shown,
            "active": params.sort == key,
            "url": url_for(
                "web.search", **params.url_args(page=None, sort=None if key == "relevance" else key)
            ),
        }
        for key, shown in orders
    ]
