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

What a record holds must be something bahth can write back out (to the index, a JSON answer,
a terminal), so reading it applies three rules, to every key and value (``_readable``):
* a lone surrogate (half of a UTF-16 pair, from a JSON escape such as ``\\ud83d``), which no
  UTF-8 text can hold, is replaced with U+FFFD, and the run says so (``Document.repairs``);
* a number JSON cannot carry (``NaN``, ``Infinity``, ``1e400``) is kept as the text it was
  written as, and the run says so;
* a value nested more than ``MAX_DEPTH`` lists or objects deep is bad input (a Failure).
A file whose name is not UTF-8 is a Failure too: its name could not be stored as its origin.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import math
import os
import re
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from os import PathLike
from pathlib import Path

from bahth.index.errors import SourceError

SUFFIXES = (".jsonl.gz", ".jsonl", ".csv", ".txt")
STDIN = "-"
STDIN_FORMATS = ("jsonl", "csv")
_DATE_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d", "%d/%m/%Y", "%Y-%m", "%Y")
csv.field_size_limit(2**31 - 1)  # a news article is one CSV cell; the default limit is 128 KB
# Lists and objects one value of a record may nest (docs/DESIGN.md, "What a record may hold").
MAX_DEPTH = 100
_SURROGATES = re.compile("[\ud800-\udbff][\udc00-\udfff]|[\ud800-\udfff]")
_NON_FINITE = {math.inf: "Infinity", -math.inf: "-Infinity"}


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


def _lenient_text(record: dict, key: str) -> str | None:
    """A default field's text, or None when the record gives something else there (a list,
    an object: kept as given in ``fields``, not lost)."""
    try:
        return _optional_text(record, key)
    except ValueError:
        return None


@dataclass(frozen=True)
class InputMapping:
    """Which keys of a record hold the id, the title and the text; ``strict``: a key that is
    none of them and not in ``declared`` is bad input (else it is kept as given)."""

    id: str = "id"
    title: str = "title"
    text: str = "text"
    strict: bool = False
    declared: frozenset[str] | set[str] = frozenset()

    def undeclared(self, record: dict) -> list[str]:
        if not self.strict:
            return []
        known = {self.id, self.title, self.text, *self.declared}
        return [key for key in record if key not in known]


DEFAULT_MAPPING = InputMapping()


class _NotJSONNumber(str):
    """A number JSON cannot carry (``NaN``, ``Infinity``, ``1e400``), as the input wrote it:
    Python's json module reads them, as nan and inf, which no strict JSON can write back."""


def _json_float(literal: str) -> float | str:
    number = float(literal)
    return number if math.isfinite(number) else _NotJSONNumber(literal)


def _loads(text: str) -> object:
    """One JSON value, as ``json.loads`` reads it but with a number JSON cannot carry kept as
    its text (a ``_NotJSONNumber``, said and turned to plain text by ``_readable``).
    RecursionError for a value nested past the interpreter's limit (about 1,000 deep)."""
    return json.loads(text, parse_constant=_NotJSONNumber, parse_float=_json_float)


def _too_deep(place: str | None = None) -> str:
    """The reason a record nested too deep is skipped (one wording for every reader)."""
    what = f"{place} is nested" if place else "nested"
    return f"{what} more than {MAX_DEPTH} lists or objects deep (bahth's limit)"


