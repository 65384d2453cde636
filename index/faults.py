"""Why a write failed, said in one line: what happened, that nothing was committed, what to do.

Writing an index fails for reasons outside bahth: the disk fills up, the folder is read-only
or not ours to write, the kernel kills a worker process for memory. By the time one of these
messages is built, the run has been undone (workers stopped, its files removed), so every
message can say that the last commit is intact and that running again is safe.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from bahth.index.errors import IndexWriteFailed
from bahth.index.fastwrite import WorkerFailed

UNDONE = "nothing of this run was committed"
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
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        what = "disk full" if error.errno == errno.ENOSPC else "disk quota exceeded"
        return IndexWriteFailed(
            f"{what} while writing {where} ({_free_mb(folder)} MB free): {UNDONE}; "
            "free space and run it again."
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


def _free_mb(folder: Path) -> str:
    """Free space on the folder's file system, in MB (after the run's files were removed)."""
    for candidate in (folder, *folder.parents):
        try:
            return f"{shutil.disk_usage(candidate).free / 1e6:,.1f}"
        except OSError:
            continue
    return "?"
