"""One SearchEngine per app, opened on first use, and the "is there anything to search?" check.

Opening lazily lets the server start (and explain how to build an index) before an index
exists. The empty-index check runs once per index generation, not once per request.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from bahth.index.errors import IndexEmpty

if TYPE_CHECKING:
    from bahth.search.engine import SearchEngine


class EngineHolder:
    """Holds the app's SearchEngine; thread-safe to share between the server's threads."""

    def __init__(self, path: str | Path | None = None, engine: SearchEngine | None = None):
        self.path = path
        self._engine = engine
        self._lock = threading.Lock()
        self._checked_generation: str | None = None
        self._stats: dict | None = None

    def engine(self) -> SearchEngine:
        with self._lock:
            if self._engine is None:
                from bahth.search.engine import SearchEngine

                self._engine = SearchEngine(self.path)
            return self._engine

    def require_documents(self) -> SearchEngine:
        """The engine, if its index exists, reads, and holds documents; else IndexMissing,
        IndexEmpty or IndexVersionMismatch (the web answers each with a 503 that says what
        to do). Checked when the index's generation changes, not on every request."""
        engine = self.engine()
        generation = engine.store.generation()  # raises IndexMissing when there is no index
        if generation != self._checked_generation:
            if not engine.state().documents:
                raise IndexEmpty(engine.store.path)
            self._checked_generation = generation
        return engine

    def stats(self) -> dict:
        """The engine's statistics, worked out once per index generation (counting the
        terms reads the whole dictionary: not for every request)."""
        engine = self.engine()
        generation = engine.store.generation()
        with self._lock:
            cached = self._stats
        if cached is None or cached.get("generation") != generation:
            cached = engine.stats()
            with self._lock:
                self._stats = cached
        return cached
