"""bahth (بحث): full-text search for Arabic text.

The one import namespace. The repository keeps one folder per floor (``analyzers/``,
``index/``, ``search/``, ``web/``); ``setup.cfg`` installs them as ``bahth.analyzers``,
``bahth.index``, ``bahth.search`` and ``bahth.web``. The public API is re-exported here and
imported on first use, so that ``import bahth.analyzers`` (an indexing worker, say) does not
load Flask and numpy::

    from bahth import SearchEngine
    engine = SearchEngine("instance/index")
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "AnalysisConfig": "bahth.analyzers",
    "WordAnalysis": "bahth.analyzers",
    "analyze": "bahth.analyzers",
    "AnalysisMismatch": "bahth.index",
    "ArgumentError": "bahth.index",
    "BahthError": "bahth.index",
    "Document": "bahth.index",
    "IndexEmpty": "bahth.index",
    "IndexDamaged": "bahth.index",
    "IndexMissing": "bahth.index",
    "IndexWriteFailed": "bahth.index",
    "IndexReport": "bahth.index",
    "IndexStore": "bahth.index",
    "IndexVersionMismatch": "bahth.index",
    "SearchTimeout": "bahth.index",
    "Settings": "bahth.index",
    "SettingsError": "bahth.index",
    "SourceError": "bahth.index",
    "FilterError": "bahth.search.filters",
    "Hit": "bahth.search.results",
    "Page": "bahth.search.results",
    "Ranking": "bahth.search.ranking",
    "SearchEngine": "bahth.search.engine",
    "create_app": "bahth.web",
}

__all__ = [
    "AnalysisConfig",
    "AnalysisMismatch",
    "ArgumentError",
    "BahthError",
    "Document",
    "FilterError",
    "Hit",
    "IndexDamaged",
    "IndexEmpty",
    "IndexMissing",
    "IndexWriteFailed",
    "IndexReport",
    "IndexStore",
    "IndexVersionMismatch",
    "Page",
    "Ranking",
    "SearchEngine",
    "SearchTimeout",
    "Settings",
    "SettingsError",
    "SourceError",
    "WordAnalysis",
    "__version__",
    "analyze",
    "create_app",
]

if TYPE_CHECKING:
    from bahth.analyzers import AnalysisConfig, WordAnalysis, analyze
    from bahth.index import (
        AnalysisMismatch,
        ArgumentError,
        BahthError,
        Document,
        IndexDamaged,
        IndexEmpty,
        IndexMissing,
        IndexReport,
        IndexStore,
        IndexVersionMismatch,
        IndexWriteFailed,
        SearchTimeout,
        Settings,
        SettingsError,
        SourceError,
    )
    from bahth.search.engine import SearchEngine
    from bahth.search.filters import FilterError
    from bahth.search.ranking import Ranking
    from bahth.search.results import Hit, Page
    from bahth.web import create_app


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'bahth' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
