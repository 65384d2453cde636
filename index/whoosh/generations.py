"""The generation folders of one index folder: which one is live, which are dead, which to keep.

Layout: ``DIR/current`` links to the live ``DIR/gen-NNNN/`` (a Whoosh index and bahth.json).
A generation is in one of three states, read from its bahth.json:

* **complete**: its bahth.json reads and carries no ``building`` mark. A new generation is
  marked ``building`` when it is created and the mark is cleared just before ``current`` is
  swapped to it, after its last commit.
* **abandoned**: still marked ``building`` (or an empty folder) while nobody holds the write
  lock: a rebuild that was killed. Nothing can ever finish it, so the next writer removes it.
* **damaged**: its bahth.json is missing or unreadable. bahth never deletes one it was not
  asked to replace, and never adopts one.

Why: a backup tool that skips symbolic links loses ``current``, and a killed rebuild leaves a
generation as large as the index behind. Telling these apart is what lets a writer adopt the
live generation whose link was lost (instead of building a new index and deleting the old
one, as it once did) and remove a dead build (instead of keeping it until the next rebuild).
"""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import struct
import zlib
from pathlib import Path

import whoosh.index

from bahth.index.errors import BahthError

# What reading a damaged file raises (unpickling garbage can raise any of the builtin ones).
CORRUPT_FILE_ERRORS: tuple[type[BaseException], ...] = (
    EOFError,
    struct.error,
    zlib.error,
    pickle.UnpicklingError,
    TypeError,
    ValueError,
    IndexError,
    KeyError,
    AttributeError,
    ImportError,
    OverflowError,
    AssertionError,  # Whoosh asserts the table of contents' number matches its file name
    FileNotFoundError,
    whoosh.index.IndexError,  # Whoosh's own: "created on different architecture"
)

CURRENT = "current"
META = "bahth.json"
BUILDING = "building"
COMPLETE, ABANDONED, DAMAGED = "complete", "abandoned", "damaged"
INDEX_NAME = "MAIN"  # Whoosh's index name inside a generation folder
_GENERATION = re.compile(r"^gen-(\d+)$")
_TOC = re.compile(r"^_MAIN_(\d+)\.toc$")
# What a bahth index folder may hold (lost+found: the root of a filesystem made for it).
_OURS = re.compile(r"^(current|write\.lock|gen-\d+|\.current-\S+|lost\+found)$")
# Files a writer makes and renames or removes when it ends well: Whoosh's temporary folder,
# a table of contents before its rename, bahth.json before its rename.
_TEMPORARY = re.compile(r"^(MAIN\.tmp|_MAIN_\d+\.toc\..+|\.bahth\.json\..+)$")


def read_meta(folder: Path) -> dict | None:
    """A generation's bahth.json, or None when it is missing or unreadable."""
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def write_meta(folder: Path, meta: dict) -> None:
    """Replace bahth.json in one rename, so a reader never sees half of it."""
    temporary = folder / f".{META}.{os.getpid()}"
    try:
        temporary.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(temporary, folder / META)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def number(folder: Path) -> int:
    match = _GENERATION.match(folder.name)
    return int(match.group(1)) if match else -1


def generations(index: Path) -> list[Path]:
    """Every generation folder, oldest first."""
    try:
        names = os.listdir(index)
    except OSError:
        return []
    found = [index / name for name in names if _GENERATION.match(name)]
    return sorted((folder for folder in found if folder.is_dir()), key=number)


def state(folder: Path) -> str:
    """COMPLETE, ABANDONED or DAMAGED (see the module's docstring)."""
    meta = read_meta(folder)
    if meta is None:
        try:
            return ABANDONED if not os.listdir(folder) else DAMAGED
        except OSError:
            return DAMAGED
    return ABANDONED if meta.get(BUILDING) else COMPLETE


def linked(index: Path) -> Path | None:
    """The generation ``current`` links to, or None when the link is missing or dangling."""
    try:
        target = os.readlink(index / CURRENT)
    except OSError:
        return None
    folder = index / target
    return folder if folder.is_dir() else None


def newest(index: Path) -> Path | None:
    """The newest generation that is not an abandoned build: the live one when the link is
    lost (a swap always goes to a newer number)."""
    for folder in reversed(generations(index)):
        if state(folder) != ABANDONED:
            return folder
    return None


def live(index: Path) -> Path | None:
    """The folder readers open: the linked generation, else the newest one not abandoned."""
    return linked(index) or newest(index)


def abandoned(index: Path) -> list[Path]:
    """Generations left by builds that did not finish (valid only under the write lock)."""
    return [folder for folder in generations(index) if state(folder) == ABANDONED]


