"""One SearchEngine per app, opened on first use, and the "is there anything to search?" check.

Opening lazily lets the server start (and explain how to build an index) before an index
exists. The empty-index check runs once per index generation, not once per request.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from index.errors import IndexMissing

if TYPE_CHECKING:
    from search.engine import SearchEngine


class IndexEmpty(IndexMissing):
    """The index exists but holds no document: nothing to search yet."""


class EngineHolder:
    """Holds the app's SearchEngine; thread-safe to share between waitress' worker threads."""

    def __init__(self, path: str | Path | None = None, engine: SearchEngine | None = None):
        self.path = path
        self._engine = engine
        self._lock = threading.Lock()
        self._checked_generation: str | None = None

    def engine(self) -> SearchEngine:
        with self._lock:
            if self._engine is None:
                from search.engine import SearchEngine

                self._engine = SearchEngine(self.path)
            return self._engine

    def index_path(self) -> str:
        """Where the index is (or should be), for messages."""
        try:
            return str(self.engine().store.path)
        except Exception:  # noqa: BLE001 - only used to word a message
            return str(self.path or "instance/index")

    def require_documents(self) -> SearchEngine:
        """The engine, if its index exists and holds documents; else IndexMissing/IndexEmpty."""
        engine = self.engine()
        generation = engine.store.generation()  # raises IndexMissing when there is no index
        if generation != self._checked_generation:
            if not engine.stats().get("documents"):
                raise IndexEmpty(f"The index at {engine.store.path} holds no document yet.")
            self._checked_generation = generation
        return engine

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.close()
                self._engine = None
