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
* A run that fails (a full disk, a killed worker) is undone before it says so: workers
  stopped, its files removed (index/faults.py words the message). A writer first repairs
  what an earlier one could not: a build that was killed, a lost ``current`` link, files no
  commit references (index/generations.py says which generation is which).
"""

from __future__ import annotations

import heapq
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from os import PathLike
from pathlib import Path

import whoosh.index

from bahth.analyzers import ANALYZER_VERSION, AnalysisConfig, word_analysis
from bahth.index.errors import (
    AnalysisMismatch,
    BahthError,
    IndexDamaged,
    IndexEmpty,
    IndexMissing,
    IndexVersionMismatch,
)
from bahth.index.lock import WriteLock
from bahth.index.settings import Settings, SettingsError
from bahth.index.sources import Document, Failure, read_sources
from bahth.index.values import date_value, keyword_values, number_value, text_value
from bahth.index.whoosh import generations
from bahth.index.whoosh.damage import CheckedIndex
from bahth.index.whoosh.faults import note_free_space, write_failure
from bahth.index.whoosh.generations import BUILDING, CURRENT, META
from bahth.index.whoosh.schema import build_schema
from bahth.index.whoosh.writer import FastSegmentWriter, ParallelAdder, WorkerFailed, abandon

log = logging.getLogger("bahth.index")

DEFAULT_INDEX = Path("instance") / "index"
LOCK = "write.lock"
# A run adds documents in this process until it has this many, then in worker processes.
PARALLEL_FROM = 1000
WRITER_MB = 128  # Whoosh's posting buffer per writer, before it spills sorted runs to disk
WORKER_MB = 256  # per worker: its term table before it starts a new segment


def default_index_path() -> Path:
    """$BAHTH_INDEX when set, else ./instance/index (git-ignored, outside the index/ package)."""
    return Path(os.environ.get("BAHTH_INDEX") or DEFAULT_INDEX)


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

    def reading(self, items: Iterable[Document | Failure]) -> Iterator[Document | Failure]:
        """``items`` as they come, each document's repairs (a lone surrogate replaced, ...)
        said as a warning naming it: every store reads its run's input through this."""
        for item in items:
            if isinstance(item, Document) and item.repairs:
                named = item.where or f"document {item.id}"
                self.warnings.extend(f"{named}: {repair}" for repair in item.repairs)
            yield item

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
            "warnings": list(self.warnings),
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
        settings: Settings | None = None,
    ) -> None:
        """``settings``: the fields and analysis of a new index (or of one rebuilt); an
        existing index keeps its own, and refuses other index-time settings without a
        rebuild. ``analysis`` is the older way to give the analysis alone."""
        self.path = Path(path) if path is not None else default_index_path()
        if settings is not None and analysis is not None:
            if analysis != settings.analysis_config():
                raise SettingsError(
                    f"The analysis {analysis.id} and the settings' "
                    f"{settings.analysis_config().id} disagree: give one."
                )
        self.requested_settings = settings
        if settings is not None:
            analysis = settings.analysis_config()
        self.requested_analysis = analysis
        self.on_wait = on_wait
        self.procs = procs if procs is not None else _available_cores()
        self._analysis: AnalysisConfig | None = None
        self._analysis_generation: str | None = None
        self._settings: Settings | None = None
        self._settings_generation: str | None = None

    # ---- layout ----------------------------------------------------------------------

    def _live_dir(self) -> Path | None:
        """The live generation folder (the linked one, else the newest that is not an
        abandoned build), or None when there is no index."""
        return generations.live(self.path)

    def _read_meta(self, live: Path) -> dict:
        return generations.read_meta(live) or {}

    def exists(self) -> bool:
        """Is there a live generation? (Read from the folder, not by opening the index: an
        index of another version may not open, and a damaged one says so when opened.)"""
        return self._live_dir() is not None

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

    @property
    def settings(self) -> Settings:
        """The settings of the live index (its fields, its analysis, query-time settings);
        else the ones asked for, else bahth's default."""
        live = self._live_dir()
        if live is None:
            return self.requested_settings or Settings(stem=self.analysis.stem)
        token = f"{live.name}:{self._meta_mtime(live)}"
        if self._settings is None or self._settings_generation != token:
            self._settings = self._read_settings(live)
            self._settings_generation = token
        return self._settings

    def _meta_mtime(self, live: Path) -> int:
        try:
            return (live / META).stat().st_mtime_ns
        except OSError:
            return 0

    def _read_settings(self, live: Path) -> Settings:
        """The settings a generation records (bahth's default when it records none)."""
        recorded = self._read_meta(live).get("settings")
        if not recorded:
            return Settings(stem=self._read_analysis(live).stem)
        try:  # (no path: they were not read from a settings file)
            return replace(Settings.from_dict(recorded, where=f"{live / META}"), path=None)
        except SettingsError as error:
            raise IndexDamaged(self.path, f"its settings cannot be read ({error})") from None

    def settings_for_run(
        self,
        loaded: Settings | None,
        *,
        stem: str | None = None,
        id_key: str | None = None,
        title_key: str | None = None,
        text_key: str | None = None,
        strict: bool = False,
    ) -> Settings | None:
        """Settings.for_run, over this index's own settings (or bahth's default)."""
        return Settings.for_run(
            loaded,
            lambda: self.settings if self.exists() else Settings(),
            stem=stem,
            id_key=id_key,
            title_key=title_key,
            text_key=text_key,
            strict=strict,
        )

    def effective_settings(self) -> Settings:
        """The settings a run reads its input with: those asked for, else the index's."""
        return self.requested_settings or self.settings

    def generation(self) -> str:
        """A cheap token that changes on every commit and on a rebuild swap."""
        live = self._live_dir()
        if live is None:
            raise IndexMissing(self.path)
        return _generation_of(live)

    def _check_version(self, live: Path) -> None:
        """IndexVersionMismatch for an index of another analyzer version; IndexDamaged when
        the generation's bahth.json is missing or unreadable."""
        meta = generations.read_meta(live)
        if meta is None:
            problem = "is missing" if not (live / META).exists() else "cannot be read"
            raise IndexDamaged(self.path, f"{live.name}/{META} {problem}")
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
        requested = self.requested_settings
        if requested is not None:
            changed = requested.index_time_changes(self.settings)
            if changed:
                settings = f" --settings {requested.path}" if requested.path else ""
                raise AnalysisMismatch(
                    f"The index at {self.path} was built with other {' and '.join(changed)} "
                    "settings, which decide what is indexed: add --rebuild to rebuild it with "
                    f"them (`bahth index --rebuild PATH...{settings} --index {self.path}`)."
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
        from under an open reader). IndexMissing / IndexVersionMismatch / IndexDamaged say
        what to do; the index's readers raise IndexDamaged too (index/damage.py)."""
        for attempt in range(5):
            live = self._live_dir()
            if live is None:
                raise IndexMissing(self.path)
            self._check_version(live)
            token = self.generation()
            try:
                return CheckedIndex(self.path, live)
            except IndexDamaged:
                # A commit cleaned up files between our listing its table of contents and
                # reading it: the next one is already there. Else the damage is real.
                if attempt == 4 or self.generation() == token:
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
        format: str | None = None,
    ) -> IndexReport:
        """Bring the index in step with the documents in ``paths`` (files and folders; ``-``
        is standard input, in ``format``: jsonl or csv).

        New documents are added, changed ones updated, unchanged ones left alone. ``prune``
        also deletes documents whose file is gone, or whose file was read cleanly in this run
        without them. ``rebuild`` builds a fresh index and swaps it in when complete.
        Raises SourceError (before writing anything) for a path that does not exist.
        """
        mapping = self.effective_settings().input_mapping()
        items = read_sources(list(paths), mapping, format)  # validates every path now
        return self._write(items, prune=prune, rebuild=rebuild, progress=progress)

    def add_documents(
        self, docs: Iterable[Document | dict], *, progress: bool = False
    ) -> IndexReport:
        """Add or update documents given as ``Document`` or dicts (id, title, text, and any
        other fields). A dict that is not a valid document is a failure."""
        mapping = self.effective_settings().input_mapping()
        items = _as_documents(docs, mapping)
        return self._write(items, prune=False, rebuild=False, progress=progress)

    def delete(self, doc_id: str) -> bool:
        """Delete one document by id; False when there is no such document."""
        if not self.exists():
            raise IndexMissing(self.path)
        warnings: list[str] = []
        with self._locked(warnings):
            for warning in warnings:
                log.warning("%s", warning)
            ix = self.open_index()
            live = Path(ix.storage.folder)
            writer = ix.writer()
            try:
                with ix.reading(), writer.searcher() as searcher:
                    docnums = list(searcher.document_numbers(id=str(doc_id)))
                for docnum in docnums:
                    writer.delete_document(docnum)
                if not docnums:
                    writer.cancel()
                    return False
                writer.commit(merge=False)
            except BaseException as error:
                note_free_space(error, live)
                abandon(writer)
                generations.discard_uncommitted(live)
                raise
            self._touch(live, warnings)
            return True

    @contextmanager
    def _locked(self, warnings: list[str]) -> Iterator[None]:
        """Hold the write lock; repair what earlier writers left; say a failure of the file
        system or of a worker (the run already undone) in one IndexWriteFailed line."""
        try:
            with WriteLock(self.path / LOCK, self.on_wait):
                warnings.extend(self._recover())
                yield
        except (OSError, WorkerFailed) as error:
            raise write_failure(error, self.path) from error

    def _recover(self) -> list[str]:
        """Under the write lock nobody else is writing: a generation still marked building
        is a dead build, files no commit references are a dead run's, and a lost link to
        the live generation can be put back. Says what it did, one line each."""
        done = []
        for folder in generations.abandoned(self.path):
            megabytes = generations.size(folder) / 1e6
            generations.remove(folder)
            done.append(
                f"removed {folder}, left by an indexing run that did not finish "
                f"({megabytes:,.1f} MB)"
            )
        link = self.path / CURRENT
        if generations.linked(self.path) is None:
            if link.exists() and not link.is_symlink():
                raise BahthError(
                    f"{link} should be a link to the live generation but is not: move it out "
                    f"of the way (mv {link} {self.path}.old-current) and run again."
                )
            newest = generations.newest(self.path)
            if newest is not None and generations.state(newest) == generations.COMPLETE:
                generations.relink(self.path, newest)
                done.append(
                    f"{link} was missing or pointed nowhere: it points to {newest.name} again, "
                    "the newest complete generation"
                )
        live = self._live_dir()
        if live is not None:
            generations.discard_uncommitted(live)
        return done

    def _write(
        self, items: Iterable[Document | Failure], *, prune: bool, rebuild: bool, progress: bool
    ) -> IndexReport:
        started = time.perf_counter()
        report = IndexReport()
        items = report.reading(items)
        if rebuild or not self.exists():
            self._refuse_strangers()  # before the lock file is written into it
        with self._locked(report.warnings):
            if rebuild or not self.exists():
                settings = self.requested_settings or (
                    self.settings if self.exists() else Settings()
                )
                analysis = self.requested_analysis or (
                    self.analysis if self.exists() else settings.analysis_config()
                )
                if self.requested_settings is None and analysis.stem != settings.stem:
                    settings = replace(settings, stem=analysis.stem)  # --stem alone
                self._build(items, report, analysis, settings, prune=prune, progress=progress)
            else:
                self._update(items, report, prune=prune, progress=progress)
        report.seconds = time.perf_counter() - started
        report.docs_per_second = report.processed / report.seconds if report.seconds else 0.0
        return report

    def _update(self, items, report: IndexReport, *, prune: bool, progress: bool) -> None:
        """One commit into the live generation; a run that fails leaves no file behind."""
        live = self._live_dir()
        self._check_version(live)
        self._check_requested_analysis()
        ix = CheckedIndex(self.path, live)
        try:
            _apply(
                ix,
                self._read_analysis(live),
                self.settings,
                items,
                report,
                prune=prune,
                progress=progress,
                procs=self.procs,
            )
        except BaseException as error:
            note_free_space(error, live)
            generations.discard_uncommitted(live)
            raise
        self._touch(live, report.warnings, self.requested_settings)

    def _build(
        self,
        items,
        report: IndexReport,
        analysis: AnalysisConfig,
        settings: Settings,
        *,
        prune: bool,
        progress: bool,
    ) -> None:
        """A fresh generation beside the live one, swapped in when complete; removed whole
        if the run fails."""
        live = self._next_generation()
        try:
            self._create_generation(live, analysis, settings)
            ix = CheckedIndex(self.path, live)
            procs = self.procs
            _apply(
                ix, analysis, settings, items, report, prune=prune, progress=progress, procs=procs
            )
            meta = self._read_meta(live)
            meta.pop(BUILDING, None)
            meta["last_update"] = _now()
            generations.write_meta(live, meta)  # complete from here on
            self._swap(live)
        except BaseException as error:
            note_free_space(error, live)
            if generations.linked(self.path) != live:
                generations.remove(live)
            raise

    def _refuse_strangers(self) -> None:
        """A folder that holds anything but a bahth index is refused before anything is
        written into it (``--index /etc`` must not leave /etc/write.lock behind)."""
        if self.path.exists() and not self.path.is_dir():
            raise BahthError(f"{self.path} is a file: choose a new or empty folder for the index.")
        strangers = generations.strangers(self.path)
        if strangers:
            raise BahthError(
                f"{self.path} is not a bahth index folder (it holds {strangers[0]!r}): "
                "choose a new or empty folder for the index."
            )

    def _next_generation(self) -> Path:
        """The folder for a new generation: numbered above every generation there."""
        self.path.mkdir(parents=True, exist_ok=True)
        self._refuse_strangers()
        numbers = [generations.number(folder) for folder in generations.generations(self.path)]
        return self.path / f"gen-{max(numbers, default=0) + 1:04d}"

    def _create_generation(self, live: Path, analysis: AnalysisConfig, settings: Settings) -> None:
        """An empty index, marked as building until its swap: if the run dies, the next
        writer knows the folder for a dead build, not for a live index that lost its link."""
        live.mkdir()
        now = _now()
        generations.write_meta(
            live,
            {
                "analysis": analysis.as_dict(),
                "settings": settings.as_dict(),
                "analyzer": analysis.id,
                "analyzer_version": ANALYZER_VERSION,
                "created": now,
                "last_update": now,
                BUILDING: True,
            },
        )
        whoosh.index.create_in(str(live), build_schema(analysis, settings))

    def _swap(self, live: Path) -> None:
        """Make ``live`` the current generation atomically. The generation it replaces may
        still have readers and is kept; those it had replaced are removed. None other: a
        generation that was never replaced is never deleted."""
        previous = generations.linked(self.path)
        generations.relink(self.path, live)
        for folder in generations.replaced(self.path, previous):
            generations.remove(folder)

    def _touch(self, live: Path, warnings: list[str], settings: Settings | None = None) -> None:
        """Record the time of the last update (after the commit: failing here loses nothing),
        and ``settings`` when given: their query-time part (weights, facets, synonyms) may
        have changed, and applies from now on."""
        meta = self._read_meta(live)
        meta["last_update"] = _now()
        if settings is not None:
            meta["settings"] = settings.as_dict()
        try:
            generations.write_meta(live, meta)
        except OSError as error:
            warnings.append(
                f"the run was committed, but {live / META} could not record its time: "
                f"{error.strerror or error}"
            )

    # ---- reading ---------------------------------------------------------------------

    @property
    def location(self) -> str:
        """Where the index is, as stats() and the server name it (the folder, resolved)."""
        return str(self.path.resolve())

    def stats(self, reader=None) -> dict:
        """Documents, distinct terms (of the searched fields), size on disk, analyzer and
        version, last update, path. IndexMissing when there is no index, IndexDamaged when
        its files cannot be read. ``reader``: an open reader of the live generation to count
        with (a server's shared one, kept open); without it, one is opened for the call, and
        Whoosh's own storage holds a copy of every segment in memory while it is open."""
        ix = self.open_index()
        live = Path(ix.storage.folder)
        meta = self._read_meta(live)
        with ix.reading(), _reader_for(ix, reader) as counted:
            documents = counted.doc_count()
            terms = distinct_terms(counted, ("title", "text"))
        size = sum(entry.stat().st_size for entry in os.scandir(live) if entry.is_file())
        return {
            "documents": documents,
            "terms": terms,
            "size_bytes": size,
            "analyzer": meta.get("analyzer", self.analysis.id),
            "analyzer_version": str(meta.get("analyzer_version", "")),
            "last_update": meta.get("last_update"),
            "created": meta.get("created"),
            "path": self.location,
            "generation": _generation_of(live, ix.latest_generation()),
        }


