"""bahth's index: reading documents from files and keeping a Whoosh index in step with them."""

from bahth.index.errors import (
    AnalysisMismatch,
    BahthError,
    IndexDamaged,
    IndexEmpty,
    IndexMissing,
    IndexVersionMismatch,
    IndexWriteFailed,
    SearchTimeout,
    SourceError,
)
from bahth.index.settings import Settings, SettingsError
from bahth.index.sources import Document, Failure, read_sources
from bahth.index.whoosh.store import IndexReport, IndexStore, default_index_path

__all__ = [
    "AnalysisMismatch",
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
