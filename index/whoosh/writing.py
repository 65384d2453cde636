"""One run's writing into a folder index: the documents' Whoosh fields, one writer (plus worker
processes for a long run, index/whoosh/writer.py) applying the run's plan (index/planner.py),
and one commit: the run is all in the index or none of it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bahth.analyzers import AnalysisConfig, word_analysis
from bahth.index.fields import (
    TEXT_FIELD,
    TITLE_FIELD,
    Values,
    document_values,
    exact_field,
)
from bahth.index.planner import IndexReport, Write, plan, progress_bar
from bahth.index.settings import Settings
from bahth.index.sources import Document
from bahth.index.whoosh.faults import note_free_space
from bahth.index.whoosh.schema import keeps_stories
from bahth.index.whoosh.workers import ParallelAdder
from bahth.index.whoosh.writer import FastSegmentWriter, abandon

ONLY_WITH_REBUILD = (
    "this index was made before stories: its documents are each alone; "
    "rebuild it (--rebuild) to group near-duplicates"
)
# A run adds documents in this process until it has this many, then in worker processes.
PARALLEL_FROM = 1000
WRITER_MB = 128  # Whoosh's posting buffer per writer, before it spills sorted runs to disk
WORKER_MB = 256  # per worker: its term table before it starts a new segment


def document_fields(doc: Document, settings: Settings | None = None) -> dict:
    """The Whoosh fields of one document, with its declared fields as ``settings`` says
    (index/fields.py reads them); ValueError for a value a field cannot take."""
    values = document_values(doc, settings or _DEFAULT_SETTINGS)
    return whoosh_fields(doc, values, doc.content_hash())


def step_fields(step: Write, stories: bool) -> dict:
    """The Whoosh fields a planned Write adds, with its story when the index keeps them."""
    fields = whoosh_fields(step.document, step.values, step.content_hash)
    if stories:
        fields["story"] = step.story
        fields["fingerprint"] = step.fingerprint
    return fields


def whoosh_fields(doc: Document, values: Values, content_hash: str) -> dict:
    """The Whoosh fields of one document (title and text go to their exact twins too) and
    its declared fields' values (index/fields.py)."""
    fields = {
        "id": doc.id,
        TITLE_FIELD: doc.title,
        exact_field(TITLE_FIELD): doc.title,
        TEXT_FIELD: doc.text,
        exact_field(TEXT_FIELD): doc.text,
        "content_hash": content_hash,
        "given": doc.given(),
    }
    for name, text in values.texts.items():
        fields[name] = fields[exact_field(name)] = text
    fields.update(values.keywords)
    fields.update(values.keys)
    if values.has:
        fields["has"] = values.has
    if doc.origin:
        fields["origin"] = doc.origin
    return fields


_DEFAULT_SETTINGS = Settings()


@dataclass
class _Known:
    """What the index holds for one id before this run."""

    content_hash: str
    origin: str | None
    docnums: list[int]


def document_ids(open_index: Callable) -> set[str] | None:
    """The ids of the documents of the index ``open_index()`` opens; None when it cannot be
    read (a damaged index being rebuilt)."""
    try:
        ix = open_index()
        with ix.reading(), ix.reader() as reader:
            return set(_known_documents(reader)) if reader.doc_count_all() else set()
    except Exception:  # noqa: BLE001 - whatever a damaged index raises: nothing to compare
        return None


def _known_documents(reader) -> dict[str, _Known]:
    """id -> (content hash, origin, docnums), read from the index's term lists and id column
    rather than from stored fields (which would unpickle every document's text). A content
    hash is nearly always in one document, whose number the term's own entry holds (its
    first document): reading a posting list for each of 31,000 hashes took a second, which
    every one-document `bahth index` paid."""
    ids = reader.column_reader("id")
    hashes: list[tuple[str, int]] = []  # (content hash, global docnum), deleted ones left out
    for segment, offset in reader.leaf_readers():
        for term, info in segment.iter_field("content_hash"):
            if info.doc_frequency() == 1:
                docnums = [info.min_id()]
            else:
                docnums = segment.postings("content_hash", term).all_ids()
            digest = term.decode("utf-8")
            hashes += [(digest, offset + n) for n in docnums if not segment.is_deleted(n)]
    hashes.sort()  # as the whole index's term list gives them: by hash, then document
    known: dict[str, _Known] = {}
    for digest, docnum in hashes:
        doc_id = ids[docnum]
        entry = known.get(doc_id)
        if entry is None:
            known[doc_id] = _Known(digest, None, [docnum])
        else:
            entry.docnums.append(docnum)
    origins: dict[int, str] = {}
    for term in reader.lexicon("origin"):
        origin = term.decode("utf-8")
        for docnum in reader.postings("origin", term).all_ids():
            origins[docnum] = origin
    for entry in known.values():
        entry.origin = origins.get(entry.docnums[0])
    return known


