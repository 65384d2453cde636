"""bahth's index: reading documents from files and keeping a Whoosh index in step with them."""

from bahth.index.errors import (
    BahthError,
    IndexMissing,
    IndexVersionMismatch,
    SearchTimeout,
    SourceError,
)
from bahth.index.sources import Document, Failure, read_sources
from bahth.index.store import IndexReport, IndexStore, default_index_path

__all__ = [
    "BahthError",
    "Document",
    "Failure",
    "IndexMissing",
    "IndexReport",
    "IndexStore",
    "IndexVersionMismatch",
    "SearchTimeout",
    "SourceError",
    "default_index_path",
    "read_sources",
]
