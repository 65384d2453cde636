"""One SearchEngine per app, opened on first use, and the "is there anything to search?" check.

Opening lazily lets the server start (and explain how to build an index) before an index
exists. The empty-index check runs once per index generation, not once per request.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bahth.search.engine import SearchEngine


class EngineHolder:
    """Holds the app's SearchEngine; thread-safe to share between the server's threads."""

    def __init__(self, path: str | Path | None = None, engine: SearchEngine | None = None):
        self.path = path
        self._engine = engine
        self._lock = threading.Lock()
        self._checked_generation: str | None = None

    def engine(self) -> SearchEngine:
        with self._lock:
            if self._engine is None:
                from bahth.search.engine import SearchEngine

                self._engine = SearchEngine(self.path)
            return self._engine

    def require_documents(self) -> SearchEngine:
        """The engine, if its index exists and holds documents; else IndexMissing/IndexEmpty."""
        engine = self.engine()
        generation = engine.store.generation()  # raises IndexMissing when there is no index
        if generation != self._checked_generation:
            engine.store.require_documents()
            self._checked_generation = generation
        return engine
