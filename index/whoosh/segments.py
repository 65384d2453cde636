"""What scoring reads of one segment, computed once per process and shared.

A Whoosh segment never changes once written (a commit adds segments, merges some into a new
one, or records deletions beside them), so what bahth derives from it holds for as long as
the segment exists: each document's field lengths, its facet values and date sort keys, its
tie key (index/keys.py), and the decoded postings of the terms queries ask for. Before,
these were cached on each thread's searcher and thrown away at every commit: after one
document was added, four threads each rebuilt all of them at once (5 to 8 s for the next
four queries).

``segment_data(reader)`` gives the one ``SegmentData`` of the reader's segment (keyed by
the segment's id), whichever thread, generation or deletion state the reader belongs to;
it lives as long as some reader of the segment does. Each value is computed once, under the
segment's lock, so threads that ask at the same time wait for one computation.

Decoded postings (docnums and weights of a term in a segment, what Whoosh's posting blocks
hold pickled and zipped) are kept in one ``PostingsCache`` per process, least recently used
first out, within ``POSTINGS_CACHE_MB``: unpickling blocks was two thirds of the first
stage, and the terms of real queries repeat (function-like words, names in the news).
"""

from __future__ import annotations

import threading
import weakref
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

from bahth.index.contract import Postings
from bahth.index.keys import document_key
from bahth.index.whoosh.term_table import TermTable

POSTINGS_CACHE_MB = 48  # decoded postings kept per process (see bench/memory.py)
ENTRY_OVERHEAD = 200  # bytes a cache entry costs beside its arrays (key, tuple, arrays' heads)

# Whoosh stores a document's field length as one byte; doc_field_length answers
# byte_to_length(byte), or None for 0 (an empty field: no posting ever asks for it).
_LENGTH_OF_BYTE = np.array([np.nan] + [byte_to_length(b) for b in range(1, 256)])


class Absent:
    """A term that is not in a segment (cached too: most terms miss some segment)."""


ABSENT = Absent()


class PostingsCache:
    """Decoded postings, (segment, field, term) -> (docnums int32, weights float32), least
    recently used first out past ``max_bytes``. Shared by threads (one lock). A reader keeps
    its joined postings in one too: (field, term) -> Postings (index/whoosh/joined.py)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key, value) -> None:
        size = ENTRY_OVERHEAD + len(key[-1]) + _array_bytes(value)
        if size > self.max_bytes // 8:
            return  # one term may not push out an eighth of the cache
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._entries[key] = (value, size)
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, (_, gone) = self._entries.popitem(last=False)
                self.bytes -= gone

    def discard_segment(self, segment_id: str) -> None:
        """Drop a segment's entries (the segment is gone)."""
        with self._lock:
            for key in [k for k in self._entries if k[0] == segment_id]:
                self.bytes -= self._entries.pop(key)[1]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0

    def __len__(self) -> int:
        return len(self._entries)


POSTINGS = PostingsCache(POSTINGS_CACHE_MB * 1024 * 1024)


def _array_bytes(value) -> int:
    """What a cached value's arrays take: a segment's (docnums, weights), or a Postings."""
    if value is ABSENT:
        return 0
    if isinstance(value, Postings):
        return value.slots.nbytes + value.frequencies.nbytes
    return value[0].nbytes + value[1].nbytes


class SegmentData:
    """Per segment: field lengths and the live-document masks, each made once from any
    reader of the segment; decoded postings go to POSTINGS."""

    def __init__(self, segment_id: str, size: int) -> None:
        self.segment_id = segment_id
        self.size = size
        self._lengths: dict[str, np.ndarray] = {}
        self._live: dict[int, np.ndarray] = {}
        self._keys: dict[str, np.ndarray] = {}
        self._lock = threading.RLock()
        weakref.finalize(self, POSTINGS.discard_segment, segment_id)

    def _once(self, cache: dict, key, make: Callable):
        value = cache.get(key)
        if value is None:
            with self._lock:
                value = cache.get(key)
                if value is None:
                    value = cache[key] = make()
        return value

    def lengths(self, reader, fieldname: str) -> np.ndarray:
        """Each document's length in ``fieldname`` as Whoosh's doc_field_length gives it
        (byte-quantized; NaN for an empty field; 1 when the field has no length column)."""
        return self._once(self._lengths, fieldname, lambda: _read_lengths(reader, fieldname))

    def tie_keys(self, reader) -> np.ndarray:
        """Each document's ``document_key`` of its id, which orders equal scores
        (index/keys.py): read once from the segment's id column."""

        def make() -> np.ndarray:
            ids = reader.column_reader("id")
            return np.fromiter((document_key(i) for i in ids), dtype=np.int64, count=self.size)

        return self._once(self._keys, "id", make)

    def story_keys(self, reader) -> np.ndarray:
        """Each document's story key (index/stories.py), read once from the segment's story
        column; a document written without one (an index made before stories) is alone, in
        the story of its own document key."""

        def make() -> np.ndarray:
            keys = self.tie_keys(reader)
            try:
                column = reader.column_reader("story")
            except Exception:  # no such column: Whoosh raises several kinds
                return keys
            stories = np.fromiter(iter(column), dtype=np.int64, count=self.size)
            return np.where(stories == 0, keys, stories)

        return self._once(self._keys, "story", make)

    def live(self, reader) -> np.ndarray:
        """True for each document of the segment the reader does not see as deleted."""

        def make() -> np.ndarray:
            live = np.ones(self.size, dtype=bool)
            if reader.has_deletions():
                deleted = reader.segment().deleted_docs()
                live[np.fromiter(deleted, dtype=np.int64)] = False
            return live

        return self._once(self._live, _deleted_count(reader), make)

    def postings(self, reader, fieldname: str, btext: bytes, read: Callable):
        """(docnums int32, weights float32) of a term in this segment, or ABSENT; ``read``
        (terms reader, term info) decodes them when they are not cached."""
        key = (self.segment_id, fieldname, btext)
        value = POSTINGS.get(key)
        if value is None:
            terms = reader._terms  # the segment's W3TermsReader
            terminfo = term_info(reader, fieldname, btext)
            if terminfo is None:
                value = ABSENT
            else:
                ids, weights = read(terms, terminfo)
                value = (ids.astype(np.int32), weights.astype(np.float32))
            POSTINGS.put(key, value)
        return value


