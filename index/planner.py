"""Which documents of a run to write, leave alone or delete: the one reindex planner, for
both stores, and the report of what a run did.

A document is added when its id is new, updated when its content hash or its file changed,
and left alone otherwise; an id seen twice in one run is a failure (the first one wins,
named with ``file:line``); a value a declared field cannot take is a failure too (the
field-type registry reads them, index/fields.py); ``prune`` deletes documents whose file is
gone, or whose file was read cleanly in this run without them. Each document written gets
its story (index/stories.py: near-duplicates share one) and fingerprint. A store applies the
plan (``Write`` and ``Delete`` steps) in one commit, and knows nothing of these rules.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from bahth.index.errors import ArgumentError
from bahth.index.fields import Values, document_values
from bahth.index.sources import Document, Failure, check_id
from bahth.index.stories import Stories, alone, fingerprint


@dataclass
class IndexReport:
    """What one indexing run did. ``failures`` name each piece of skipped input;
    ``warnings`` what the run repaired or could not do beside its documents."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: int = 0
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    docs_per_second: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def fail(self, failure: Failure) -> None:
        self.failed += 1
        self.failures.append(failure)

    @property
    def processed(self) -> int:
        return self.added + self.updated + self.unchanged

    def timed(self, seconds: float) -> None:
        self.seconds = seconds
        self.docs_per_second = self.processed / seconds if seconds else 0.0

    def summary(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.deleted} deleted, {self.failed} failed "
            f"({self.docs_per_second:,.0f} docs/s, {self.seconds:.1f} s)"
        )

    def to_dict(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "failed": self.failed,
            "failures": [{"where": f.where, "reason": f.reason} for f in self.failures],
            "warnings": list(self.warnings),
            "seconds": round(self.seconds, 3),
            "docs_per_second": round(self.docs_per_second, 1),
        }


def note_left_out(report: IndexReport, before: set[str] | None, after: set[str]) -> None:
    """A rebuild holds only the documents it read: those of the index it replaces that it
    did not read are gone, and the report says so (``deleted``, and a sentence), instead of
    a summary of "0 deleted" over an index that lost them. ``before``: None when the
    replaced index could not be read (a damaged one)."""
    gone = len(before - after) if before else 0
    if gone:
        report.deleted += gone
        report.warnings.append(
            f"a rebuild holds only the documents it reads: {gone:,} of the {len(before):,} "
            "documents of the index it replaced were not among them and are gone (give the "
            "rebuild every source of the index to keep them)"
        )


@dataclass(frozen=True)
class Known:
    """What the index holds for one id before the run."""

    content_hash: str
    origin: str | None


@dataclass(frozen=True)
class Write:
    """Add ``document`` (``replaces``: an update of the document of the same id)."""

    document: Document
    values: Values  # its declared fields, read by their types
    content_hash: str
    replaces: bool
    story: int = 0  # the key of the story it joins (index/stories.py)
    fingerprint: bytes = b""  # what its story was found with, kept for later runs


@dataclass(frozen=True)
class Delete:
    doc_id: str