def replaced(index: Path, previous: Path | None) -> list[Path]:
    """Generations replaced before ``previous`` was: those older than it. (When there was no
    previous generation, none: a generation that was never replaced is never deleted.)"""
    if previous is None:
        return []
    return [folder for folder in generations(index) if number(folder) < number(previous)]


def relink(index: Path, folder: Path) -> None:
    """Point ``current`` at ``folder`` in one rename."""
    temporary = index / f".{CURRENT}-{os.getpid()}"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    os.symlink(folder.name, temporary)
    try:
        os.replace(temporary, index / CURRENT)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def remove(folder: Path) -> None:
    """Delete a generation, bahth.json last: if the removal stops half-way (a read-only
    file, a crash), what is left still carries its mark and is removed next time."""
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return
    for entry in entries:
        if entry.name == META:
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            _unlink(Path(entry.path))
    _unlink(folder / META)
    try:
        folder.rmdir()
    except OSError:
        pass


def size(folder: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def has_toc(folder: Path) -> bool:
    """Does the generation hold a table of contents (a committed Whoosh index)?"""
    return newest_toc(folder) >= 0


def newest_toc(folder: Path) -> int:
    """The number of the newest table of contents (-1: none)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return -1
    return max((int(m.group(1)) for m in map(_TOC.match, names) if m), default=-1)


def discard_uncommitted(folder: Path) -> None:
    """Remove what no committed table of contents references: segment files of a run that
    failed or was killed, and writers' temporary files. When the table of contents cannot be
    read, nothing is touched: without it there is no telling what belongs to the index."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import TOC, clean_files

    storage = FileStorage(str(folder))
    generation = newest_toc(folder)
    if generation < 0:
        return
    try:
        toc = TOC.read(storage, INDEX_NAME, generation)
    except CORRUPT_FILE_ERRORS:
        return
    clean_files(storage, INDEX_NAME, generation, toc.segments)  # Whoosh's own, after a commit
    for name in os.listdir(folder):
        if _TEMPORARY.match(name):
            path = folder / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                _unlink(path)


def strangers(index: Path) -> list[str]:
    """Names in ``index`` that a bahth index folder does not hold."""
    try:
        return sorted(name for name in os.listdir(index) if not _OURS.match(name))
    except FileNotFoundError:
        return []


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass  # gone already, or e.g. a read-only file system: left for the next writer


# ---- what a writer does with them (under the write lock) ------------------------------


def recover(path: Path) -> list[str]:
    """Under the write lock nobody else is writing: a generation still marked building
    is a dead build, files no commit references are a dead run's, and a lost link to
    the live generation can be put back. Says what it did, one line each."""
    done = []
    for folder in abandoned(path):
        megabytes = size(folder) / 1e6
        remove(folder)
        done.append(
            f"removed {folder}, left by an indexing run that did not finish ({megabytes:,.1f} MB)"
        )
    link = path / CURRENT
    if linked(path) is None:
        if link.exists() and not link.is_symlink():
            raise BahthError(
                f"{link} should be a link to the live generation but is not: move it out "
                f"of the way (mv {link} {path}.old-current) and run again."
            )
        found = newest(path)
        if found is not None and state(found) == COMPLETE:
            relink(path, found)
            done.append(
                f"{link} was missing or pointed nowhere: it points to {found.name} again, "
                "the newest complete generation"
            )
    current = live(path)
    if current is not None:
        discard_uncommitted(current)
    return done


def refuse_strangers(path: Path) -> None:
    """A folder that holds anything but a bahth index is refused before anything is
    written into it (``--index /etc`` must not leave /etc/write.lock behind)."""
    if path.exists() and not path.is_dir():
        raise BahthError(f"{path} is a file: choose a new or empty folder for the index.")
    found = strangers(path)
    if found:
        raise BahthError(
            f"{path} is not a bahth index folder (it holds {found[0]!r}): "
            "choose a new or empty folder for the index."
        )


def next_generation(path: Path) -> Path:
    """The folder for a new generation: numbered above every generation there."""
    path.mkdir(parents=True, exist_ok=True)
    refuse_strangers(path)
    numbers = [number(folder) for folder in generations(path)]
    return path / f"gen-{max(numbers, default=0) + 1:04d}"


def swap(path: Path, new: Path) -> None:
    """Make ``new`` the current generation atomically. The generation it replaces may
    still have readers and is kept; those it had replaced are removed. None other: a
    generation that was never replaced is never deleted."""
    previous = linked(path)
    relink(path, new)
    for folder in replaced(path, previous):
        remove(folder)