_registry: weakref.WeakValueDictionary[str, SegmentData] = weakref.WeakValueDictionary()
_registry_lock = threading.Lock()
_ATTRIBUTE = "_bahth_segment_data"


def segment_data(reader) -> SegmentData:
    """The SegmentData of a SegmentReader's segment (kept on the reader too, so it lives as
    long as any reader of the segment)."""
    data = reader.__dict__.get(_ATTRIBUTE)
    if data is None:
        segment_id = reader.segment().segment_id()
        with _registry_lock:
            data = _registry.get(segment_id)
            if data is None or data.size != reader.doc_count_all():
                data = _registry[segment_id] = SegmentData(segment_id, reader.doc_count_all())
        reader.__dict__[_ATTRIBUTE] = data
    return data


def term_info(reader, fieldname: str, btext: bytes):
    """Whoosh's information on a term of a segment (None when absent), from its term table
    straight (index/whoosh/term_table.py), or from Whoosh when the table is of another kind."""
    table = TermTable.of(reader)
    if table is not None:
        return table.term_info(fieldname, btext)
    try:
        return reader._terms.term_info(fieldname, btext)
    except TermNotFound:
        return None


def _deleted_count(reader) -> int:
    return reader.segment().deleted_count() if reader.has_deletions() else 0


def _read_lengths(reader, fieldname: str) -> np.ndarray:
    size = reader.doc_count_all()
    try:
        column = _length_column(reader, fieldname)
    except AttributeError:  # not a W3 segment: ask document by document
        lengths = [reader.doc_field_length(d, fieldname, 1) for d in range(size)]
        return np.array(lengths, dtype=np.float64)
    if column is None:  # no length column for this field: doc_field_length's default
        return np.ones(size, dtype=np.float64)
    count = min(column._count, size)
    encoded = np.zeros(size, dtype=np.uint8)
    encoded[:count] = np.frombuffer(column._dbfile.get(column._basepos, count), np.uint8)
    return _LENGTH_OF_BYTE[encoded]


def _length_column(reader, fieldname: str):
    """Whoosh's one-byte length column of ``fieldname`` in a W3 segment (None when the
    field has none); AttributeError for a reader of another kind."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

    column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is not None and getattr(column, "_fixedlen", None) != 1:
        raise AttributeError("not a one-byte length column")
    return column


_TIE_LOCK = threading.Lock()
_TIE_ATTRIBUTE = "_bahth_tie_keys"


def tie_keys(searcher) -> np.ndarray:
    """Each document's key, by docnum, for a Whoosh searcher (made once per searcher, from
    its segments' keys)."""
    keys = searcher.__dict__.get(_TIE_ATTRIBUTE)
    if keys is None:
        with _TIE_LOCK:
            keys = searcher.__dict__.get(_TIE_ATTRIBUTE)
            if keys is None:
                keys = np.zeros(searcher.doc_count_all(), dtype=np.int64)
                for sub, offset in searcher.leaf_searchers():
                    reader = sub.reader()
                    if reader.doc_count_all():  # Whoosh's EmptyReader has no segment
                        part = segment_data(reader).tie_keys(reader)
                        keys[offset : offset + len(part)] = part
                searcher.__dict__[_TIE_ATTRIBUTE] = keys
    return keys


def by_handle(segments: Sequence, column: str) -> Callable[[int], bytes]:
    """A bytes column's value of a document by its handle (its docnum in the index), read
    from its segment (``segments``: each with its reader and first docnum, ``offset``)."""
    starts = [segment.offset for segment in segments]
    columns = [segment.reader.column_reader(column, translate=False) for segment in segments]

    def value(handle: int) -> bytes:
        at = bisect_right(starts, handle) - 1
        return columns[at][handle - starts[at]]

    return value
