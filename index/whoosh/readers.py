"""The engine's open index: one searcher per generation, shared by every thread.

Before, each thread opened its own Whoosh searcher, and reopened it whole after any commit:
with four server threads that was four copies of every segment in memory (Whoosh copied
each segment's postings into RAM: 530 MB per searcher on SaudiNewsNet), four sets of caches
rebuilt after a one-document commit, and old searchers left open until the garbage
collector found them (140 segment mappings, 36 descriptors of deleted files seen).

Now ``OpenIndex`` keeps one ``IndexView`` (a Whoosh searcher over the current table of
contents) for all threads. Segments are read through index/whoosh/segment_files.py (positional
reads, nothing copied), and a commit reopens only what it changed: the view of the next
generation reuses the segment readers of every segment it still has with the same
deletions, and opens readers for new segments only. A request holds its view with
``lease()``; a view replaced by a newer one is closed when its last request ends, and a
segment reader when no view has it any more, so a deleted file's descriptor goes with
the last request that could read it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from whoosh.reading import EmptyReader, MultiReader, SegmentReader
from whoosh.searching import Searcher

from bahth.index.retry import while_changing
from bahth.index.whoosh.segment_files import SharedFileStorage


class IndexView:
    """One generation of the index as every thread sees it: a searcher and its users."""

    def __init__(self, token: str, searcher: Searcher, keys: list) -> None:
        self.token = token
        self.searcher = searcher
        self.keys = keys  # the OpenIndex readers it holds
        self.users = 0
        self.retired = False
        self.reader = None  # the FolderReader made of it (index/whoosh/reader.py)


class OpenIndex:
    """The current IndexView of one IndexStore, reopened when its generation changes."""

    def __init__(self, store) -> None:
        """``store``: the folder store (its generation() and open_index())."""
        self.store = store
        self._lock = threading.Lock()
        self._view: IndexView | None = None
        self._readers: dict[tuple, list] = {}  # key -> [SegmentReader, number of views]
        self.opened = 0  # segment readers opened (tests count them)
        self.closed = 0  # segment readers closed

    @contextmanager
    def lease(self) -> Iterator[IndexView]:
        """The current view, held for the duration of a request (not closed under it)."""
        view = self.acquire()
        try:
            yield view
        finally:
            self.release(view)

    def acquire(self) -> IndexView:
        token = self.store.generation()  # IndexMissing when there is no index
        with self._lock:
            view = self._view
            if view is None or view.token != token:
                view = self._open(token)
                old, self._view = self._view, view
                if old is not None:
                    old.retired = True
                    if not old.users:
                        self._close_view(old)
            view.users += 1
            return view

    def release(self, view: IndexView) -> None:
        with self._lock:
            view.users -= 1
            if view.retired and not view.users:
                self._close_view(view)

    def close(self) -> None:
        """Close the current view now (a request still holding it keeps it until it ends)."""
        with self._lock:
            view, self._view = self._view, None
            if view is not None:
                view.retired = True
                if not view.users:
                    self._close_view(view)

    @property
    def open_readers(self) -> int:
        return len(self._readers)

    # ---- opening and closing (under the lock) -----------------------------------------

    def _open(self, token: str) -> IndexView:
        """The view of the generation ``token`` names, opened again when a commit cleans a
        segment file between our reading its table of contents and opening the segment
        (index/retry.py): the next table of contents is there already."""
        return while_changing(lambda current: self._open_once(token), self.store.generation)

    def _open_once(self, token: str) -> IndexView:
        ix = self.store.open_live()  # checks the version; reads only the table of contents
        folder = ix.storage.folder
        toc = ix._read_toc()
        storage = SharedFileStorage(folder)
        keys = [(folder, s.segment_id(), s.deleted_count()) for s in toc.segments]
        opened: dict[tuple, SegmentReader] = {}
        try:
            with ix.reading():  # a damaged segment file: IndexDamaged, naming it
                for key, segment in zip(keys, toc.segments, strict=True):
                    if key not in self._readers and key not in opened:
                        opened[key] = SegmentReader(
                            storage, toc.schema, segment, generation=toc.generation
                        )
        except BaseException:
            for reader in opened.values():
                reader.close()
            raise
        for key, reader in opened.items():
            self._readers[key] = [reader, 0]
            self.opened += 1
        readers = []
        for key in keys:
            entry = self._readers[key]
            entry[1] += 1
            readers.append(entry[0])
        if not readers:
            reader = EmptyReader(toc.schema)
        elif len(readers) == 1:
            reader = readers[0]
        else:
            reader = MultiReader(readers, generation=toc.generation)
        searcher = Searcher(reader, closereader=False, fromindex=ix)
        return IndexView(token, searcher, keys)

    def _close_view(self, view: IndexView) -> None:
        for key in view.keys:
            entry = self._readers[key]
            entry[1] -= 1
            if not entry[1]:
                del self._readers[key]
                entry[0].close()
                self.closed += 1
        view.keys = []
