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
  stopped, its files removed (index/whoosh/faults.py words the message). A writer first repairs
  what an earlier one could not: a build that was killed, a lost ``current`` link, files no
  commit references (index/whoosh/generations.py says which generation is which).
"""

from __future__ import annotations

import heapq
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from os import PathLike
from pathlib import Path

import whoosh.index

from bahth.analyzers import AnalysisConfig
from bahth.index.errors import (
    IndexDamaged,
    IndexEmpty,
    IndexMissing,
)
from bahth.index.lock import WriteLock
from bahth.index.planner import IndexReport, as_documents, note_left_out
from bahth.index.record import Asked, now, record, recorded, recorded_analysis
from bahth.index.retry import while_changing
from bahth.index.settings import Settings, SettingsError
from bahth.index.sources import Document, Failure, read_sources
from bahth.index.whoosh import generations
from bahth.index.whoosh.damage import CheckedIndex
from bahth.index.whoosh.faults import note_free_space, write_failure
from bahth.index.whoosh.generations import BUILDING, META
from bahth.index.whoosh.schema import build_schema
from bahth.index.whoosh.workers import WorkerFailed
from bahth.index.whoosh.writer import abandon
from bahth.index.whoosh.writing import apply, document_ids

log = logging.getLogger("bahth.index")

DEFAULT_INDEX = Path("instance") / "index"
LOCK = "write.lock"


def default_index_path() -> Path:
    """$BAHTH_INDEX when set, else ./instance/index (git-ignored, outside the index/ package)."""
    return Path(os.environ.get("BAHTH_INDEX") or DEFAULT_INDEX)


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
        self.asked = Asked.of(settings, analysis, str(self.path), f"--index {self.path}")
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
            return self.asked.analysis or AnalysisConfig()
        if self._analysis is None or self._analysis_generation != live.name:
            self._analysis = self._read_analysis(live)
            self._analysis_generation = live.name
        return self._analysis

    def _read_analysis(self, live: Path) -> AnalysisConfig:
        """The analysis a generation was built with (bahth's default if unrecorded)."""
        return recorded_analysis(self._read_meta(live))

    @property
    def settings(self) -> Settings:
        """The settings of the live index (its fields, its analysis, query-time settings);
        else the ones asked for, else bahth's default."""
        live = self._live_dir()
        if live is None:
            return self.asked.settings or Settings(stem=self.analysis.stem)
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
        try:
            return recorded(self._read_meta(live), f"{live / META}")
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
        return self.asked.effective(self.settings if self.exists() else None)

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
        self.asked.check_version(meta)

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
        what to do; the index's readers raise IndexDamaged too (index/whoosh/damage.py). A read
        that meets a commit's cleaning is tried again (index/retry.py)."""
        return while_changing(lambda token: self.open_live(), self.generation)

    def open_live(self) -> whoosh.index.Index:
        """open_index, once: no second try when a commit cleans files under it."""
        live = self._live_dir()
        if live is None:
            raise IndexMissing(self.path)
        self._check_version(live)
        return CheckedIndex(self.path, live)

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
        items = as_documents(docs, mapping)
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
                warnings.extend(generations.recover(self.path))
                yield
        except (OSError, WorkerFailed) as error:
            raise write_failure(error, self.path) from error

    def _write(
        self, items: Iterable[Document | Failure], *, prune: bool, rebuild: bool, progress: bool
    ) -> IndexReport:
        started = time.perf_counter()
        report = IndexReport()
        if rebuild or not self.exists():
            generations.refuse_strangers(self.path)  # before the lock file is written into it
        with self._locked(report.warnings):
            if rebuild or not self.exists():
                built = (self.settings, self.analysis) if self.exists() else (None, None)
                analysis, settings = self.asked.for_new(*built)
                self._build(items, report, analysis, settings, prune=prune, progress=progress)
            else:
                self._update(items, report, prune=prune, progress=progress)
        report.timed(time.perf_counter() - started)
        return report

    def _update(self, items, report: IndexReport, *, prune: bool, progress: bool) -> None:
        """One commit into the live generation; a run that fails leaves no file behind."""
        live = self._live_dir()
        self._check_version(live)
        self.asked.check_against(self.settings, self.analysis)
        report.warnings.extend(self.asked.notes_against(self.settings))
        ix = CheckedIndex(self.path, live)
        try:
            apply(
                ix,
                self._read_analysis(live),
                self.asked.effective(self.settings),  # query-time changes apply in this run
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
        self._touch(live, report.warnings, self.asked.settings)

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
        replaced = self._live_dir()
        before = document_ids(lambda: CheckedIndex(self.path, replaced)) if replaced else None
        live = generations.next_generation(self.path)
        try:
            self._create_generation(live, analysis, settings)
            ix = CheckedIndex(self.path, live)
            procs = self.procs
            apply(
                ix, analysis, settings, items, report, prune=prune, progress=progress, procs=procs
            )
            note_left_out(report, before, document_ids(lambda: ix) or set())
            meta = self._read_meta(live)
            meta.pop(BUILDING, None)
            meta["last_update"] = now()
            generations.write_meta(live, meta)  # complete from here on
            generations.swap(self.path, live)
        except BaseException as error:
            note_free_space(error, live)
            if generations.linked(self.path) != live:
                generations.remove(live)
            raise

    def _create_generation(self, live: Path, analysis: AnalysisConfig, settings: Settings) -> None:
        """An empty index, marked as building until its swap: if the run dies, the next
        writer knows the folder for a dead build, not for a live index that lost its link."""
        live.mkdir()
        created = now()
        meta = {**record(analysis, settings), "created": created, "last_update": created}
        generations.write_meta(live, {**meta, BUILDING: True})
        whoosh.index.create_in(str(live), build_schema(analysis, settings))

    def _touch(self, live: Path, warnings: list[str], settings: Settings | None = None) -> None:
        """Record the time of the last update (after the commit: failing here loses nothing),
        and ``settings`` when given: their query-time part (weights, facets, synonyms) may
        have changed, and applies from now on."""
        meta = self._read_meta(live)
        meta["last_update"] = now()
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

    def readers(self):
        """The read side (index/contract.py Readers): one reader per generation, shared by
        every thread, reopened when the index changes."""
        from bahth.index.whoosh.reader import FolderReaders

        return FolderReaders(self)

    def health(self) -> dict:
        """Whether the index can answer: a folder has no nodes, it is ok when it has an
        index (index/contract.py)."""
        return {"ok": self.exists(), "backend": str(self.path), "nodes": []}

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
        own = reader.whoosh if reader is not None else None
        with ix.reading(), _reader_for(ix, own) as counted:
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


def _available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)
