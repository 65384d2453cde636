"""Errors a user can meet, each with a message that says what to do. No traceback needed."""

from __future__ import annotations

import shlex
from os import PathLike


class BahthError(Exception):
    """Base class: ``str(error)`` is a complete sentence for the user."""


class ArgumentError(BahthError, ValueError):
    """A library call was given an argument it cannot use (``add_documents(None)``,
    ``search(q, page=None)``, ``time_limit=0``): a mistake in the calling code, not in its
    user's text. ``parameter`` names the argument, ``value`` is what was given, ``reason``
    says what it takes; ``str(error)`` is ``parameter: reason``. A ValueError too, as
    FilterError (a bad ``filters`` or ``sort``) is."""

    def __init__(self, parameter: str, reason: str, value: object = None) -> None:
        self.parameter, self.reason, self.value = parameter, reason, value
        super().__init__(f"{parameter}: {reason}")


class IndexMissing(BahthError):
    """There is no index (or an empty folder) where one was expected. The message names the
    folder and the command that builds an index there (``command``, for a web page)."""

    def __init__(self, path: str | PathLike, reason: str | None = None) -> None:
        self.path = str(path)
        flag = "--backend" if "://" in self.path else "--index"  # a cluster's URL, or a folder
        self.command = f"bahth index PATH... {flag} {shlex.quote(self.path)}"
        reason = reason or f"There is no index at {self.path}."
        super().__init__(f"{reason} Build one with: {self.command}")


class IndexEmpty(IndexMissing):
    """The index exists but holds no document: nothing to search yet."""

    def __init__(self, path: str | PathLike) -> None:
        super().__init__(path, f"The index at {path} holds no document yet.")


class IndexVersionMismatch(BahthError):
    """The index was built by another analyzer version than the code's: rebuild it."""


class IndexDamaged(BahthError):
    """The index's files cannot be read (a table of contents, a segment or bahth.json that is
    empty, cut short, garbled or gone). Nothing in bahth can mend it; the sources can rebuild
    it, and the message (and ``command``, for a web page) says how."""

    def __init__(self, path: str | PathLike, what: str) -> None:
        self.path = str(path)
        self.what = what
        self.command = f"bahth index --rebuild PATH... --index {shlex.quote(self.path)}"
        super().__init__(
            f"The index at {self.path} is damaged: {what}. Rebuild it from its sources: "
            f"{self.command}"
        )


class IndexWriteFailed(BahthError):
    """Writing the index failed for a reason outside bahth (a full disk, a read-only or
    forbidden folder, an indexing worker killed): the run was undone, the last commit is
    intact, and the message says what happened and what to do."""


class AnalysisMismatch(BahthError):
    """An existing index was asked to take documents analyzed another way: rebuild it.
    ``command`` is the rebuild command the message gives (the CLI puts the user's own
    command line, with --rebuild, in its place)."""

    def __init__(self, message: str, command: str | None = None) -> None:
        self.command = command
        super().__init__(message)


class SourceError(BahthError):
    """A source path cannot be read at all (missing path, unknown file type)."""


class SearchTimeout(BahthError):
    """A search ran past the time limit its caller gave it, and was stopped. ``seconds`` is
    the limit; ``stage`` names the work under way (for a log line, not for the user)."""

    def __init__(self, seconds: float, stage: str = "") -> None:
        self.seconds = seconds
        self.stage = stage
        super().__init__(
            f"The query took longer than {seconds:g} s and was stopped. Narrow it: fewer words, "
            "more letters before *, fewer ~ words, or a filter such as source: or year:."
        )


class SearchBusy(SearchTimeout):
    """An expensive query (search/admission.py) met another one running in the same server
    process and was stopped before its expensive part, rather than run slowly beside it:
    try again in a moment. A SearchTimeout (the same 503 and exit status), with its
    ``seconds`` and ``stage``."""

    def __init__(self, seconds: float, stage: str = "") -> None:
        self.seconds = seconds
        self.stage = stage
        BahthError.__init__(
            self,
            "Another broad query is running here, so this one was stopped before its broad "
            "part. Try again in a moment, or narrow it: fewer words with * or ~, more letters "
            "before *, a shorter phrase, or a filter such as source: or year:.",
        )


class BackendUnavailable(BahthError):
    """A node of a cluster backend did not answer. ``nodes`` name each one (``node 2
    (host:port)``); the message says what could not be done and that nothing indexed was
    lost."""

    def __init__(self, nodes: list[str], doing: str) -> None:
        self.nodes = list(nodes)
        named = ", ".join(self.nodes)
        verb = "does" if len(self.nodes) == 1 else "do"
        super().__init__(
            f"{named} {verb} not answer: {doing}. Nothing already indexed is lost; start "
            f"{'it' if len(self.nodes) == 1 else 'them'} (bahth cluster start DIR --node K) "
            "and run the command again."
        )


class BackendError(BahthError):
    """The search engine behind a backend URL refused a request (its own message follows)."""


class ExtraMissing(BahthError):
    """A feature needs a package that one of bahth's extras installs, and it is not installed
    (bahth's own requirements leave it out, so an app that never uses the feature does not
    get it). The message names the extra to install; ``package`` and ``extra`` say it too."""

    def __init__(self, where: str, feature: str, package: str, extra: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(f'{where}: {feature} needs {package}: pip install "bahth[{extra}]"')
