"""Why a write failed, said in one line: what happened, that nothing was committed, what to do.

Writing an index fails for reasons outside bahth: the disk fills up, the folder is read-only
or not ours to write, the kernel kills a worker process for memory. By the time one of these
messages is built, the run has been undone (workers stopped, its files removed), so every
message can say that the last commit is intact and that running again is safe. The space
free when a disk filled up is noted on the error where it is first caught, before the undoing
frees the run's files (``note_free_space``); the message gives both figures.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from bahth.index.errors import IndexWriteFailed
from bahth.index.whoosh.workers import WorkerFailed

UNDONE = "nothing of this run was committed"
FULL = (errno.ENOSPC, errno.EDQUOT)
FREE_WHEN_FAILED = "bahth_free_bytes"  # noted on the OSError by note_free_space
_SIGKILL = 9


def write_failure(error: OSError | WorkerFailed, folder: Path) -> IndexWriteFailed:
    """The one-line error for ``error``, met while writing in ``folder``."""
    if isinstance(error, WorkerFailed):
        if error.signal_number == _SIGKILL:
            return IndexWriteFailed(
                f"an indexing worker process was killed (signal 9, out of memory?): {UNDONE}; "
                "run it again (index fewer files at a time if memory is short)."
            )
        return IndexWriteFailed(f"{error}: {UNDONE}; run it again.")
    where = error.filename or folder
    if error.errno in FULL:
        what = "disk full" if error.errno == errno.ENOSPC else "disk quota exceeded"
        after = f"{_mb(_free_bytes(folder))} MB once this run's files were removed"
        when = getattr(error, FREE_WHEN_FAILED, None)
        free = f"{_mb(when)} MB free when it failed, {after}" if when is not None else after
        return IndexWriteFailed(
            f"{what} while writing {where} ({free}): {UNDONE}; free space and run it again."
        )
    if error.errno == errno.EROFS:
        return IndexWriteFailed(
            f"cannot write {where}: the file system is read-only: {UNDONE}; index into a "
            "writable folder (--index DIR) or remount it read-write."
        )
    if error.errno in (errno.EACCES, errno.EPERM):
        return IndexWriteFailed(
            f"cannot write {where}: permission denied: {UNDONE}; index into a folder you may "
            "write (--index DIR)."
        )
    return IndexWriteFailed(f"cannot write {where}: {error.strerror or error}: {UNDONE}.")


def note_free_space(error: BaseException, folder: Path) -> None:
    """Note on a full disk's error the space free when it was met, before the run is undone:
    undoing it removes the run's files, so the space measured then is the space the run
    had filled too (a run that filled a 20 MB disk said "21.0 MB free"). Called where each
    failure is first caught; the first note stays."""
    if isinstance(error, OSError) and error.errno in FULL:
        if getattr(error, FREE_WHEN_FAILED, None) is None:
            setattr(error, FREE_WHEN_FAILED, _free_bytes(folder))


def _free_bytes(folder: Path) -> int | None:
    """Free space on the folder's file system (None when no folder up the path answers)."""
    for candidate in (folder, *folder.parents):
        try:
            return shutil.disk_usage(candidate).free
        except OSError:
            continue
    return None


def _mb(free: int | None) -> str:
    return "?" if free is None else f"{free / 1e6:,.1f}"
