"""What a search returns: frozen dataclasses that turn into JSON with ``to_dict()``; and the
arithmetic of pages, which every caller shares."""

from dataclasses import asdict, dataclass, field
from datetime import datetime

from bahth.index.limits import MAX_PAGE, MAX_PER_PAGE
from bahth.index.sources import parse_date
from bahth.search.arguments import whole_number
from bahth.search.notices import Notice


def clamp_paging(page: int, per_page: int) -> tuple[int, int]:
    """``page`` and ``per_page`` brought within 1..MAX_PAGE and 1..MAX_PER_PAGE; one that is
    not a whole number is an ArgumentError naming it."""
    return (
        whole_number(page, "page", 1, MAX_PAGE),
        whole_number(per_page, "per_page", 1, MAX_PER_PAGE),
    )


def page_count(total: int, per_page: int) -> int:
    """Pages of ``per_page`` hits that ``total`` hits fill: at least one, empty or not."""
    return max(1, -(-total // per_page))


def page_bounds(total: int, page: int, per_page: int) -> tuple[int, int, int]:
    """(page shown, first hit, hit after the last) for a request of page ``page``: a page past
    the last one shows the last one."""
    shown = min(page, page_count(total, per_page))
    return shown, (shown - 1) * per_page, shown * per_page


@dataclass(frozen=True)
class Hit:
    """One ranked document. ``title_html`` and ``snippet_html`` are safe HTML: everything is
    escaped except the ``<mark>`` around matched words (exactly as written in the document)."""

    id: str
    title: str
    title_html: str
    snippet_html: str
    score: float  # the relevance score, whatever the order of the page
    source: str | None = None
    date: str | None = None  # ISO 8601, when known
    url: str | None = None
    fields: dict = field(default_factory=dict)  # every field of the document but id,
    # title and text, as given (dates as written, lists as lists)
    story_id: str = ""  # its story (search/stories.py): near-duplicates share one
    story_size: int = 1  # the story's documents, this one with them (1: alone)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["story"] = {"id": data.pop("story_id"), "size": data.pop("story_size")}
        return data


@dataclass(frozen=True)
class Page:
    """One page of results, plus what describes the whole result set.

    ``facets`` maps each facet field (``facet = true`` in the settings; "source" and "year"
    by default) to {value: count} over all matches.
    ``message`` explains an empty or adjusted result to a person (empty when all is well),
    in English; ``notices`` says the same as codes (search.notices), for other languages.
    ``partial``: a node of a cluster did not answer, so its documents are missing; ``warning``
    says which (None otherwise).
    ``also_searched``: (a word as typed, another word searched for it) for each name variant
    and synonym the query searched besides the words typed, so a page can say why a hit
    without them was found (كازا: الدار البيضاء).
    ``read_as``: (typed, searched, how) for the words of ``also_searched`` that read a word
    typed in the other script (search/scripts.py): how is "keyboard" (typed on the wrong
    keyboard layout: hglyvf, المغرب) or "latin" (Arabic in Latin letters: Pompeo, بومبيو);
    in JSON, ``read_as`` entries {"typed", "searched", "script"}.
    ``total`` counts what the pages list: stories when the page collapses them (each story
    once, search/stories.py), else documents; ``total_documents`` counts the documents.
    """

    query: str
    total: int
    page: int
    per_page: int
    took_ms: float
    hits: list[Hit] = field(default_factory=list)
    suggestion: str | None = None
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    message: str = ""
    partial: bool = False
    warning: str | None = None
    notices: tuple[Notice, ...] = ()
    also_searched: tuple[tuple[str, str], ...] = ()
    read_as: tuple[tuple[str, str, str], ...] = ()
    total_documents: int | None = None  # None: as ``total`` (the page lists documents)

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "total": self.total,
            "total_documents": self.total if self.total_documents is None else self.total_documents,
            "page": self.page,
            "per_page": self.per_page,
            "took_ms": self.took_ms,
            "hits": [hit.to_dict() for hit in self.hits],
            "suggestion": self.suggestion,
            "facets": self.facets,
            "message": self.message,
            "partial": self.partial,
            "warning": self.warning,
            "notices": [item.to_dict() for item in self.notices],
            "also_searched": [
                {"typed": typed, "searched": searched} for typed, searched in self.also_searched
            ],
            "read_as": [
                {"typed": typed, "searched": searched, "script": how}
                for typed, searched, how in self.read_as
            ],
        }


@dataclass(frozen=True)
class DocumentView:
    """A whole document for display. ``body_html`` is escaped <p> paragraphs with <mark>
    around the words a query matched (when the document was opened from a search).
    ``message`` says when the text shown was cut (``text`` is always all of it), in English;
    ``notices`` says it as a code (search.notices)."""

    id: str
    title: str
    text: str
    title_html: str
    body_html: str
    source: str | None = None
    date: str | None = None
    url: str | None = None
    fields: dict = field(default_factory=dict)
    message: str = ""
    notices: tuple[Notice, ...] = ()

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "text": self.text,
            "title_html": self.title_html,
            "body_html": self.body_html,
            "source": self.source,
            "date": self.date,
            "url": self.url,
            "fields": self.fields,
            "message": self.message,
            "notices": [item.to_dict() for item in self.notices],
        }


@dataclass(frozen=True)
class IndexState:
    """What a searcher reads: the index ``generation`` (IndexStore.generation(): it changes
    on every commit and rebuild swap) and its number of ``documents``."""

    generation: str
    documents: int


def cut(text: str, limit: int) -> str:
    """``text`` up to ``limit`` characters, cut at a line or a space near there if any."""
    if len(text) <= limit:
        return text
    for separator in ("\n", " "):
        at = text.rfind(separator, limit - 2_000, limit)
        if at > 0:
            return text[:at]
    return text[:limit]


def shown_fields(stored: dict) -> dict:
    """A hit's fields as given (``fields``), and the default schema's source, date (ISO
    8601) and url, read from them as the page and older callers show them."""
    given = stored.get("given") or {}
    source, url = given.get("source"), given.get("url")
    date = parse_date(given.get("date"))
    return {
        "source": str(source).strip() or None if isinstance(source, str | int | float) else None,
        "date": date.isoformat() if isinstance(date, datetime) else None,
        "url": url.strip() or None if isinstance(url, str) else None,
        "fields": dict(given),
    }
