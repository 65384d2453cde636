"""The reading side of the storage seam: a searcher for whichever store SearchEngine has.

A folder's index is searched with Whoosh's own searcher; a cluster's with SphinxSearcher
(search/sphinx_search.py), which answers the same questions from the cluster and runs the
first stage there (search/first_stage.py sends it its queries)."""

from __future__ import annotations

from bahth.index.sphinx_store import SphinxStore


def open_searcher(store, weighting):
    """A searcher of ``store``'s live index, scoring with ``weighting``."""
    if isinstance(store, SphinxStore):
        from bahth.search.sphinx_search import SphinxSearcher

        return SphinxSearcher(store, store.open_index(), weighting)
    return store.open_index().searcher(weighting=weighting)


def health(store) -> dict:
    """Whether the index can answer, node by node for a cluster: {"ok", "backend",
    "nodes": [{"node", "up", "error"}]} (a folder has no nodes: ok when it has an index)."""
    if isinstance(store, SphinxStore):
        return store.health()
    return {"ok": store.exists(), "backend": str(store.path), "nodes": []}
