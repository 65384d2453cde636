"""What a bahth document becomes in a Sphinx/Manticore table, and the tables' definitions.

bahth sends the engine its own analysis, not the text: each searched field (``title``,
``title_exact``, ``text``, ``text_exact``, and each declared text field's stemmed and exact
twins, as the folder's schema has them) holds the terms bahth's ``WordAnalysis`` gave, one
engine token per term, so the engine's tokenizer only splits on the spaces bahth put there
and a query means the same on both stores. Two things make each term one safe token
whatever its letters:

* a **field tag** (``tag``): the stem مغرب is ``xمغرب`` in ``text`` and ``tمغرب`` in
  ``title``; a declared text field's tag is made of its name (``s4c1f2_``, ``e4c1f2_`` for
  its exact twin). The engine's keyword statistics (document frequency, a document's term
  frequency) are per keyword, and bahth's BM25F needs them per field, as Whoosh keeps them.
  So the declared fields share two engine fields (``more``, ``more_exact``), whatever the
  settings: a cluster's tables are the same for every index;
* an **escape** of every character outside ``a-z 0-9`` and the Arabic letters that
  normalized text uses (``_hex_``), and a hash in place of the tail of a term too long for
  the engine's keywords (42 characters), so no term is ever cut, split or merged.

The exact fields keep word positions (quoted phrases run on them): a word with no exact term
keeps its place with a filler token no query can name. Declared fields' values are one JSON
attribute, ``attrs``: ``kw`` (a keyword field's values), ``key`` (a date's or number's key,
index/fields.py), ``len`` (a declared text field's lengths); filters and sorting read it.
Every keyword value is also a 63-bit hash in ``facet_keys``, which facets count. Stored
fields come back as string attributes, with the core fields' lengths in terms (what BM25F
divides by) and ``seq``, the order documents were written in (the first document written
with a word is the one whose spelling a suggestion shows). Equal scores go by the row's key,
``document_key`` (index/keys.py). A document's story (index/stories.py) is the bigint
``story``, its fingerprint the hex string ``fingerprint`` (layout 3).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from bahth.analyzers import WordAnalysis, WordTerms
from bahth.index.fields import (
    TEXT_FIELD,
    TITLE_FIELD,
    exact_field,
    is_exact_field,
    searched_field,
    type_of,
)
from bahth.index.keys import document_key, hash63
from bahth.index.planner import Write

LAYOUT = 3  # the tables' layout: a cluster made for another must be made again (cluster init)
FIELD_TAGS = {
    TITLE_FIELD: "t",
    exact_field(TITLE_FIELD): "u",
    TEXT_FIELD: "x",
    exact_field(TEXT_FIELD): "y",
}
CORE_FIELDS = tuple(FIELD_TAGS)
ENGINE_FIELDS = (*CORE_FIELDS, "more", "more_exact")  # the tables' full-text fields
STRINGS = ("doc_id", "stored_title", "stored_text", "content_hash", "origin", "given")
LENGTHS = {name: f"len_{name}" for name in CORE_FIELDS}
MAX_TOKEN = 40  # characters of a plain token; a longer term's ends in a hash, 41 (the engine
# keeps 42)
_HASHED = 10  # hex digits of the hash that ends a long term's token
_SAFE = frozenset(
    "abcdefghijklmnopqrstuvwxyz0123456789"
    + "".join(map(chr, range(0x0621, 0x063B)))
    + "".join(map(chr, range(0x0641, 0x064B)))
)
# The engine's alphabet: what encode() writes, so its tokenizer splits on spaces only.
CHARSET_TABLE = "0..9, a..z, _, U+0621..U+063A, U+0641..U+064A"


def value_key(field: str, value: str) -> int:
    """A keyword field's value as a number facets count and group by."""
    return hash63(f"{field}\x1f{value}", b"bahth-value")


def shard_of(doc_id: str, shards: int) -> int:
    """The shard a document lives in: its id's hash, so every writer routes it alike."""
    return document_key(doc_id) % shards


def tag(field: str) -> str:
    """The tag that starts every token of ``field``: a letter for the core fields, a name's
    hash between a letter and ``_`` for a declared text field (no encoded term holds a bare
    ``_``: an escape is ``_hex_``)."""
    known = FIELD_TAGS.get(field)
    if known is not None:
        return known
    exact = is_exact_field(field)
    name = searched_field(field)
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=3).hexdigest()
    return ("e" if exact else "s") + digest + "_"


def engine_field(field: str) -> str:
    """The engine's full-text field that holds ``field``'s tokens."""
    if field in FIELD_TAGS:
        return field
    return "more_exact" if is_exact_field(field) else "more"


