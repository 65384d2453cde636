"""The words of a folder index's dictionary by prefix, read straight from each segment's term
table: what ``word*``, ``word~``, "did you mean" and suggestions walk (search/expansion.py
spends its budget on them).

The dictionary is read segment by segment from Whoosh's term table (the key and the document
frequency of each entry, about 1.5 µs an entry), not through ``iter_prefix`` on the whole
index, which merges the segments and decodes every entry's term info (about 30 µs).

Every entry costs a bounded amount of work: a word longer than ``MAX_WORD_BYTES`` is passed
over unread (its length is in the entry's header). An index built before the analysis capped
its terms may hold a "word" of 20 million letters (one document of ب and nothing else):
reading, decoding, analyzing and showing it was one unbounded step, so that
``suggest("بببب", time_limit=1.0)`` ran 5.7 s and answered 40 MB.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from bahth.index.deadline import Deadline
from bahth.index.limits import MAX_WORD_BYTES

_LENGTHS = struct.Struct("!ii")  # Whoosh's hash file: key length, value length, then both
_DOC_FREQUENCY = struct.Struct("!I")  # in a W3TermInfo: 5 bytes in, after flags and a float
CHUNK = 1 << 16  # bytes of the term table read at a time, at most (4 KB first)


def segment_words(
    leaf, fieldname: str, prefix: bytes, deadline: Deadline, stage: str
) -> Iterator[tuple[str, int]]:
    """(word, document frequency) of one segment's words starting with ``prefix``, in
    order, read as they are asked for, but for words longer than MAX_WORD_BYTES: from
    Whoosh's W3 term table in chunks (its own ``ranges_from`` makes several calls per
    entry), where a long entry is passed over without reading it; through ``iter_prefix``
    for another codec. The deadline is looked at for each chunk."""
    for btext, frequency in _entries(leaf, fieldname, prefix, deadline, stage):
        yield btext.decode("utf-8"), frequency


def _entries(
    leaf, fieldname: str, prefix: bytes, deadline: Deadline, stage: str
) -> Iterator[tuple[bytes, int]]:
    terms = getattr(leaf, "_terms", None)
    table = getattr(terms, "_tindex", None)
    if table is None or not hasattr(terms, "_keycoder") or not hasattr(table, "endofdata"):
        for btext, info in leaf.iter_prefix(fieldname, prefix):
            if len(btext) <= MAX_WORD_BYTES:
                yield btext, info.doc_frequency()
        return
    start = terms._keycoder(fieldname, prefix)
    skip = len(start) - len(prefix)  # the field's number before each term
    pos, end = _closest_key_pos(table, start), table.endofdata
    if pos is None:
        return
    dbfile, unpack_lengths = terms._dbfile, _LENGTHS.unpack_from
    unpack_frequency = _DOC_FREQUENCY.unpack_from
    chunk, base, size = b"", pos, 1 << 12
    while pos < end:
        at = pos - base
        if at + _LENGTHS.size > len(chunk):
            chunk, base, at = dbfile.get(pos, min(size, end - pos)), pos, 0
            size = min(2 * size, CHUNK)
            deadline.check(stage)
        keylen, datalen = unpack_lengths(chunk, at)
        if keylen - skip > MAX_WORD_BYTES:  # read its beginning only: is it still ours?
            beginning = dbfile.get(pos + _LENGTHS.size, min(len(start), keylen))
            if not beginning.startswith(start):
                return
            pos += _LENGTHS.size + keylen + datalen
            continue
        after = at + _LENGTHS.size + keylen + datalen
        if after > len(chunk):  # the entry runs past the chunk: read from its start
            chunk, base, at = dbfile.get(pos, min(max(size, after - at), end - pos)), pos, 0
            size = min(2 * size, CHUNK)
            deadline.check(stage)
        key = chunk[at + _LENGTHS.size : at + _LENGTHS.size + keylen]
        if not key.startswith(start):
            return
        yield key[skip:], unpack_frequency(chunk, at + _LENGTHS.size + keylen + 5)[0]
        pos += _LENGTHS.size + keylen + datalen


def _closest_key_pos(table, key: bytes) -> int | None:
    """Where the first key from ``key`` on is in Whoosh's ordered term table (None: past the
    end): its own ``closest_key_pos``, but reading no more of each key it probes than
    ``key``'s length, which orders them as well. Whoosh reads every probed key whole, and
    one of them may be a word of 40 MB."""
    get_pos, dbfile = getattr(table, "_get_pos", None), table.dbfile
    if get_pos is None:
        return table.closest_key_pos(key)
    lo, hi = 0, table.indexlen
    while lo < hi:
        mid = (lo + hi) // 2
        pos = get_pos(table.indexbase + mid * table.indexsize)
        if dbfile.get(pos + _LENGTHS.size, min(dbfile.get_uint(pos), len(key))) < key:
            lo = mid + 1
        else:
            hi = mid
    return None if lo == table.indexlen else get_pos(table.indexbase + lo * table.indexsize)
