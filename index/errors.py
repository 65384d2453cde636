"""Errors a user can meet, each with a message that says what to do. No traceback needed."""


class BahthError(Exception):
    """Base class: ``str(error)`` is a complete sentence for the user."""


class IndexMissing(BahthError):
    """There is no index (or an empty folder) where one was expected."""


class IndexVersionMismatch(BahthError):
    """The index was built by another analyzer version than the code's: rebuild it."""


class SourceError(BahthError):
    """A source path cannot be read at all (missing path, unknown file type)."""
