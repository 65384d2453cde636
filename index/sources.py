"""Read documents from files: ``.txt``, ``.jsonl``, ``.jsonl.gz``, ``.csv`` and folders of them.

No Whoosh here: this module turns bytes on disk into ``Document`` values, and every piece of
input it cannot use into a ``Failure`` that names the file (or ``file:line``) and the reason.
Bad input never raises: one broken line must not cost the rest of a corpus. Only a usage
error (a path that does not exist, a file type bahth cannot read) raises ``SourceError``,
before anything is read.

Formats:
* ``.txt``: the seeds' format. id = file name without ``.txt``; title = first non-empty
  line; text = the rest.
* ``.jsonl`` / ``.jsonl.gz``: one JSON object per line with ``id``, ``title``, ``text`` and
  optional ``source``, ``date``, ``url`` (other keys are ignored).
* ``.csv``: a header row with the same column names.
* folders: every file of those types inside, recursively, in sorted order (hidden files and
  folders are skipped), so two runs over the same tree read the same sequence. A link back
  to a folder the walk is already in (``ln -s .. sub/up``) is a named failure, not a loop.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from os import PathLike
from pathlib import Path

from bahth.index.errors import SourceError

SUFFIXES = (".jsonl.gz", ".jsonl", ".csv", ".txt")
_DATE_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d", "%d/%m/%Y", "%Y-%m", "%Y")
csv.field_size_limit(2**31 - 1)  # a news article is one CSV cell; the default limit is 128 KB


def parse_date(value: object) -> datetime | None:
    """An ISO-ish date ("2015-07-21 10:00:00", "2015-07-21", "2015-07-21T10:00:00Z") as a
    naive UTC datetime; None when there is none or it cannot be read (a bad date is not worth
    losing a document for)."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        parsed = None
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            for fmt in _DATE_FORMATS:
                try:
                    parsed = datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
        if parsed is None:
            return None
    else:
        return None
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
        except OverflowError:  # 0001-01-01T00:00:00+05:00 is in year 0 in UTC
            return None
    return parsed


def check_id(doc_id: str) -> str:
    """``doc_id`` if a document can carry it; else ValueError saying why.

    Refused is only what cannot be represented: an empty id, and ``.`` and ``..``, which no
    link can carry (a URL path segment ``.`` or ``..``, even percent-encoded, means "this
    folder" or "the one above" to browsers and the URL standard). Everything else (slashes,
    newlines, ``//x.example``) is a valid id; the web encodes it in its links.
    """
    if not doc_id:
        raise ValueError("no id")
    if doc_id in (".", ".."):
        raise ValueError(
            f"id {doc_id!r} cannot be used: no link can carry it (it means this folder or the "
            "one above); give the document another id"
        )
    return doc_id


def _optional_text(record: dict, key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise ValueError(f"{key} is not text")
    value = str(value).strip()
    return value or None


@dataclass(frozen=True)
class Document:
    """One document as bahth indexes it. ``origin`` is the file it was read from (absolute
    path), which ``--prune`` uses to notice documents whose file is gone."""

    id: str
    title: str
    text: str
    source: str | None = None
    date: datetime | None = None
    url: str | None = None
    origin: str | None = None
    where: str | None = None  # to name it in a message: ``file:line``, or the .txt file

    def content_hash(self) -> str:
        """A digest of everything the index stores about the document except where it was
        read from: equal hashes mean a reindex can leave the document alone."""
        digest = hashlib.blake2b(digest_size=16)
        date = self.date.isoformat() if self.date else ""
        for part in (self.title, self.text, self.source or "", date, self.url or ""):
            data = part.encode("utf-8", "surrogatepass")
            digest.update(len(data).to_bytes(8, "little"))
            digest.update(data)
        return digest.hexdigest()

    @classmethod
    def from_dict(
        cls, record: dict, origin: str | None = None, where: str | None = None
    ) -> Document:
        """Build a document from a JSON/CSV record; ValueError says what is wrong with it."""
        if not isinstance(record, dict):
            raise ValueError("not a JSON object")
        raw_id = record.get("id")
        if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)):
            raise ValueError("no id" if raw_id in (None, "") else "id is not text or a number")
        doc_id = check_id(str(raw_id).strip())
        title = _optional_text(record, "title") or ""
        text = record.get("text")
        if text is not None and not isinstance(text, str):
            raise ValueError("text is not text")
        text = (text or "").strip()
        if not title and not text:
            raise ValueError(f"document {doc_id!r} has no title and no text")
        return cls(
            id=doc_id,
            title=title,
            text=text,
            source=_optional_text(record, "source"),
            date=parse_date(record.get("date")),
            url=_optional_text(record, "url"),
            origin=origin,
            where=where,
        )