def plan(
    items: Iterable[Document | Failure],
    known: dict[str, Known],
    settings,
    report: IndexReport,
    *,
    prune: bool,
    members: Callable[[], Iterable[tuple[str, int, bytes]]] | None = None,
) -> Iterator[Write | Delete]:
    """The steps of one run: a Write for each document to add or update, then a Delete for
    each one ``prune`` removes; ``report`` counts them, the failures, and the repairs made
    while reading (a lone surrogate replaced: a warning naming the document). Each Write has
    its story when the settings group stories and the store keeps them: ``members`` reads
    (id, story key, fingerprint) of the documents it holds, when a run first writes one;
    else (None, or stories off) each document is alone in its own."""
    grouped = None
    if members is not None and settings.stories:
        grouped = _LazyStories(settings.story_threshold, members)
    seen: dict[str, tuple[str | None, str | None]] = {}  # id -> (origin, where) of its first
    failed_origins: set[str] = set()
    for item in items:
        if isinstance(item, Failure):
            report.fail(item)
            failed_origins.add(failed_file(item))
            continue
        where = item.where or f"document {item.id}"
        report.warnings.extend(f"{where}: {repair}" for repair in item.repairs)
        if item.id in seen:
            first = seen[item.id][1] or "an earlier document"
            report.fail(Failure(where, f"duplicate id {item.id!r} (first in {first}): skipped"))
            continue
        try:
            values = document_values(item, settings)
        except ValueError as error:
            report.fail(Failure(where, str(error)))
            if item.origin:
                failed_origins.add(item.origin)
            continue
        seen[item.id] = (item.origin, item.where)
        digest = item.content_hash()
        before = known.get(item.id)
        if before is None:
            report.added += 1
        elif before.content_hash == digest and before.origin == item.origin:
            report.unchanged += 1
            continue
        else:
            report.updated += 1
        if grouped is None:
            yield Write(item, values, digest, before is not None, alone(item.id))
            continue
        print_ = fingerprint(item.title, item.text, *values.texts.values())
        story = grouped.join(item.id, print_)
        yield Write(item, values, digest, before is not None, story, print_)
    if prune:
        read_cleanly = {origin for origin, _ in seen.values() if origin} - failed_origins
        for doc_id, before in known.items():
            if doc_id in seen or before.origin is None:
                continue
            if before.origin in read_cleanly or not os.path.exists(before.origin):
                report.deleted += 1
                if grouped is not None:
                    grouped.leave(doc_id)
                yield Delete(doc_id)


class _LazyStories:
    """The run's Stories, over the index's documents read when a document is first written
    (a run that changes nothing reads no fingerprint)."""

    def __init__(self, threshold: float, members) -> None:
        self.threshold, self.members = threshold, members
        self.stories: Stories | None = None

    def _made(self) -> Stories:
        if self.stories is None:
            self.stories = Stories(self.threshold, self.members())
        return self.stories

    def join(self, doc_id: str, print_: bytes) -> int:
        return self._made().join(doc_id, print_)

    def leave(self, doc_id: str) -> None:
        self._made().leave(doc_id)


def failed_file(failure: Failure) -> str:
    """The file a failure is in (``file:line`` names a line of it)."""
    where = failure.where
    if not os.path.exists(where) and ":" in where:
        where = where.rsplit(":", 1)[0]
    return os.path.abspath(where)


def as_documents(docs: Iterable[Document | dict], mapping) -> Iterator[Document | Failure]:
    """Documents a Python caller gives (``Document`` or dicts with id, title, text and any
    other fields), read by the rules files are read with; one that is not valid is a
    failure naming it. ``docs`` that are not a collection of them (None, one document, a
    string) are an ArgumentError now, before the run starts."""
    if isinstance(docs, (str, bytes, dict, Document)) or not isinstance(docs, Iterable):
        given = "None" if docs is None else f"{docs!r:.40} (type {type(docs).__name__})"
        if isinstance(docs, (dict, Document)):
            given = "one document: give [document]"
        raise ArgumentError(
            "documents",
            "give an iterable of documents (Document or dicts with id, title, text), such as "
            f"a list, not {given}",
            docs,
        )
    return _as_documents(docs, mapping)


def _as_documents(docs: Iterable, mapping) -> Iterator[Document | Failure]:
    for number, doc in enumerate(docs, start=1):
        try:
            if isinstance(doc, Document):
                yield doc.checked()
                continue
            yield Document.from_dict(doc, mapping=mapping)
        except ValueError as error:
            given = doc.id if isinstance(doc, Document) else None
            given = doc.get("id") if isinstance(doc, dict) else given
            named = isinstance(given, (str, int)) and not isinstance(given, bool) and given != ""
            yield Failure(f"document {given if named else number}", str(error))


def progress_bar(enabled: bool):
    """A progress bar on stderr (tqdm), or None."""
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(unit=" docs", file=sys.stderr, mininterval=0.5, dynamic_ncols=True)


__all__ = [
    "Delete",
    "IndexReport",
    "Known",
    "Write",
    "as_documents",
    "check_id",
    "failed_file",
    "plan",
    "progress_bar",
]
