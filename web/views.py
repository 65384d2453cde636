"""The HTML pages, thin glue over SearchEngine (their JSON twins are web.api)."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, url_for

from bahth.search.notices import Notice
from bahth.web.arabic import count, notice_text
from bahth.web.params import SearchParams
from bahth.web.searching import (
    document_query,
    find_document,
    find_story,
    holder,
    run_search,
    search_params,
)
from bahth.web.titles import shorten_html, shorten_text

blueprint = Blueprint("web", __name__)

FACET_SHOWN = 12  # values per facet on the page; the JSON twin has them all


blueprint.add_app_template_filter(count, "count")
blueprint.add_app_template_filter(shorten_html, "short_title")
blueprint.add_app_template_filter(shorten_text, "short_text")


@blueprint.app_template_test("web_link")
def is_web_link(url: object) -> bool:
    """Is ``url`` an http(s) address with a host, fit to be a link? (A document's url comes
    from the user's files: javascript:, data: or a bare path must not become a link.)"""
    if not isinstance(url, str):
        return False
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def notices(items: tuple[Notice, ...]) -> list[str]:
    """What the engine said about a search or a document, in Arabic (web.arabic)."""
    said = (notice_text(item.code, dict(item.values)) for item in items)
    return [text for text in said if text]


def also_searched(
    pairs: tuple[tuple[str, str], ...], read_as: tuple[tuple[str, str, str], ...] = ()
) -> list[tuple[str, list[str]]]:
    """The page's (word as typed, other words searched) pairs grouped by the word typed, in
    the order the query gave them: one line per typed word. ``read_as``: the pairs to leave
    out (words read in the other script, which have their own line: ``read_as``)."""
    left_out = {(typed, searched) for typed, searched, _ in read_as}
    grouped: dict[str, list[str]] = {}
    for typed, searched in pairs:
        if (typed, searched) not in left_out:
            grouped.setdefault(typed, []).append(searched)
    return list(grouped.items())


def read_as(triples: tuple[tuple[str, str, str], ...]) -> list[tuple[str, list[str]]]:
    """The words read in the other script (Page.read_as), grouped by the word typed: the
    page says "بُحث عن: المغرب (لـ hglyvf)"."""
    return also_searched(tuple((typed, searched) for typed, searched, _ in triples))


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
        notices=notices(page.notices),
        also=also_searched(page.also_searched, page.read_as),
        read_as=read_as(page.read_as),
        filter_labels=[label(settings, name) for name in params.filters],
    )


@blueprint.get("/story/<story_id>")
def story(story_id: str):
    """A story's documents (near-duplicates: search/stories.py), newest first."""
    q = document_query()
    return render_template("story.html", story=find_story(story_id), q=q)


@blueprint.get("/doc/<doc_id:doc_id>")  # any id: web.doc_ids
def document(doc_id: str):
    q = document_query()
    view = find_document(doc_id, q)
    return render_template("document.html", doc=view, q=q, notices=notices(view.notices))


def page_window(current: int, pages: int, width: int = 2) -> list[int]:
    """Page numbers to link: the first, the last, and ``width`` either side of the current."""
    shown = {1, pages, *range(current - width, current + width + 1)}
    return sorted(n for n in shown if 1 <= n <= pages)


def label(settings, name: str) -> str:
    """A field's heading on the page: its ``label`` in the settings, else its name."""
    spec = settings.field(name)
    return (spec.label if spec is not None else None) or name


def facet_links(params: SearchParams, facets: dict[str, dict[str, int]], settings) -> list[dict]:
    """For each facet field (``facet = true``): its values (most frequent first) with the URL
    that narrows to each, and, when a value is already chosen, the URL that widens the search
    again."""
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
    """The orders the page offers: relevance, and each date field newest first."""
    orders = [("relevance", "حسب الصلة")]
    for name in settings.names("date"):
        shown = "حسب التاريخ" if name == "date" else f"حسب {label(settings, name)}"
        orders.append((f"-{name}", shown))
    links = []
    for key, shown in orders:
        sort = None if key == "relevance" else key
        url = url_for("web.search", **params.url_args(page=None, sort=sort))
        links.append({"label": shown, "active": params.sort == key, "url": url})
    return links