@dataclass(frozen=True)
class Failure:
    """Input that was skipped: ``where`` is ``path`` or ``path:line``; ``reason`` says why."""

    where: str
    reason: str


def source_type(path: Path) -> str | None:
    """The suffix bahth reads ``path`` as, or None for a file type it does not read."""
    name = path.name.lower()
    return next((suffix for suffix in SUFFIXES if name.endswith(suffix)), None)


def read_sources(paths: Iterable[str | PathLike]) -> Iterator[Document | Failure]:
    """Every document (and every failure) in ``paths``, in order.

    Checks all paths first and raises SourceError for one that does not exist or is not a
    type bahth reads, so a typo fails at once rather than after an hour of indexing.
    """
    checked = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise SourceError(f"{raw}: no such file or folder.")
        if path.is_file() and source_type(path) is None:
            raise SourceError(
                f"{raw}: bahth reads {', '.join(reversed(SUFFIXES))} files and folders of them."
            )
        checked.append(path)
    return _read_all(checked)


def _read_all(paths: list[Path]) -> Iterator[Document | Failure]:
    seen: set[str] = set()  # a file named twice (seeds/ and seeds/a.txt) is read once
    for path in paths:
        for file in _files(path):
            if isinstance(file, Failure):  # a folder that cannot be listed, a loop
                yield file
                continue
            key = os.path.abspath(file)
            if key in seen:
                continue
            seen.add(key)
            yield from read_file(file)


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
        yield Failure(str(path), f"cannot list folder: {error.strerror or error}")
        return
    folder = (status.st_dev, status.st_ino)
    if folder in above:
        yield Failure(str(path), "a link back to a folder above it (a loop)")
        return
    above = above | {folder}
    for entry in entries:
        if entry.name.startswith("."):
            continue
        child = Path(entry.path)
        try:
            is_dir, is_file = entry.is_dir(), entry.is_file()
        except OSError as error:
            yield Failure(str(child), f"cannot read: {error.strerror or error}")
            continue
        if is_dir:
            yield from _files(child, above)
        elif is_file and source_type(child) is not None:
            yield child


def read_file(path: Path | Failure) -> Iterator[Document | Failure]:
    """The documents in one file (a Failure passes through unchanged)."""
    if isinstance(path, Failure):
        yield path
        return
    kind = source_type(path)
    origin = os.path.abspath(path)
    try:
        if kind == ".txt":
            yield _read_txt(path, origin)
        elif kind == ".csv":
            yield from _read_csv(path, origin)
        else:
            yield from _read_jsonl(path, origin, gzipped=kind == ".jsonl.gz")
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


def _read_jsonl(path: Path, origin: str, gzipped: bool) -> Iterator[Document | Failure]:
    opener = gzip.open if gzipped else open
    records = 0
    number = 0
    with opener(path, "rb") as stream:
        try:
            for number, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                records += 1
                where = f"{path}:{number}"
                try:
                    record = json.loads(line.decode("utf-8-sig" if number == 1 else "utf-8"))
                except UnicodeDecodeError:
                    yield Failure(where, "not UTF-8 text")
                    continue
                except ValueError as error:
                    yield Failure(where, f"not JSON ({error})")
                    continue
                try:
                    yield Document.from_dict(record, origin, where)
                except ValueError as error:
                    yield Failure(where, str(error))
        except (EOFError, gzip.BadGzipFile, zlib.error) as error:
            yield Failure(f"{path}:{number + 1}", f"broken gzip data ({error})")
            return
    if not records:
        yield Failure(str(path), "empty file")


def _read_csv(path: Path, origin: str) -> Iterator[Document | Failure]:
    with open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")
        reader = csv.DictReader(text)
        try:
            if reader.fieldnames is None:
                yield Failure(str(path), "empty file")
                return
            if "id" not in reader.fieldnames:
                yield Failure(str(path), "no 'id' column in the header row")
                return
            for row in reader:
                where = f"{path}:{reader.line_num}"
                if None in row:
                    yield Failure(where, "more cells than the header row has columns")
                    continue
                try:
                    yield Document.from_dict(row, origin, where)
                except ValueError as error:
                    yield Failure(where, str(error))
            if reader.line_num <= 1:
                yield Failure(str(path), "no rows after the header")
        except UnicodeDecodeError:
            yield Failure(f"{path}:{reader.line_num + 1}", "not UTF-8 text")
        except csv.Error as error:
            yield Failure(f"{path}:{reader.line_num}", f"not valid CSV ({error})")