@contextmanager
def _reader_for(ix, reader) -> Iterator:
    """``reader`` as it is (its owner closes it), or a reader of ``ix`` closed afterwards."""
    if reader is not None:
        yield reader
        return
    with ix.reader() as opened:
        yield opened


def distinct_terms(reader, fieldnames: Iterable[str]) -> int:
    """The number of distinct terms over ``fieldnames``, counted while merging their sorted
    lexicons: not a set of the whole dictionary (a million terms on a large index)."""
    count, last = 0, None
    for term in heapq.merge(*(reader.lexicon(name) for name in fieldnames)):
        if term != last:
            count, last = count + 1, term
    return count


def _generation_of(live: Path, newest: int | None = None) -> str:
    """The generation token of the folder ``live`` at its newest commit (or at ``newest``)."""
    if newest is None:
        newest = generations.newest_toc(live)
    return f"{live.name}:{newest}"


def _as_documents(docs: Iterable[Document | dict], mapping) -> Iterator[Document | Failure]:
    for number, doc in enumerate(docs, start=1):
        try:
            if isinstance(doc, Document):
                yield doc.checked()
                continue
            yield Document.from_dict(doc, mapping=mapping)
        except ValueError as error:
            label = doc.get("id") if isinstance(doc, dict) and doc.get("id") else number
            label = doc.id if isinstance(doc, Document) else label
            yield Failure(f"document {label}", str(error))


