"""One story, one hit: a page shows each story (near-duplicates grouped at index time,
index/stories.py) once, as its best-ranked member, with its size; and a story's members.

Why at query time over stories made at index time: which copy ranks first depends on the
query, so the page keeps each story's best-ranked member of *this* ranking (relevance or a
field's order), and fetches deeper when copies took places on the page. Facets still count
documents; ``total`` counts what the page lists (stories), ``total_documents`` the matches.
Both stores answer through index/contract.py (``Selection.stories``, ``story_count``,
``Reader.story_sizes``, ``story_members``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from bahth.index.contract import Reader, Selection
from bahth.index.sources import parse_date
from bahth.index.stories import story_id, story_key

Ranked = list[tuple[float, int]]  # (score, handle), in the page's order


def first_of_each(ranked: Ranked, keys: np.ndarray) -> Ranked:
    """``ranked`` without the hits whose story a hit before them already shows."""
    seen: set[int] = set()
    kept = []
    for hit, key in zip(ranked, keys.tolist(), strict=True):
        if key not in seen:
            seen.add(key)
            kept.append(hit)
    return kept


def collapsed(fetch: Callable[[int], Ranked], selection: Selection, stop: int) -> Ranked:
    """The first ``stop`` stories' best hits in ``fetch``'s order: ``fetch(depth)`` gives the
    first ``depth`` hits, and is asked deeper (four times as deep each time) until ``stop``
    stories are found or every hit was read."""
    depth = max(2 * stop, stop + 10)
    while True:
        ranked = fetch(depth)
        handles = np.asarray([handle for _, handle in ranked], dtype=np.int64)
        kept = first_of_each(ranked, selection.stories(handles))
        if len(kept) >= stop or len(ranked) < depth:
            return kept[:stop]
        depth *= 4


def story_total(selection: Selection, eligible: np.ndarray, every: Callable[[], Ranked]) -> int:
    """Stories over every match: the store's count, else those of the hits it offers
    (``every()``, asked only then)."""
    counted = selection.story_count(eligible)
    if counted is not None:
        return counted
    handles = np.asarray([handle for _, handle in every()], dtype=np.int64)
    return int(len(np.unique(selection.stories(handles)))) if len(handles) else 0


def sizes(reader: Reader, selection: Selection, handles: Sequence[int]) -> list[tuple[str, int]]:
    """(story id, size) of each of ``handles``' documents, for a page's hits."""
    keys = selection.stories(np.asarray(handles, dtype=np.int64)).tolist()
    counts = reader.story_sizes(sorted(set(keys)))
    return [(story_id(key), max(1, counts.get(key, 1))) for key in keys]


@dataclass(frozen=True)
class StoryDocument:
    id: str
    title: str
    source: str | None
    date: str | None  # ISO 8601, when known
    url: str | None

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "date": self.date,
            "url": self.url,
        }


@dataclass(frozen=True)
class Story:
    """A story's documents, newest first (documents without a date last, then by id)."""

    id: str
    documents: list[StoryDocument] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.documents)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "size": self.size,
            "documents": [document.to_dict() for document in self.documents],
        }


def story(reader: Reader, given: str, shown: Callable[[dict], dict]) -> Story | None:
    """The story ``given`` (its id) with its documents; None when no document holds it or
    ``given`` is no story id. ``shown``: a document's source, date and url from its fields."""
    key = story_key(given)
    if key is None:
        return None
    handles = reader.story_members(key)
    if not handles:
        return None
    stored = reader.stored_many(handles)
    documents = []
    for handle in handles:
        fields = stored[handle]
        display = shown(fields)
        documents.append(
            StoryDocument(
                id=fields["id"],
                title=fields.get("title") or "",
                source=display["source"],
                date=display["date"],
                url=display["url"],
            )
        )
    documents.sort(key=_newest_first)
    return Story(id=story_id(key), documents=documents)


def _newest_first(document: StoryDocument) -> tuple:
    when = parse_date(document.date) if document.date else None
    stamp = when.timestamp() if isinstance(when, datetime) else None
    return (stamp is None, -(stamp or 0.0), document.id)
