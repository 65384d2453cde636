"""What a bahth document becomes in a Sphinx/Manticore table, and the tables' definitions.

bahth sends the engine its own analysis, not the text: each of the four searched fields
(``title``, ``title_exact``, ``text``, ``text_exact``, as the Whoosh schema has them) holds
the terms bahth's ``WordAnalysis`` gave, one engine token per term, so the engine's
tokenizer only splits on the spaces bahth put there and a query means the same on both
backends. Two things make each term one safe token whatever its letters:

* a one-letter **field tag** (``FIELD_TAGS``): the stem مغرب is ``xمغرب`` in ``text`` and
  ``tمغرب`` in ``title``. The engine's keyword statistics (document frequency, a
  document's term frequency) are per keyword, and bahth's BM25F needs them per field, as
  Whoosh keeps them;
* an **escape** of every character outside ``a-z 0-9`` and the Arabic letters that
  normalized text uses (``_hex_``), and a hash in place of the tail of a term too long for
  the engine's keywords (42 characters), so no term is ever cut, split or merged.

``text_exact`` keeps word positions (quoted phrases run on it): a word with no exact term
keeps its place with a filler token no query can name. Stored fields (title, text and the
rest) come back from the engine as string attributes, with each field's length in terms
(what Whoosh's BM25F divides by), 63-bit hashes of the facet values for filters, and
``seq``, the order documents were written in (Whoosh's docnum order: the first document
written with a word is the one whose spelling a suggestion shows). Equal scores are not
ordered by it but by the row's key, ``document_key`` (index/keys.py, index/keys.py).
"""

from __future__ import annotations

import calendar
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from bahth.analyzers import WordAnalysis, WordTerms
from bahth.index.keys import document_key, hash63
from bahth.index.sources import Document
from bahth.index.values import date_value, keyword_values

FIELD_TAGS = {"title": "t", "title_exact": "u", "text": "x", "text_exact": "y"}
EXACT_FIELDS = ("title_exact", "text_exact")
SEARCHED_FIELDS = tuple(FIELD_TAGS)
# Stored values, as string attributes (Sphinx 2.2 has no stored fields; Manticore 5 does).
STRINGS = ("doc_id", "stored_title", "stored_text", "source", "year", "url", "content_hash")
STRINGS_TAIL = ("origin", "given")  # given: the document's own fields, as JSON
LENGTHS = {name: f"len_{name}" for name in SEARCHED_FIELDS}
NO_DATE = -(2**62)  # the date key of an undated document: last in "newest first"
MAX_TOKEN = 40  # characters of a token; longer terms end in a hash (the engine keeps 42)
_HASHED = 10  # hex digits of the hash that ends a long term's token (its length: 41)
_SAFE = frozenset(
    "abcdefghijklmnopqrstuvwxyz0123456789"
    + "".join(map(chr, range(0x0621, 0x063B)))
    + "".join(map(chr, range(0x0641, 0x064B)))
)
# The engine's alphabet: what encode() writes, so its tokenizer splits on spaces only.
CHARSET_TABLE = "0..9, a..z, _, U+0621..U+063A, U+0641..U+064A"


def value_key(value: str) -> int:
    """A facet value as a number the engine can filter on (its WHERE compares numbers)."""
    return hash63(str(value), b"bahth-value")


def shard_of(doc_id: str, shards: int) -> int:
    """The shard a document lives in: its id's hash, so every writer routes it alike."""
    return document_key(doc_id) % shards


def encode(term: str) -> str:
    """``term`` as letters the engine keeps in one token (see the module docstring)."""
    if all(ch in _SAFE for ch in term):
        body = term
    else:
        body = "".join(ch if ch in _SAFE else f"_{ord(ch):x}_" for ch in term)
    if len(body) + 1 > MAX_TOKEN:
        digest = hashlib.blake2b(term.encode("utf-8"), digest_size=8).hexdigest()[:_HASHED]
        body = body[: MAX_TOKEN - _HASHED] + digest  # 41 with its tag: no plain token is
    return body


def token(field: str, term: str) -> str:
    """The engine's keyword for ``term`` in ``field``."""
    return FIELD_TAGS[field] + encode(term)


def filler(field: str) -> str:
    """The token that keeps the place of a word without a term (no encoded term is '_')."""
    return FIELD_TAGS[field] + "_"


def date_key(value) -> int:
    """A document's date as the engine sorts and filters it: seconds since 1970 (UTC)."""
    if value is None:
        return NO_DATE
    return calendar.timegm(value.timetuple())


@dataclass(frozen=True)
class Row:
    """One document as its shard's table holds it."""

    key: int
    columns: dict
    words: frozenset = frozenset()  # (field, exact term) of its exact fields


def field_tokens(field: str, words: list[WordTerms]) -> tuple[str, int]:
    """The field's token string and its length in terms (Whoosh's field length)."""
    if field.endswith("_exact"):
        gap = filler(field)
        tokens = [token(field, w.exact) if w.exact else gap for w in words]
        length = sum(1 for w in words if w.exact)
        while tokens and tokens[-1] == gap:
            tokens.pop()
        return " ".join(tokens), length
    tokens = [token(field, stem) for w in words for stem in w.stems]
    return " ".join(tokens), len(tokens)


