"""The reading side of the storage seam: a searcher for whichever store SearchEngine has.

A folder's index is searched with Whoosh's own searcher; a cluster's with SphinxSearcher
(search/sphinx_search.py), which answers the same questions from the cluster and runs the
first stage there (search/first_stage.py sends it its queries)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from bahth.index.sphinx.store import SphinxStore
from bahth.index.whoosh.readers import OpenIndex


def open_searcher(store, weighting):
    """A searcher of ``store``'s live index, scoring with ``weighting``."""
    if isinstance(store, SphinxStore):
        from bahth.index.sphinx.reader import SphinxSearcher

        return SphinxSearcher(store, store.open_index(), weighting)
    return store.open_index().searcher(weighting=weighting)


def health(store) -> dict:
    """Whether the index can answer, node by node for a cluster: {"ok", "backend",
    "nodes": [{"node", "up", "error"}]} (a folder has no nodes: ok when it has an index)."""
    if isinstance(store, SphinxStore):
        return store.health()
    return {"ok": store.exists(), "backend": str(store.path), "nodes": []}


def open_view(store, weighting: Callable[[], object]):
    """What SearchEngine reads through: ``lease()`` gives a view (``.token``, ``.searcher``)
    held for one request, ``close()`` closes it. A folder's is one view shared by every
    thread (search/readers.py); a cluster's is a searcher per thread, since a cluster
    searcher keeps per-request caches and talks over per-thread connections."""
    if isinstance(store, SphinxStore):
        return ClusterSearchers(store, weighting)
    return OpenIndex(store, weighting)


@dataclass
class ClusterView:
    token: str
    searcher: object


class ClusterSearchers:
    """One SphinxSearcher per thread, made again when the cluster's generation changes."""

    def __init__(self, store: SphinxStore, weighting: Callable[[], object]) -> None:
        self.store = store
        self.weighting = weighting
        self._local = threading.local()

    @contextmanager
    def lease(self) -> Iterator[ClusterView]:
        token = self.store.generation()
        view = getattr(self._local, "view", None)
        if view is None or view.token != token:
            self.close()
            view = self._local.view = ClusterView(
                token, open_searcher(self.store, self.weighting())
            )
        yield view

    def close(self) -> None:
        view = getattr(self._local, "view", None)
        if view is not None:
            view.searcher.close()
            self._local.view = None
