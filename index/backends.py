"""Where an index lives: a folder (Whoosh, embedded; the default) or a cluster named by a
backend URL (``sphinx://HOST:PORT,.../TABLE``: Sphinx or Manticore). One factory, so the
CLI, the web and SearchEngine accept either wherever they take an index path, and hold no
rule of their own about which is which."""

from __future__ import annotations

from collections.abc import Callable
from os import PathLike

from bahth.analyzers import AnalysisConfig
from bahth.index.contract import Store
from bahth.index.settings import Settings
from bahth.index.sphinx.nodes import is_backend_url
from bahth.index.whoosh.store import IndexStore


def open_store(
    location: str | PathLike | None = None,
    analysis: AnalysisConfig | None = None,
    *,
    on_wait: Callable[[str], None] | None = None,
    procs: int | None = None,
    settings: Settings | None = None,
) -> Store:
    """An IndexStore for a folder (None: $BAHTH_INDEX, else ./instance/index), a
    SphinxStore for a backend URL."""
    if is_backend_url(location):
        from bahth.index.sphinx.store import SphinxStore

        return SphinxStore(str(location), analysis, on_wait=on_wait, procs=procs, settings=settings)
    return IndexStore(location, analysis, on_wait=on_wait, procs=procs, settings=settings)