def document_row(doc: Document, analysis: WordAnalysis) -> Row:
    """The row of ``doc``: its four token fields, lengths and stored values."""
    columns: dict = {}
    exact: set[tuple[str, str]] = set()
    for name, value in (("title", doc.title or ""), ("text", doc.text or "")):
        words = [w.terms for w in analysis.tokens(value)]
        for field in (name, f"{name}_exact"):
            columns[field], columns[LENGTHS[field]] = field_tokens(field, words)
        exact.update((f"{name}_exact", w.exact) for w in words if w.exact)
    given = doc.given()
    source, date = _source(given.get("source")), doc.date or date_value(given.get("date"))
    year = str(date.year) if date else ""
    url = given.get("url")
    columns.update(
        doc_id=doc.id,
        stored_title=doc.title or "",
        stored_text=doc.text or "",
        source=source,
        year=year,
        url=url.strip() if isinstance(url, str) else "",
        content_hash=doc.content_hash(),
        origin=doc.origin or "",
        given=json.dumps(given, ensure_ascii=False, sort_keys=True),
        date_key=date_key(date),
        source_key=value_key(source) if source else 0,
        year_key=value_key(year) if year else 0,
    )
    return Row(document_key(doc.id), columns, frozenset(exact))


def _source(value: object) -> str:
    """The source a cluster filters and counts by: the first of the given values (a value
    that is no text or number is no source)."""
    try:
        values = keyword_values("source", value)
    except ValueError:
        return ""
    return values[0] if values else ""


def word_key(field: str, term: str) -> int:
    return hash63(f"{field} {term}", b"bahth-word")


def word_rows(rows: Iterable[Row]) -> dict[int, tuple[str, str, str]]:
    """The dictionary entries of ``rows``' exact words: key -> (token, term, field). The
    engine cannot list its keywords by prefix (Sphinx 2.2), so bahth keeps them in a table
    beside each shard, for ``word*``, ``word~``, "did you mean" and suggestions. Entries are
    only added: a word no document holds any more has a document frequency of 0, and every
    reader of the dictionary skips those."""
    entries: dict[int, tuple[str, str, str]] = {}
    for row in rows:
        for field, term in row.words:
            entries.setdefault(word_key(field, term), (token(field, term), term, field))
    return entries


def rt_table(name: str, path: str) -> str:
    """The configuration of one shard's table (Sphinx 2.2 syntax; Manticore reads it too)."""
    lines = [f"index {name}", "{", "    type = rt", f"    path = {path}"]
    lines += [f"    rt_field = {field}" for field in SEARCHED_FIELDS]
    lines += [f"    rt_attr_string = {column}" for column in STRINGS + STRINGS_TAIL]
    lines += [f"    rt_attr_uint = {column}" for column in LENGTHS.values()]
    lines += [
        "    rt_attr_bigint = date_key",
        "    rt_attr_bigint = seq",
        "    rt_attr_bigint = source_key",
        "    rt_attr_bigint = year_key",
        "    rt_mem_limit = 256M",
        "    dict = keywords",
        "    min_word_len = 1",
        f"    charset_table = {CHARSET_TABLE}",
        "    index_field_lengths = 1",
        "}",
    ]
    return "\n".join(lines)


def words_table(name: str, path: str) -> str:
    """The configuration of one shard's dictionary table (one row per exact word)."""
    return "\n".join(
        [
            f"index {name}",
            "{",
            "    type = rt",
            f"    path = {path}",
            "    rt_field = word",
            "    rt_attr_string = term",
            "    rt_attr_string = field",
            "    dict = keywords",
            "    min_word_len = 1",
            "    min_prefix_len = 1",
            f"    charset_table = {CHARSET_TABLE}",
            "}",
        ]
    )


def meta_table(name: str, path: str) -> str:
    """The configuration of a node's table of bahth's own facts about the cluster."""
    return "\n".join(
        [
            f"index {name}",
            "{",
            "    type = rt",
            f"    path = {path}",
            "    rt_field = note",
            "    rt_attr_string = facts",
            "}",
        ]
    )


def column_names() -> list[str]:
    """Every column a shard row is written with, in one order."""
    return ["id", *SEARCHED_FIELDS, *STRINGS, *STRINGS_TAIL, *LENGTHS.values()] + [
        "date_key",
        "source_key",
        "year_key",
        "seq",
    ]


# ---- table names: one place, for the configuration, the writer and the reader ----------

SLOTS = ("a", "b")  # a --rebuild fills the slot not in use, then switches


def shard_table(table: str, slot: str, shard: int) -> str:
    return f"{table}_{slot}_{shard}"


def shard_words_table(table: str, slot: str, shard: int) -> str:
    return f"{table}_{slot}_w{shard}"


def documents_table(table: str, slot: str) -> str:
    """The distributed table over every shard of a slot (on each node)."""
    return f"{table}_{slot}"


def dictionary_table(table: str, slot: str) -> str:
    """The distributed table over every shard's dictionary of a slot (on each node)."""
    return f"{table}_{slot}_words"


def meta_table_name(table: str) -> str:
    return f"{table}_meta"