def _members(ix) -> Callable[[], list[tuple[str, int, bytes]]]:
    """(id, story key, fingerprint) of each live document, read from the columns when asked
    (the run holds the write lock: the index is as it was)."""

    def read() -> list[tuple[str, int, bytes]]:
        members = []
        with ix.reading(), ix.reader() as reader:
            if not reader.doc_count_all():
                return members
            for segment, _offset in reader.leaf_readers():
                ids = segment.column_reader("id")
                stories = segment.column_reader("story")
                prints = segment.column_reader("fingerprint")
                for docnum in segment.all_doc_ids():  # live ones only
                    members.append((ids[docnum], stories[docnum], prints[docnum]))
        return members

    return read


def apply(
    ix,
    analysis: AnalysisConfig,
    settings: Settings,
    items,
    report: IndexReport,
    *,
    prune: bool,
    progress: bool,
    procs: int,
) -> None:
    """Run the documents of one run through one writer (plus worker processes for a long
    run), and commit once: the run is all in the index or none of it."""
    with ix.reading(), ix.reader() as reader:  # IndexDamaged before anything is written
        known = _known_documents(reader) if reader.doc_count_all() else {}
    writer = FastSegmentWriter(ix, word_analysis(analysis), limitmb=WRITER_MB)
    stories = keeps_stories(writer.schema)
    if not stories and settings.stories:
        report.warnings.append(ONLY_WITH_REBUILD)
    members = _members(ix) if stories else None
    adder = _Adder(writer, analysis, procs)
    try:
        bar = progress_bar(progress)
        steps = plan(_counted(items, bar), known, settings, report, prune=prune, members=members)
        for step in steps:
            before = known.get(step.document.id if isinstance(step, Write) else step.doc_id)
            for docnum in before.docnums if before is not None else ():
                writer.delete_document(docnum)
            if isinstance(step, Write):
                adder.add(step_fields(step, stories))
        if bar is not None:
            bar.close()
        segments = adder.finish()
    except BaseException as error:
        note_free_space(error, Path(writer.storage.folder))  # before anything is freed
        adder.cancel()  # first: workers stop writing before their files are removed
        abandon(writer)
        raise
    _commit(writer, segments)


class _Adder:
    """Adds documents in this process until a run proves long enough to pay for starting
    worker processes (PARALLEL_FROM documents), then hands them to the workers."""

    def __init__(self, writer: FastSegmentWriter, analysis: AnalysisConfig, procs: int) -> None:
        self.writer = writer
        self.analysis = analysis
        self.procs = procs
        self.pending: list[dict] = []
        self.parallel: ParallelAdder | None = None

    def add(self, fields: dict) -> None:
        if self.parallel is not None:
            self.parallel.add(fields)
            return
        self.pending.append(fields)
        if self.procs > 1 and len(self.pending) >= PARALLEL_FROM:
            folder = self.writer.storage.folder
            self.parallel = ParallelAdder(folder, self.analysis, self.procs, limitmb=WORKER_MB)
            for pending in self.pending:
                self.parallel.add(pending)
            self.pending = []

    def finish(self) -> list:
        for fields in self.pending:
            self.writer.add_document(**fields)
        self.pending = []
        return self.parallel.finish() if self.parallel is not None else []

    def cancel(self) -> None:
        if self.parallel is not None:
            self.parallel.cancel()


def _commit(writer: FastSegmentWriter, segments: list) -> None:
    """Commit the writer's own changes and the workers' segments in one table of contents
    (what Whoosh's commit does, and its multi-segment MpWriter). Once the table of contents
    is renamed into place the run is committed: what fails after that is not a failure."""
    try:
        final = writer._merge_segments(None, None, None)
        if writer._added:
            final.append(writer._finalize_segment())
        else:
            writer._close_segment()
        writer._commit_toc(final + segments)
    except BaseException as error:
        note_free_space(error, Path(writer.storage.folder))
        abandon(writer)
        raise
    try:
        writer._finish()
    except OSError:  # its temporary folder is left for the next writer to remove
        abandon(writer)


def _counted(items: Iterable, bar) -> Iterator:
    """``items`` as they come, each counted on the progress bar (when there is one)."""
    for item in items:
        if bar is not None:
            bar.update(1)
        yield item
