"""A document as bahth indexes it, and the rules a record is read by: its id, title and text,
its other fields as given, and what must hold for every key and value.

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

import hashlib
import json
import math
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

from bahth.index.limits import MAX_RECORD_DEPTH

_DATE_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d", "%d/%m/%Y", "%Y-%m", "%Y")
# (index/limits.py; docs/DESIGN.md, "What a record may hold")
MAX_DEPTH = MAX_RECORD_DEPTH
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


class RepeatedKey(ValueError):
    """A JSON object names one key twice (``{"id": 1, "id": 2}``): json.loads keeps the last
    value and drops the other without a word; RFC 8259 leaves it to the reader, so bahth
    names it rather than guess which was meant."""


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    record = dict(pairs)
    if len(record) < len(pairs):
        seen: set[str] = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise RepeatedKey(
            f"the key {twice!r:.60} is given twice in one object: an object holds one value "
            "under a key; remove or rename the other"
        )
    return record


def json_record(text: str) -> object:
    """One JSON value, as ``json.loads`` reads it but with a number JSON cannot carry kept as
    its text (a ``_NotJSONNumber``, said and turned to plain text by ``_readable``), and an
    object that names a key twice a RepeatedKey. RecursionError for a value nested past the
    interpreter's limit (about 1,000 deep)."""
    return json.loads(
        text,
        parse_constant=_NotJSONNumber,
        parse_float=_json_float,
        object_pairs_hook=_unique_keys,
    )


def too_deep(place: str | None = None) -> str:
    """The reason a record nested too deep is skipped (one wording for every reader)."""
    what = f"{place} is nested" if place else "nested"
    return f"{what} more than {MAX_DEPTH} lists or objects deep (bahth's limit)"


def stored_id(doc_id: object) -> str:
    """An id as a caller gives it to look a document up (delete, document): mended as the
    indexing of that id mended it, so a lone surrogate finds its document, not an error."""
    return _mended(str(doc_id), "id", [])


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
            raise ValueError(too_deep(place))
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
        named = "id" if mapping.id == "id" else f"id (key {mapping.id!r})"
        doc_id = check_id(_given_id(record.get(mapping.id), named).strip())
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
        caller built (which may hold anything: the dataclass checks no types): its id checked,
        its texts mended, its fields made JSON; ValueError says what cannot be used, so the
        run names it as a failure and indexes the rest."""
        repairs = list(self.repairs)
        doc_id = check_id(_mended(_given_id(self.id), "id", repairs))
        texts = {
            name: None if value is None else _mended(value, name, repairs)
            for name, value in (
                ("title", _given_text(self.title, "title") or ""),
                ("text", _given_text(self.text, "text", numbers=False) or ""),
                ("source", _given_text(self.source, "source")),
                ("url", _given_text(self.url, "url")),
            )
        }
        if not texts["title"].strip() and not texts["text"].strip():
            raise ValueError(f"document {doc_id!r} has no title and no text")
        date = self.date
        if date is not None and not isinstance(date, datetime):
            date = parse_date(date)
            if date is None:
                raise ValueError(
                    f"date {self.date!r} is not a date: give a datetime, or text such as 2015-07-21"
                )
        if self.fields is not None and not isinstance(self.fields, dict):
            raise ValueError(f"fields is not a dict: {self.fields!r:.40}")
        fields = _readable(self.fields or {}, (), repairs)
        same = (doc_id, *texts.values(), date) == (
            self.id,
            self.title,
            self.text,
            self.source,
            self.url,
            self.date,
        )
        if same and len(repairs) == len(self.repairs) and fields == self.fields:
            return self
        return replace(self, id=doc_id, **texts, date=date, fields=fields, repairs=tuple(repairs))


def _given_id(value: object, named: str = "id") -> str:
    """An id as text: a str, or a whole number (``7`` is the id ``"7"``). A number with a
    fraction or an exponent is refused, as its spelling is not kept (JSON's ``1.50`` and
    ``15e-1`` are both 1.5): the input must write it as text to mean it."""
    if value is None or value == "":
        raise ValueError(f"no {named}")
    if isinstance(value, float):
        raise ValueError(
            f"{named} {value!r} is a decimal number: an id is text or a whole number; write "
            f'it as text ("{value!r}") to keep it'
        )
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"{named} {value!r:.40} is neither text nor a whole number")
    return str(value)


def _given_text(value: object, name: str, numbers: bool = True) -> str | None:
    """A Python caller's ``name`` (title, text, source, url) as text, or None; a number is
    its text where a record's may be a number (not the text)."""
    if value is None or isinstance(value, str):
        return value
    if numbers and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"{name} is not text: {value!r:.40} (type {type(value).__name__})")


@dataclass(frozen=True)
class Failure:
    """Input that was skipped: ``where`` is ``path`` or ``path:line``; ``reason`` says why."""

    where: str
    reason: str
