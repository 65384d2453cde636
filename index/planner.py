"""Which documents of a run to write, leave alone or delete: the rules of an incremental
reindex, for a backend that keeps each document's content hash and origin file.

A document is added when its id is new, updated when its content hash or its file changed,
and left alone otherwise; an id seen twice in one run is a failure (the first one wins);
``prune`` deletes documents whose file is gone, or whose file was read cleanly in this run
without them. (IndexStore applies the same rules inside its Whoosh writer, index/store.py.)
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from bahth.index.sources import Document, Failure


@dataclass(frozen=True)
class Known:
    """What the index holds for one id before the run."""

    content_hash: str
    origin: str | None


def plan_run(
    items: Iterable[Document | Failure], known: dict[str, Known], report, *, prune: bool
) -> Iterator[tuple[str, Document | str]]:
    """("write", document) for each document to add or update, then ("delete", id) for each
    one ``prune`` removes; ``report`` (an IndexReport) counts them and the failures."""
    seen: dict[str, str | None] = {}
    failed_origins: set[str] = set()
    for item in items:
        if isinstance(item, Failure):
            report.fail(item)
            failed_origins.add(failed_file(item))
            continue
        if item.id in seen:
            first = seen[item.id] or "an earlier document"
            where = item.origin or f"document {item.id}"
            report.fail(Failure(where, f"duplicate id {item.id!r} (first in {first}): skipped"))
            continue
        seen[item.id] = item.origin
        before = known.get(item.id)
        if before is None:
            report.added += 1
        elif before.content_hash == item.content_hash() and before.origin == item.origin:
            report.unchanged += 1
            continue
        else:
            report.updated += 1
        yield "write", item
    if prune:
        read_cleanly = {o for o in seen.values() if o} - failed_origins
        for doc_id, before in known.items():
            if doc_id in seen or before.origin is None:
                continue
            if before.origin in read_cleanly or not os.path.exists(before.origin):
                report.deleted += 1
                yield "delete", doc_id


def failed_file(failure: Failure) -> str:
    """The file a failure is in (``file:line`` names a line of it)."""
    where = failure.where
    if not os.path.exists(where) and ":" in where:
        where = where.rsplit(":", 1)[0]
    return os.path.abspath(where)
