"""A damaged index said in one line: which file is wrong, and the command that rebuilds it.

Whoosh reports a table of contents or segment file that is empty, cut short, garbled or gone
with whatever its reading code meets first: TypeError on an empty table of contents,
UnpicklingError or struct.error on a truncated one, EOFError on a truncated segment (which
click turns into a bare "Aborted!"), FileNotFoundError on a missing one. Those exceptions,
and only those, are turned into ``IndexDamaged`` where the index's files are opened: the
table of contents, each segment's directory and term index (a segment is one compound file
whose directory is at its end, so a truncated segment fails here, before any search).
Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, FileIndex

from bahth.index.errors import IndexDamaged
from bahth.index.whoosh.generations import CORRUPT_FILE_ERRORS, INDEX_NAME, newest_toc


def diagnose(folder: Path) -> str | None:
    """The first thing wrong with a generation's Whoosh files, or None when all open."""
    from whoosh.reading import SegmentReader

    toc_number = newest_toc(folder)
    if toc_number < 0:
        return f"{folder.name} has no table of contents (_{INDEX_NAME}_N.toc)"
    toc_name = f"_{INDEX_NAME}_{toc_number}.toc"
    storage = FileStorage(str(folder))
    try:
        toc = TOC.read(storage, INDEX_NAME, toc_number)
    except CORRUPT_FILE_ERRORS as error:
        problem = _problem(folder / toc_name, error)
        return f"its table of contents {folder.name}/{toc_name} {problem}"
    for segment in toc.segments:
        name = segment.make_filename(".seg") if segment.is_compound() else segment.segment_id()
        try:
            SegmentReader(storage, toc.schema, segment).close()
        except CORRUPT_FILE_ERRORS as error:
            return f"segment file {folder.name}/{name} {_problem(folder / name, error)}"
    return None


def _problem(path: Path, error: BaseException) -> str:
    if isinstance(error, FileNotFoundError) or not path.exists():
        return "is missing"
    if path.is_file() and path.stat().st_size == 0:
        return "is empty"
    return f"is cut short or garbled ({type(error).__name__}: {error})"


@contextmanager
def reading(index: Path, folder: Path) -> Iterator[None]:
    """Turn what a damaged file raises inside the block into IndexDamaged."""
    try:
        yield
    except CORRUPT_FILE_ERRORS as error:
        detail = f"{type(error).__name__}: {error}"
        what = diagnose(folder) or f"{folder.name} cannot be read ({detail})"
        raise IndexDamaged(index, what) from error


class CheckedIndex(FileIndex):
    """Whoosh's FileIndex for one generation folder, whose table of contents and segment
    readers raise IndexDamaged when their files are damaged. ``index`` is the index folder
    the user named (the one the rebuild command needs)."""

    def __init__(self, index: Path, folder: Path) -> None:
        self.index_path = index
        with reading(index, folder):
            super().__init__(FileStorage(str(folder)), indexname=INDEX_NAME)

    def reading(self):
        return reading(self.index_path, Path(self.storage.folder))

    def _read_toc(self):
        with self.reading():
            return super()._read_toc()

    def reader(self, reuse=None):
        with self.reading():
            return super().reader(reuse)