def encode(term: str, room: int = MAX_TOKEN - 1) -> str:
    """``term`` as letters the engine keeps in one token, at most ``room`` characters (see
    the module docstring)."""
    if all(ch in _SAFE for ch in term):
        body = term
    else:
        body = "".join(ch if ch in _SAFE else f"_{ord(ch):x}_" for ch in term)
    if len(body) > room:  # one longer than any plain body: no plain token is a hashed one
        digest = hashlib.blake2b(term.encode("utf-8"), digest_size=8).hexdigest()[:_HASHED]
        body = body[: room + 1 - _HASHED] + digest
    return body


def token(field: str, term: str) -> str:
    """The engine's keyword for ``term`` in ``field``."""
    prefix = tag(field)
    return prefix + encode(term, MAX_TOKEN - len(prefix))


def filler(field: str) -> str:
    """The token that keeps the place of a word without a term (no encoded term is '_')."""
    return tag(field) + "_"


@dataclass(frozen=True)
class Row:
    """One document as its shard's table holds it."""

    key: int
    columns: dict
    facet_keys: tuple[int, ...] = ()
    words: frozenset = frozenset()  # (field, exact term) of its exact fields


def field_tokens(field: str, words: list[WordTerms]) -> tuple[list[str], int]:
    """The field's tokens and its length in terms (Whoosh's field length)."""
    if is_exact_field(field):
        gap = filler(field)
        tokens = [token(field, w.exact) if w.exact else gap for w in words]
        length = sum(1 for w in words if w.exact)
        while tokens and tokens[-1] == gap:
            tokens.pop()
        return tokens, length
    tokens = [token(field, stem) for w in words for stem in w.stems]
    return tokens, len(tokens)


def document_row(step: Write, analysis: WordAnalysis) -> Row:
    """The row of a document to write (index/planner.py): its token fields, lengths,
    declared values and stored fields."""
    doc, values = step.document, step.values
    texts = {"title": doc.title or "", "text": doc.text or "", **values.texts}
    engine: dict[str, list[str]] = {name: [] for name in ENGINE_FIELDS}
    lengths: dict[str, int] = {}
    exact: set[tuple[str, str]] = set()
    for name, text in texts.items():
        words = [w.terms for w in analysis.tokens(text)]
        for field in (name, exact_field(name)):
            tokens, lengths[field] = field_tokens(field, words)
            engine[engine_field(field)] += tokens
        exact.update((exact_field(name), w.exact) for w in words if w.exact)
    columns: dict = {name: " ".join(tokens) for name, tokens in engine.items()}
    columns.update({LENGTHS[name]: lengths[name] for name in CORE_FIELDS})
    declared = {name: lengths[name] for name in lengths if name not in LENGTHS}
    attrs = {"kw": values.keywords, "key": values.keys, "len": declared}
    columns.update(
        doc_id=doc.id,
        stored_title=doc.title or "",
        stored_text=doc.text or "",
        content_hash=step.content_hash,
        origin=doc.origin or "",
        given=json.dumps(doc.given(), ensure_ascii=False, sort_keys=True),
        attrs=json.dumps(attrs, ensure_ascii=False, sort_keys=True),
        story=step.story,
        fingerprint=step.fingerprint.hex(),
    )
    keys = tuple(
        sorted({value_key(name, v) for name, found in values.keywords.items() for v in found})
    )
    return Row(document_key(doc.id), columns, keys, frozenset(exact))


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


def facet_value(field: str, group: int, attrs: dict) -> str | None:
    """The value of ``field`` whose key is ``group``, read from a document that has it (a
    facet's GROUP BY gives the key and one such document's attributes)."""
    for value in (attrs.get("kw") or {}).get(field) or ():
        if value_key(field, value) == group:
            return value
    return None


def searched_fields(settings) -> list[str]:
    """Every field a query may name a term of: the core ones and the declared text fields'
    twins."""
    declared = [spec.name for spec in settings.fields if type_of(spec).searched]
    return [*CORE_FIELDS, *(f for name in declared for f in (name, exact_field(name)))]


# ---- the tables' definitions ------------------------------------------------------------


def rt_table(name: str, path: str) -> str:
    """The configuration of one shard's table (Sphinx 2.2 syntax; Manticore reads it too)."""
    lines = [f"index {name}", "{", "    type = rt", f"    path = {path}"]
    lines += [f"    rt_field = {field}" for field in ENGINE_FIELDS]
    lines += [f"    rt_attr_string = {column}" for column in STRINGS]
    lines += [f"    rt_attr_uint = {column}" for column in LENGTHS.values()]
    lines += [
        "    rt_attr_json = attrs",
        "    rt_attr_multi_64 = facet_keys",
        "    rt_attr_bigint = seq",
        "    rt_attr_bigint = story",
        "    rt_attr_string = fingerprint",
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
    """Every column a shard row is written with, in one order (facet_keys apart: an MVA is
    written as a list in the statement itself)."""
    return [
        "id",
        *ENGINE_FIELDS,
        *STRINGS,
        *LENGTHS.values(),
        "attrs",
        "seq",
        "story",
        "fingerprint",
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