def document_fields(doc: Document, settings: Settings | None = None) -> dict:
    """The Whoosh fields of one document (title and text go to their exact twins too), with
    its declared fields as ``settings`` says; ValueError for a value a field cannot take."""
    settings = settings or _DEFAULT_SETTINGS
    given = doc.given()
    fields = {
        "id": doc.id,
        "title": doc.title,
        "title_exact": doc.title,
        "text": doc.text,
        "text_exact": doc.text,
        "content_hash": doc.content_hash(),
        "given": given,
    }
    dates: dict[str, object] = {}
    for spec in settings.fields:
        value = given.get(spec.name)
        if spec.type == "text":
            text = text_value(spec.name, value)
            if text:
                fields[spec.name] = fields[f"{spec.name}_exact"] = text
            continue
        if spec.type == "date":
            value = doc.date if spec.name == "date" and doc.date else date_value(value)
            dates[spec.name] = value
        elif spec.type == "number":
            value = number_value(value)
        elif spec.type == "keyword" and not spec.year_of:
            value = keyword_values(spec.name, value) or None
        else:
            continue
        if value is not None:
            fields[spec.name] = value
    for spec in settings.fields:
        if spec.year_of and dates.get(spec.year_of) is not None:
            fields[spec.name] = [str(dates[spec.year_of].year)]
    has = [spec.name for spec in settings.fields if spec.name in fields and spec.type != "text"]
    if has:
        fields["has"] = has
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


def _apply(
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
    adder = _Adder(writer, analysis, procs)
    try:
        seen: dict[str, tuple[str | None, str | None]] = {}  # id -> (origin, where) of its first
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
                first = seen[item.id][1] or "an earlier document"
                where = item.where or f"document {item.id}"
                report.fail(Failure(where, f"duplicate id {item.id!r} (first in {first}): skipped"))
                continue
            try:
                fields = document_fields(item, settings)
            except ValueError as error:
                failure = Failure(item.where or f"document {item.id}", str(error))
                report.fail(failure)
                if item.origin:
                    failed_origins.add(item.origin)
                continue
            seen[item.id] = (item.origin, item.where)
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
            read_cleanly = {origin for origin, _ in seen.values() if origin} - failed_origins
            for doc_id, before in known.items():
                if doc_id in seen or before.origin is None:
                    continue
                if before.origin in read_cleanly or not os.path.exists(before.origin):
                    for docnum in before.docnums:
                        writer.delete_document(docnum)
                    report.deleted += 1
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
