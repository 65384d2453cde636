"""Read documents from files: ``.txt``, ``.jsonl``, ``.jsonl.gz``, ``.csv`` and folders of them.

No Whoosh here: this module turns bytes on disk into ``Document`` values, and every piece of
input it cannot use into a ``Failure`` that names the file (or ``file:line``) and the reason.
Bad input never raises: one broken line must not cost the rest of a corpus. Only a usage
error (a path that does not exist, a file type bahth cannot read) raises ``SourceError``,
before anything is read.

Formats:
* ``.txt``: the seeds' format. id = file name without ``.txt``; title = first non-empty
  line; text = the rest.
* ``.jsonl`` / ``.jsonl.gz``: one JSON object per line with ``id``, ``title``, ``text`` (or the
  keys an ``InputMapping`` names); every other key is kept as given in ``Document.fields``
  (``source``, ``date``, ``url`` are also read into their attributes, for the default fields).
* ``.csv``: a header row with the same column names.
* ``-``: standard input, in the format the caller names (jsonl or csv).
* folders: every file of those types inside, recursively, in sorted order (hidden files and
  folders are skipped), so two runs over the same tree read the same sequence. A link back
  to a folder the walk is already in (``ln -s .. sub/up``) is a named failure, not a loop.

A record becomes a Document by index/documents.py's rules (what a record may hold).
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import sys
import zlib
from collections.abc import Iterable, Iterator
from os import PathLike
from pathlib import Path

from bahth.index.documents import (
    DEFAULT_MAPPING,
    Document,
    Failure,
    InputMapping,
    RepeatedKey,
    check_id,
    json_record,
    parse_date,
    too_deep,
)
from bahth.index.errors import SourceError

SUFFIXES = (".jsonl.gz", ".jsonl", ".csv", ".txt")
STDIN = "-"
STDIN_FORMATS = ("jsonl", "csv")
csv.field_size_limit(2**31 - 1)  # a news article is one CSV cell; the default limit is 128 KB
__all__ = ["Document", "Failure", "InputMapping", "check_id", "parse_date", "read_sources"]


def shown_path(path: str | PathLike) -> str:
    """``path`` as text that can be written out: a byte of its name that is not UTF-8 (which
    Python holds as a lone surrogate) shown as ``\\xff``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def source_type(path: Path) -> str | None:
    """The suffix bahth reads ``path`` as, or None for a file type it does not read."""
    name = path.name.lower()
    return next((suffix for suffix in SUFFIXES if name.endswith(suffix)), None)


def read_sources(
    paths: Iterable[str | PathLike],
    mapping: InputMapping = DEFAULT_MAPPING,
    stdin_format: str | None = None,
) -> Iterator[Document | Failure]:
    """Every document (and every failure) in ``paths``, in order; ``-`` is standard input,
    read as ``stdin_format`` (jsonl or csv).

    Checks all paths first and raises SourceError for one that does not exist or is not a
    type bahth reads, so a typo fails at once rather than after an hour of indexing.
    """
    checked: list[Path | str] = []
    named = [str(raw) for raw in paths]
    if stdin_format is not None and stdin_format not in STDIN_FORMATS:
        raise SourceError(f"--format {stdin_format}: use one of {', '.join(STDIN_FORMATS)}.")
    if stdin_format is not None and STDIN not in named:
        raise SourceError("--format is for standard input: give - as the PATH to read it.")
    for raw in paths:
        if str(raw) == STDIN:
            if stdin_format is None:
                raise SourceError("- reads standard input: say its format with --format jsonl|csv.")
            if STDIN in checked:
                raise SourceError("- (standard input) can be read once: give it once.")
            checked.append(STDIN)
            continue
        path = Path(raw)
        if not path.exists():
            raise SourceError(f"{raw}: no such file or folder.")
        if path.is_file() and source_type(path) is None:
            raise SourceError(
                f"{raw}: bahth reads {', '.join(reversed(SUFFIXES))} files and folders of them."
            )
        checked.append(path)
    return _read_all(checked, mapping, stdin_format)


def _read_all(
    paths: list[Path | str], mapping: InputMapping, stdin_format: str | None
) -> Iterator[Document | Failure]:
    seen: set[str] = set()  # a file named twice (seeds/ and seeds/a.txt) is read once
    for path in paths:
        if path == STDIN:
            yield from _read_stdin(stdin_format or "jsonl", mapping)
            continue
        for file in _files(path):
            if isinstance(file, Failure):  # a folder that cannot be listed, a loop
                yield file
                continue
            key = os.path.abspath(file)
            if key in seen:
                continue
            seen.add(key)
            yield from read_file(file, mapping)


def _files(path: Path, above: frozenset = frozenset()) -> Iterator[Path | Failure]:
    """The files to read under ``path``; ``above``: the folders the walk is in (device,
    inode), so that a link back to one of them is skipped instead of followed forever."""
    if not path.is_dir():
        yield path
        return
    try:
        status = path.stat()
        entries = sorted(os.scandir(path), key=lambda entry: entry.name)
    except OSError as error:
        yield Failure(shown_path(path), f"cannot list folder: {error.strerror or error}")
        return
    folder = (status.st_dev, status.st_ino)
    if folder in above:
        yield Failure(shown_path(path), "a link back to a folder above it (a loop)")
        return
    above = above | {folder}
    for entry in entries:
        if entry.name.startswith("."):
            continue
        child = Path(entry.path)
        try:
            is_dir, is_file = entry.is_dir(), entry.is_file()
        except OSError as error:
            yield Failure(shown_path(child), f"cannot read: {error.strerror or error}")
            continue
        if is_dir:
            yield from _files(child, above)
        elif is_file and source_type(child) is not None:
            yield child


