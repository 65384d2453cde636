"""A segment's term table read straight: where a term's information is, in one read or two.

Whoosh keeps a segment's terms (every field's) in one hash file (``filetables.HashReader``,
the W3 codec's ``.trm``): 256 tables of (hash, position) slots, probed from the key's slot to
the first empty one. A query asks it for many terms the index mostly does not have: the
candidate spellings of each word (search/variants.py), in every segment. Whoosh answers each
through eight calls and up to four reads (24 us a segment, 9% of a fresh title query's page
on SaudiNewsNet); an absent term here is one hash and one read of a slot, most of the time.

The file format is Whoosh 2.7's (whoosh-reloaded's is the same); ``TermTable.of`` gives
None for a segment whose terms are kept otherwise, and its caller asks Whoosh instead.
tests/test_term_table.py checks every term of an index, and absent ones, against Whoosh.
"""

from __future__ import annotations

import struct

from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.filedb.filetables import md5_hash

_SLOT = struct.Struct("!Iq")  # filetables._pointer: the key's hash, where the item is
_LENGTHS = struct.Struct("!ii")  # filetables._lengths: the key's and the value's lengths
_FIELD = struct.Struct("!H")  # W3TermsReader._keycoder: the field's number before the term
_DOC_FREQUENCY = struct.Struct("!I")
_DOC_FREQUENCY_AT = 1 + 4  # W3TermInfo.read_doc_freq: after a flags byte and a float
_ATTRIBUTE = "_bahth_term_table"


class TermTable:
    """One segment's term hash file, for looking terms up."""

    def __init__(self, terms) -> None:
        index = terms._tindex
        self._fields: dict[str, int] = dict(terms._fieldmap)
        self._tables: list[tuple[int, int]] = list(index.tables)
        self._get = index.dbfile.get

    @classmethod
    def of(cls, reader) -> TermTable | None:
        """The table of a Whoosh SegmentReader (kept on it), or None when its terms are not
        in a W3 hash file with md5 keys."""
        if _ATTRIBUTE not in reader.__dict__:
            table = None
            terms = getattr(reader, "_terms", None)
            index = getattr(terms, "_tindex", None)
            if (
                getattr(index, "hashfn", None) is md5_hash
                and hasattr(terms, "_fieldmap")
                and len(getattr(index, "tables", ())) == 256
            ):
                table = cls(terms)
            reader.__dict__[_ATTRIBUTE] = table
        return reader.__dict__[_ATTRIBUTE]

    def find(self, fieldname: str, btext: bytes) -> tuple[int, int] | None:
        """(position, length) of the term's information in the file; None when absent."""
        number = self._fields.get(fieldname)
        if number is None:
            return None
        key = _FIELD.pack(number) + btext
        keyhash = md5_hash(key)
        start, slots = self._tables[keyhash & 255]
        if not slots:
            return None
        get = self._get
        slot = (keyhash >> 8) % slots
        for _ in range(slots):
            slothash, item = _SLOT.unpack(get(start + slot * _SLOT.size, _SLOT.size))
            if not item:
                return None  # an empty slot: the key would have been put here
            if slothash == keyhash:
                keylength, valuelength = _LENGTHS.unpack(get(item, _LENGTHS.size))
                keystart = item + _LENGTHS.size
                if keylength == len(key) and get(keystart, keylength) == key:
                    return keystart + keylength, valuelength
            slot = slot + 1 if slot + 1 < slots else 0
        return None

    def doc_frequency(self, fieldname: str, btext: bytes) -> int:
        """How many documents of the segment (deleted ones too, as Whoosh counts) have it."""
        found = self.find(fieldname, btext)
        if found is None:
            return 0
        (count,) = _DOC_FREQUENCY.unpack(self._get(found[0] + _DOC_FREQUENCY_AT, 4))
        return count

    def term_info(self, fieldname: str, btext: bytes) -> W3TermInfo | None:
        """Whoosh's information on the term (where its postings are), None when absent."""
        found = self.find(fieldname, btext)
        if found is None:
            return None
        return W3TermInfo.from_bytes(self._get(*found))
