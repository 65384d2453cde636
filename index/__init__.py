"""bahth's index: reading documents from files and keeping an index in step with them, in a
folder (index/whoosh/) or a cluster (index/sphinx/), behind one contract (index/contract.py)."""

from bahth.index.errors import (
    AnalysisMismatch,
    ArgumentError,
    BahthError,
    IndexDamaged,
    IndexEmpty,
    IndexMissing,
    IndexVersionMismatch,
    IndexWriteFailed,
    SearchTimeout,
    SourceError,
)
from bahth.index.planner import IndexReport
from bahth.index.settings import Settings, SettingsError
from bahth.index.sources import Document, Failure, read_sources
from bahth.index.whoosh.store import IndexStore, default_index_path

__all__ = [
    "AnalysisMismatch",
    "ArgumentError",
    "BahthError",
    "Document",
    "Failure",
    "IndexDamaged",
    "IndexEmpty",
    "IndexMissing",
    "IndexReport",
    "IndexStore",
    "IndexVersionMismatch",
    "IndexWriteFailed",
    "SearchTimeout",
    "Settings",
    "SettingsError",
    "SourceError",
    "default_index_path",
    "read_sources",
]