def _read_stdin(kind: str, mapping: InputMapping) -> Iterator[Document | Failure]:
    """Standard input as one JSONL or CSV file named ``<stdin>``. Its documents have no
    origin: ``--prune`` never deletes them for a file that is gone."""
    stream = sys.stdin.buffer
    if kind == "csv":
        yield from _csv_records(stream, "<stdin>", None, mapping)
    else:
        yield from _jsonl_records(stream, "<stdin>", None, mapping)


def read_file(
    path: Path | Failure, mapping: InputMapping = DEFAULT_MAPPING
) -> Iterator[Document | Failure]:
    """The documents in one file (a Failure passes through unchanged)."""
    if isinstance(path, Failure):
        yield path
        return
    named = shown_path(path)
    if named != str(path):
        yield Failure(named, "its name is not UTF-8 text, which bahth cannot record: rename it")
        return
    kind = source_type(path)
    origin = os.path.abspath(path)
    try:
        if kind == ".txt":
            yield _read_txt(path, origin)
        elif kind == ".csv":
            with open(path, "rb") as raw:
                yield from _csv_records(raw, str(path), origin, mapping)
        else:
            opener = gzip.open if kind == ".jsonl.gz" else open
            with opener(path, "rb") as stream:
                yield from _jsonl_records(stream, str(path), origin, mapping)
    except OSError as error:
        yield Failure(str(path), f"cannot read: {error.strerror or error}")


def _read_txt(path: Path, origin: str) -> Document | Failure:
    data = path.read_bytes()
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return Failure(str(path), f"not UTF-8 text (bad byte at offset {error.start})")
    if not content.strip():
        return Failure(str(path), "empty file")
    title, _, text = content.strip().partition("\n")
    try:
        doc_id = check_id(path.name[: -len(".txt")].strip())
    except ValueError as error:
        return Failure(str(path), f"{error} (a .txt file's id is its name)")
    return Document(
        id=doc_id, title=title.strip(), text=text.strip(), origin=origin, where=str(path)
    )


def _jsonl_records(
    stream, path: str, origin: str | None, mapping: InputMapping
) -> Iterator[Document | Failure]:
    records = 0
    number = 0
    try:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            records += 1
            where = f"{path}:{number}"
            try:
                record = json_record(line.decode("utf-8-sig" if number == 1 else "utf-8"))
            except UnicodeDecodeError:
                yield Failure(where, "not UTF-8 text")
                continue
            except RecursionError:  # nested about 1,000 deep: json gives up before we count
                yield Failure(where, too_deep())
                continue
            except RepeatedKey as error:
                yield Failure(where, str(error))
                continue
            except ValueError as error:
                yield Failure(where, f"not JSON ({error})")
                continue
            try:
                yield Document.from_dict(record, origin, where, mapping)
            except ValueError as error:
                yield Failure(where, str(error))
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        yield Failure(f"{path}:{number + 1}", f"broken gzip data ({error})")
        return
    if not records:
        yield Failure(str(path), "empty file")


def _csv_records(
    raw, path: str, origin: str | None, mapping: InputMapping
) -> Iterator[Document | Failure]:
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")
    # strict: a quote never closed is an error, not a cell holding the rest of the file
    reader = csv.DictReader(text, strict=True)
    try:
        if reader.fieldnames is None:
            yield Failure(str(path), "empty file")
            return
        if mapping.id not in reader.fieldnames:
            yield Failure(str(path), f"no {mapping.id!r} column in the header row")
            return
        named = [name for name in reader.fieldnames if name.strip()]
        twice = [name for name in dict.fromkeys(named) if named.count(name) > 1]
        if twice:  # a row would keep the last column's cell and lose the others unsaid
            yield Failure(
                str(path),
                f"the header row names the column {twice[0]!r} {named.count(twice[0])} times: "
                "a row can hold one value under a name; rename or remove the others",
            )
            return
        lines = reader.reader  # its line count is the csv module's, kept on an error too
        while True:
            start = lines.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                if "end of data" in str(error):
                    end = lines.line_num
                    span = f" (lines {start} to {end})" if end > start else ""
                    yield Failure(
                        f"{path}:{start}",
                        f"a quote opened on this line is never closed, so the rest of the "
                        f"file{span} is one cell: close the quote (a quote inside a cell is "
                        "written as two) and index it again",
                    )
                    break
                yield Failure(f"{path}:{lines.line_num}", f"not valid CSV ({error})")
                continue
            where = f"{path}:{reader.line_num}"
            if None in row:
                yield Failure(where, "more cells than the header row has columns")
                continue
            try:
                yield Document.from_dict(row, origin, where, mapping)
            except ValueError as error:
                yield Failure(where, str(error))
        if lines.line_num <= 1:
            yield Failure(str(path), "no rows after the header")
    except UnicodeDecodeError:
        yield Failure(f"{path}:{reader.line_num + 1}", "not UTF-8 text")
    except csv.Error as error:  # in the header row
        yield Failure(f"{path}:{reader.reader.line_num}", f"not valid CSV ({error})")
    finally:
        text.detach()  # the caller closes its own stream (standard input stays open)
