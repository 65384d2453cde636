"""IndexStore: a Whoosh index on disk kept in step with the documents it was built from.

Layout of an index folder ``DIR``::

    DIR/current       symlink to the live generation (e.g. gen-0002); readers open its target
    DIR/gen-NNNN/     one Whoosh index, plus bahth.json: the analysis it was built with, the
                      analyzer version, when it was created and last updated
    DIR/write.lock    flock'ed by the one writer at work; a second one waits for it

Why this shape:
* A reindex is one Whoosh commit, and Whoosh writes its table of contents to a temporary file
  and renames it: a process killed at any moment leaves the last commit readable and whole.
* ``--rebuild`` writes a fresh generation beside the live one and swaps ``current`` with one
  ``os.replace`` of a symlink, so searches keep working during a rebuild and never see half
  of it. The analysis metadata lives inside each generation and swaps with it.
* Incremental updates compare each document's content hash with the one stored in the
  index: unchanged documents cost a dictionary lookup, not an analysis.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from os import PathLike
from pathlib import Path

import whoosh.index

from bahth.analyzers import ANALYZER_VERSION, AnalysisConfig, word_analysis
from bahth.index.errors import (
    AnalysisMismatch,
    BahthError,
    IndexEmpty,
    IndexMissing,
    IndexVersionMismatch,
)
from bahth.index.fastwrite import FastSegmentWriter, ParallelAdder
from bahth.index.lock import WriteLock
from bahth.index.schema import build_schema
from bahth.index.sources import Document, Failure, read_sources

DEFAULT_INDEX = Path("instance") / "index"
CURRENT = "current"
META = "bahth.json"
LOCK = "write.lock"
_GENERATION = re.compile(r"^gen-(\d+)$")
_OURS = re.compile(r"^(current|write\.lock|gen-\d+|\.current-\S+)$")
_TOC = re.compile(r"^_MAIN_(\d+)\.toc$")
# A run adds documents in this process until it has this many, then in worker processes.
PARALLEL_FROM = 1000
WRITER_MB = 128  # Whoosh's posting buffer per writer, before it spills sorted runs to disk
WORKER_MB = 256  # per worker: its term table before it starts a new segment


def default_index_path() -> Path:
    """$BAHTH_INDEX when set, else ./instance/index (git-ignored, outside the index/ package)."""
    return Path(os.environ.get("BAHTH_INDEX") or DEFAULT_INDEX)


@dataclass
class IndexReport:
    """What one indexing run did. ``failures`` name each piece of skipped input."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: int = 0
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    docs_per_second: float = 0.0

    def fail(self, failure: Failure) -> None:
        self.failed += 1
        self.failures.append(failure)

    @property
    def processed(self) -> int:
        return self.added + self.updated + self.unchanged

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
            "seconds": round(self.seconds, 3),
            "docs_per_second": round(self.docs_per_second, 1),
        }


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class IndexStore:
    """The write side of bahth's index, and the one place that knows its layout on disk."""

    def __init__(
        self,
        path: str | PathLike | None = None,
        analysis: AnalysisConfig | None = None,
        *,
        on_wait: Callable[[str], None] | None = None,
        procs: int | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else default_index_path()
        self.requested_analysis = analysis
        self.on_wait = on_wait
        self.procs = procs if procs is not None else _available_cores()
        self._analysis: AnalysisConfig | None = None
        self._analysis_generation: str | None = None

    # ---- layout ----------------------------------------------------------------------

    @property
    def _current(self) -> Path:
        return self.path / CURRENT

    def _live_dir(self) -> Path | None:
        """The live generation folder, or None when there is no index."""
        try:
            target = os.readlink(self._current)
        except OSError:
            return None
        live = self.path / target
        return live if live.is_dir() else None

    def _read_meta(self, live: Path) -> dict:
        try:
            return json.loads((live / META).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _write_meta(self, live: Path, meta: dict) -> None:
        temporary = live / f".{META}.{os.getpid()}"
        temporary.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(temporary, live / META)

    def exists(self) -> bool:
        """Is there a live generation with a committed table of contents? (Read from the
        folder, not by opening the index: an index of another version may not open.)"""
        live = self._live_dir()
        return live is not None and _has_toc(live)

    @property
    def analysis(self) -> AnalysisConfig:
        """The analysis of the live index (so queries match its documents); else the one
        asked for, else bahth's default."""
        live = self._live_dir()
        if live is None:
            return self.requested_analysis or AnalysisConfig()
        if self._analysis is None or self._analysis_generation != live.name:
            self._analysis = self._read_analysis(live)
            self._analysis_generation = live.name
        return self._analysis

    def _read_analysis(self, live: Path) -> AnalysisConfig:
        """The analysis a generation was built with (bahth's default if unrecorded)."""
        recorded = self._read_meta(live).get("analysis")
        try:
            return AnalysisConfig(**recorded) if recorded else AnalysisConfig()
        except (TypeError, ValueError):
            return AnalysisConfig()

    def generation(self) -> str:
        """A cheap token that changes on every commit and on a rebuild swap."""
        live = self._live_dir()
        if live is None:
            raise IndexMissing(self.path)
        newest = max((int(m.group(1)) for m in map(_TOC.match, os.listdir(live)) if m), default=-1)
        return f"{live.name}:{newest}"

    def _check_version(self, live: Path) -> None:
        meta = self._read_meta(live)
        if str(meta.get("analyzer_version")) != ANALYZER_VERSION:
            built_with = meta.get("analyzer") or "an older bahth analyzer"
            raise IndexVersionMismatch(
                f"The index at {self.path} was built with {built_with}; this bahth uses "
                f"{self.analysis.id}: run `bahth index --rebuild PATH... --index {self.path}`."
            )

    def _check_requested_analysis(self) -> None:
        """An index keeps the analysis it was built with: asking for another one is only
        possible with a rebuild, which says so."""
        wanted, built = self.requested_analysis, self.analysis
        if wanted is not None and wanted != built:
            raise AnalysisMismatch(
                f"The index at {self.path} was built with {built.id}, not {wanted.id}: add "
                f"--rebuild to rebuild it (`bahth index --rebuild PATH... --index {self.path}`)."
            )

    def require_documents(self) -> int:
        """The number of documents, when there is an index with some to search; else
        IndexMissing (no index) or IndexEmpty (an index with no document yet)."""
        # From the table of contents: opening the index's readers to count (as stats() does)
        # copied every segment into memory, in each server after every commit.
        documents = sum(segment.doc_count() for segment in self.open_index()._read_toc().segments)
        if not documents:
            raise IndexEmpty(self.path)
        return documents

    def open_index(self) -> whoosh.index.Index:
        """Open the live generation (by its real folder, so a rebuild swap cannot pull files
        from under an open reader). IndexMissing / IndexVersionMismatch say what to do."""
        for attempt in range(5):
            live = self._live_dir()
            if live is None or not _has_toc(live):
                raise IndexMissing(self.path)
            self._check_version(live)
            try:
                return whoosh.index.open_dir(str(live))
            except (OSError, EOFError):
                # A commit cleaned up files between our reading its table of contents and
                # opening a segment: the next table of contents is already there.
                if attempt == 4:
                    raise
                time.sleep(0.05)
        raise AssertionError("unreachable")

    # ---- writing ---------------------------------------------------------------------

    def index_paths(
        self,
        paths: Iterable[str | PathLike],
        *,
        prune: bool = False,
        rebuild: bool = False,
        progress: bool = False,
    ) -> IndexReport:
        """Bring the index in step with the documents in ``paths`` (files and folders).

        New documents are added, changed ones updated, unchanged ones left alone. ``prune``
        also deletes documents whose file is gone, or whose file was read cleanly in this run
        without them. ``rebuild`` builds a fresh index and swaps it in when complete.
        Raises SourceError (before writing anything) for a path that does not exist.
        """
        items = read_sources(list(paths))  # validates every path now
        return self._write(items, prune=prune, rebuild=rebuild, progress=progress)

    def add_documents(
        self, docs: Iterable[Document | dict], *, progress: bool = False
    ) -> IndexReport:
        """Add or update documents given as ``Document`` or dicts (id, title, text, and
        optional source, date, url). A dict that is not a valid document is a failure."""
        return self._write(_as_documents(docs), prune=False, rebuild=False, progress=progress)

    def delete(self, doc_id: str) -> bool:
        """Delete one document by id; False when there is no such document."""
        if not self.exists():
            raise IndexMissing(self.path)
        with WriteLock(self.path / LOCK, self.on_wait):
            ix = self.open_index()
            writer = ix.writer()
            try:
                with writer.searcher() as searcher:
                    docnums = list(searcher.document_numbers(id=str(doc_id)))
                for docnum in docnums:
                    writer.delete_document(docnum)
            except BaseException:
                writer.cancel()
                raise
            if not docnums:
                writer.cancel()
                return False
            writer.commit(merge=False)
            self._touch(ix)
            return True

    def _write(
        self, items: Iterable[Document | Failure], *, prune: bool, rebuild: bool, progress: bool
    ) -> IndexReport:
        started = time.perf_counter()
        report = IndexReport()
        with WriteLock(self.path / LOCK, self.on_wait):
            fresh = rebuild or not self.exists()
            if fresh:
                analysis = self.requested_analysis or (
                    self.analysis if self.exists() else AnalysisConfig()
                )
                live = self._new_generation(analysis)
            else:
                live = self._live_dir()
                self._check_version(live)
                self._check_requested_analysis()
            try:
                ix = whoosh.index.open_dir(str(live))
                analysis = self._read_analysis(live)
                _apply(
                    ix, analysis, items, report, prune=prune, progress=progress, procs=self.procs
                )
                self._touch(ix)
                if fresh:
                    self._swap(live)
            except BaseException:
                if fresh:
                    shutil.rmtree(live, ignore_errors=True)
                raise
        report.seconds = time.perf_counter() - started
        report.docs_per_second = report.processed / report.seconds if report.seconds else 0.0
        return report

    def _new_generation(self, analysis: AnalysisConfig) -> Path:
        """Create an empty index in a new generation folder (not live yet)."""
        self.path.mkdir(parents=True, exist_ok=True)
        strangers = [name for name in os.listdir(self.path) if not _OURS.match(name)]
        if strangers:
            raise BahthError(
                f"{self.path} is not a bahth index folder (it holds {strangers[0]!r}): "
                "choose a new or empty folder for the index."
            )
        numbers = [int(m.group(1)) for m in map(_GENERATION.match, os.listdir(self.path)) if m]
        live = self.path / f"gen-{max(numbers, default=0) + 1:04d}"
        live.mkdir()
        whoosh.index.create_in(str(live), build_schema(analysis))
        now = _now()
        self._write_meta(
            live,
            {
                "analysis": analysis.as_dict(),
                "analyzer": analysis.id,
                "analyzer_version": ANALYZER_VERSION,
                "created": now,
                "last_update": now,
            },
        )
        return live

    def _swap(self, live: Path) -> None:
        """Make ``live`` the current generation atomically; remove generations older than
        the one it replaces (which may still have readers, and is removed next time)."""
        previous = self._live_dir()
        temporary = self.path / f".current-{os.getpid()}"
        if temporary.is_symlink() or temporary.exists():
            temporary.unlink()
        os.symlink(live.name, temporary)
        os.replace(temporary, self._current)
        keep = {live.name, previous.name if previous else None}
        for name in os.listdir(self.path):
            if _GENERATION.match(name) and name not in keep:
                shutil.rmtree(self.path / name, ignore_errors=True)

    def _touch(self, ix: whoosh.index.Index) -> None:
        live = Path(ix.storage.folder)
        meta = self._read_meta(live)
        meta["last_update"] = _now()
        self._write_meta(live, meta)

    # ---- reading ---------------------------------------------------------------------

    def stats(self) -> dict:
        """Documents, distinct terms (of the searched fields), size on disk, analyzer and
        version, last update, path. IndexMissing when there is no index."""
        ix = self.open_index()
        live = Path(ix.storage.folder)
        meta = self._read_meta(live)
        with ix.reader() as reader:
            documents = reader.doc_count()
            terms = set()
            for fieldname in ("title", "text"):
                terms.update(reader.lexicon(fieldname))
        size = sum(entry.stat().st_size for entry in os.scandir(live) if entry.is_file())
        return {
            "documents": documents,
            "terms": len(terms),
            "size_bytes": size,
            "analyzer": meta.get("analyzer", self.analysis.id),
            "analyzer_version": str(meta.get("analyzer_version", "")),
            "last_update": meta.get("last_update"),
            "created": meta.get("created"),
            "path": str(self.path.resolve()),
        }


def _has_toc(live: Path) -> bool:
    """Does the generation hold a committed Whoosh table of contents?"""
    return any(_TOC.match(name) for name in os.listdir(live))


def _as_documents(docs: Iterable[Document | dict]) -> Iterator[Document | Failure]:
    for number, doc in enumerate(docs, start=1):
        if isinstance(doc, Document):
            yield doc
            continue
        try:
            yield Document.from_dict(doc)
        except ValueError as error:
            label = doc.get("id") if isinstance(doc, dict) and doc.get("id") else number
            yield Failure(f"document {label}", str(error))


def document_fields(doc: Document) -> dict:
    """The Whoosh fields of one document (title and text go to their exact twins too)."""
    fields = {
        "id": doc.id,
        "title": doc.title,
        "title_exact": doc.title,
        "text": doc.text,
        "text_exact": doc.text,
        "content_hash": doc.content_hash(),
    }
    if doc.source:
        fields["source"] = doc.source
    if doc.date:
        fields["date"] = doc.date
        fields["year"] = str(doc.date.year)
    if doc.url:
        fields["url"] = doc.url
    if doc.origin:
        fields["origin"] = doc.origin
    return fields


@dataclass
class _Known:
    """What the index holds for one id before this run."""

    content_hash: str
    origin: str | None
    docnums: list[int]


def _known_documents(reader) -> dict[str, _Known]:
    """id -> (content hash, origin, docnums), read from the index's term lists and id column
    rather than from stored fields (which would unpickle every document's text)."""
    ids = reader.column_reader("id")
    known: dict[str, _Known] = {}
    for term in reader.lexicon("content_hash"):
        digest = term.decode("utf-8")
        for docnum in reader.postings("content_hash", term).all_ids():
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


def _apply(
    ix,
    analysis: AnalysisConfig,
    items,
    report: IndexReport,
    *,
    prune: bool,
    progress: bool,
    procs: int,
) -> None:
    """Run the documents of one run through one writer (plus worker processes for a long
    run), and commit once: the run is all in the index or none of it."""
    writer = FastSegmentWriter(ix, word_analysis(analysis), limitmb=WRITER_MB)
    adder = _Adder(writer, analysis, procs)
    try:
        with writer.reader() as reader:
            known = _known_documents(reader) if reader.doc_count_all() else {}
        seen: dict[str, str | None] = {}
        failed_origins: set[str] = set()
        bar = _progress_bar(progress)
        for item in items:
            if bar is not None:
                bar.update(1)
            if isinstance(item, Failure):
                report.fail(item)
                failed_origins.add(_failed_file(item))
                continue
            if item.id in seen:
                first = seen[item.id] or "an earlier document"
                where = item.origin or f"document {item.id}"
                report.fail(Failure(where, f"duplicate id {item.id!r} (first in {first}): skipped"))
                continue
            seen[item.id] = item.origin
            fields = document_fields(item)
            before = known.get(item.id)
            if before is None:
                adder.add(fields)
                report.added += 1
            elif before.content_hash == fields["content_hash"] and before.origin == item.origin:
                report.unchanged += 1
            else:
                for docnum in before.docnums:
                    writer.delete_document(docnum)
                adder.add(fields)
                report.updated += 1
        if bar is not None:
            bar.close()
        if prune:
            read_cleanly = {o for o in seen.values() if o} - failed_origins
            for doc_id, before in known.items():
                if doc_id in seen or before.origin is None:
                    continue
                if before.origin in read_cleanly or not os.path.exists(before.origin):
                    for docnum in before.docnums:
                        writer.delete_document(docnum)
                    report.deleted += 1
        segments = adder.finish()
    except BaseException:
        adder.cancel()
        writer.cancel()
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
    (what Whoosh's multi-segment MpWriter does)."""
    if not segments:
        writer.commit()
        return
    try:
        final = writer._merge_segments(None, None, None)
        if writer._added:
            final.append(writer._finalize_segment())
        else:
            writer._close_segment()
    except BaseException:
        writer.cancel()
        raise
    writer._commit_toc(final + segments)
    writer._finish()


def _available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def _failed_file(failure: Failure) -> str:
    where = failure.where
    if not os.path.exists(where) and ":" in where:
        where = where.rsplit(":", 1)[0]
    return os.path.abspath(where)


def _progress_bar(enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(unit=" docs", file=sys.stderr, mininterval=0.5, dynamic_ncols=True)