def _mended(text: str, place: str, repairs: list[str]) -> str:
    """``text`` as UTF-8 can write it: each lone surrogate (half of a UTF-16 pair) replaced
    with U+FFFD, and a surrogate pair (which only a Python caller can give: JSON joins its
    escaped pairs) joined into its character. Each repair is said in ``repairs``."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    lone: list[str] = []

    def mend(match: re.Match) -> str:
        found = match.group()
        if len(found) == 2:
            return found.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
        lone.append(f"\\u{ord(found):04x}")
        return "\ufffd"

    mended = _SURROGATES.sub(mend, text)
    if lone:
        shown = ", ".join(lone[:3]) + (f" and {len(lone) - 3} more" if len(lone) > 3 else "")
        repairs.append(
            f"{place}: lone surrogate {shown} replaced with U+FFFD (half of a UTF-16 pair, "
            "which UTF-8 cannot write)"
        )
    else:
        repairs.append(f"{place}: a surrogate pair was joined into its character")
    return mended


def _jsonable(value: object, place: str, repairs: list[str], depth: int = 0) -> object:
    """A given value as JSON can carry it and UTF-8 can write it: a datetime (from Python
    callers) as ISO text, text mended (``_mended``), a number JSON cannot carry as its text;
    ValueError for lists or objects nested more than MAX_DEPTH deep. Iterates no deeper than
    MAX_DEPTH, so a value nested 100,000 deep by a Python caller is refused, not a crash."""
    if isinstance(value, _NotJSONNumber) or (isinstance(value, float) and not math.isfinite(value)):
        text = str(value) if isinstance(value, str) else _NON_FINITE.get(value, "NaN")
        repairs.append(f"{place}: {text} is not a number JSON can carry: kept as the text {text!r}")
        return text
    if isinstance(value, str):
        return _mended(value, place, repairs)
    if isinstance(value, (dict, list, tuple)):
        if depth >= MAX_DEPTH:
            raise ValueError(_too_deep(place))
        if isinstance(value, dict):
            return {
                _mended(str(k), place, repairs): _jsonable(v, place, repairs, depth + 1)
                for k, v in value.items()
            }
        return [_jsonable(v, place, repairs, depth + 1) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, (int, float, bool)):
        return value
    return _mended(str(value), place, repairs)


def _readable(record: dict, core: tuple[str, ...], repairs: list[str]) -> dict:
    """Every key and value of ``record`` by ``_jsonable``'s rules; a core key (id, title,
    text) is named as itself in a repair, any other as ``field 'name'``."""
    readable = {}
    for key, value in record.items():
        name = _mended(str(key), "a field name", repairs)
        place = name if name in core else f"field {name!r}"
        readable[name] = _jsonable(value, place, repairs)
    return readable


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
    # every key of the record but the id, title and text, as given (values JSON can carry)
    fields: dict = field(default_factory=dict)
    # what reading it repaired, one sentence each (a lone surrogate replaced, ...): the run's
    # report says them as warnings, with ``where``
    repairs: tuple[str, ...] = field(default=(), compare=False)

    def given(self) -> dict:
        """The document's own fields, as given: ``fields``, or for a document built in Python
        with ``source``, ``date``, ``url`` only, those."""
        if self.fields:
            return self.fields
        given: dict = {}
        if self.source:
            given["source"] = self.source
        if self.date:
            given["date"] = self.date.isoformat()
        if self.url:
            given["url"] = self.url
        return given

    def content_hash(self) -> str:
        """A digest of everything the index stores about the document except where it was
        read from: equal hashes mean a reindex can leave the document alone."""
        digest = hashlib.blake2b(digest_size=16)
        date = self.date.isoformat() if self.date else ""
        extra = json.dumps(self.fields, ensure_ascii=False, sort_keys=True) if self.fields else ""
        for part in (self.title, self.text, self.source or "", date, self.url or "", extra):
            data = part.encode("utf-8", "surrogatepass")
            digest.update(len(data).to_bytes(8, "little"))
            digest.update(data)
        return digest.hexdigest()

    @classmethod
    def from_dict(
        cls,
        record: dict,
        origin: str | None = None,
        where: str | None = None,
        mapping: InputMapping = DEFAULT_MAPPING,
    ) -> Document:
        """Build a document from a JSON/CSV record; ValueError says what is wrong with it.
        Its keys and values are read by the module's rules first (``_readable``), so a
        document holds only what can be written back out."""
        if not isinstance(record, dict):
            raise ValueError("not a JSON object")
        core = (mapping.id, mapping.title, mapping.text)
        repairs: list[str] = []
        record = _readable(record, core, repairs)
        raw_id = record.get(mapping.id)
        if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)):
            named = "id" if mapping.id == "id" else f"id (key {mapping.id!r})"
            wrong = f"{named} is not text or a number"
            raise ValueError(f"no {named}" if raw_id in (None, "") else wrong)
        doc_id = check_id(str(raw_id).strip())
        title = _optional_text(record, mapping.title) or ""
        text = record.get(mapping.text)
        if text is not None and not isinstance(text, str):
            raise ValueError(f"{mapping.text} is not text")
        text = (text or "").strip()
        if not title and not text:
            raise ValueError(f"document {doc_id!r} has no title and no text")
        undeclared = mapping.undeclared(record)
        if undeclared:
            raise ValueError(
                f"field {undeclared[0]!r} is not declared (strict mode): declare it in the "
                "settings file, or turn strict off to keep it as given"
            )
        return cls(
            id=doc_id,
            title=title,
            text=text,
            source=_lenient_text(record, "source"),
            date=parse_date(record.get("date")),
            url=_lenient_text(record, "url"),
            origin=origin,
            where=where,
            fields={k: v for k, v in record.items() if k not in core},
            repairs=tuple(repairs),
        )

    def checked(self) -> Document:
        """This document by the rules ``from_dict`` reads a record with, for one a Python
        caller built (which may hold anything): its id checked, its texts mended, its fields
        made JSON; ValueError says what cannot be used."""
        repairs = list(self.repairs)
        doc_id = check_id(_mended(self.id, "id", repairs))
        texts = {
            name: _mended(value, name, repairs) if isinstance(value, str) else value
            for name, value in (
                ("title", self.title),
                ("text", self.text),
                ("source", self.source),
                ("url", self.url),
            )
        }
        fields = _readable(self.fields, (), repairs)
        if len(repairs) == len(self.repairs) and fields == self.fields:
            return self
        return replace(self, id=doc_id, **texts, fields=fields, repairs=tuple(repairs))


@dataclass(frozen=True)
class Failure:
    """Input that was skipped: ``where`` is ``path`` or ``path:line``; ``reason`` says why."""

    where: str
    reason: str


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
                record = _loads(line.decode("utf-8-sig" if number == 1 else "utf-8"))
            except UnicodeDecodeError:
                yield Failure(where, "not UTF-8 text")
                continue
            except RecursionError:  # nested about 1,000 deep: json gives up before we count
                yield Failure(where, _too_deep())
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
    reader = csv.DictReader(text)
    try:
        if reader.fieldnames is None:
            yield Failure(str(path), "empty file")
            return
        if mapping.id not in reader.fieldnames:
            yield Failure(str(path), f"no {mapping.id!r} column in the header row")
            return
        for row in reader:
            where = f"{path}:{reader.line_num}"
            if None in row:
                yield Failure(where, "more cells than the header row has columns")
                continue
            try:
                yield Document.from_dict(row, origin, where, mapping)
            except ValueError as error:
                yield Failure(where, str(error))
        if reader.line_num <= 1:
            yield Failure(str(path), "no rows after the header")
    except UnicodeDecodeError:
        yield Failure(f"{path}:{reader.line_num + 1}", "not UTF-8 text")
    except csv.Error as error:
        yield Failure(f"{path}:{reader.line_num}", f"not valid CSV ({error})")
    finally:
        text.detach()  # the caller closes its own stream (standard input stays open)
