"""A term's postings over the whole index: each segment's (index/whoosh/segments.py keeps
them decoded per process) joined into one array of slots, a slot being a docnum of the
generation, without the deleted documents.

A reader keeps the joined postings of the terms it was asked for, least recently used first
out within ``JOINED_MB`` (int64 slots and float64 frequencies, read-only): a title query asks
for some 40 terms (stemmed and exact twins of title and text), a short query's are common
words every query asks again, and joining four segments' arrays anew was a seventh of a
query's time. Positions are read from the segments each time (a phrase's words, once a
query)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bahth.index.contract import Postings
from bahth.index.whoosh.postings import decoder, read_postings
from bahth.index.whoosh.segments import ABSENT, PostingsCache, SegmentData, term_info

JOINED_MB = 24  # per reader, that is per generation of a serving process


@dataclass
class IndexSegment:
    """One segment of a generation: where its docnums start among the slots, and which of
    its documents are live."""

    reader: object  # Whoosh's SegmentReader
    offset: int
    size: int
    live: np.ndarray  # bool per local docnum: not deleted
    all_live: bool
    data: SegmentData

    @classmethod
    def of(cls, reader, offset: int, data: SegmentData) -> IndexSegment:
        live = data.live(reader)
        return cls(reader, offset, data.size, live, bool(live.all()), data)


def _nothing(documents: int = 0) -> Postings:
    return Postings(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64), documents)


class JoinedPostings:
    """The postings of one generation's terms, joined from its segments."""

    def __init__(self, schema, segments: list[IndexSegment]) -> None:
        self.schema = schema
        self.segments = segments
        self._kept = PostingsCache(JOINED_MB * 1024 * 1024)

    def postings(self, field: str, term: str) -> Postings:
        """A term's live postings (slots, frequencies) and its document frequency (deleted
        documents counted, as Whoosh's idf counts them)."""
        key = (field, term)
        found = self._kept.get(key)
        if found is None:
            found = self._read(field, term, False)[0]
            found.slots.flags.writeable = found.frequencies.flags.writeable = False
            self._kept.put(key, found)
        return found

    def positions(self, field: str, term: str) -> tuple[np.ndarray, list]:
        """A term's live slots and each posting's raw value (its positions)."""
        postings, values = self._read(field, term, True)
        return postings.slots, values

    def _read(self, field: str, term: str, with_values: bool) -> tuple[Postings, list]:
        schema_field = self.schema[field] if field in self.schema else None
        if schema_field is None:
            return _nothing(), []
        try:
            btext = schema_field.to_bytes(term)
        except ValueError:
            return _nothing(), []
        fmt = schema_field.format
        slots, frequencies, values, documents = [], [], [], 0
        for segment in self.segments:
            if with_values:  # positions: read from the segment each time (not cached)
                info = term_info(segment.reader, field, btext)
                if info is None:
                    continue
                local, tf, raw = read_postings(segment.reader._terms, info, fmt, True)
            else:
                entry = segment.data.postings(segment.reader, field, btext, decoder(fmt))
                if entry is ABSENT:
                    continue
                local, tf, raw = entry[0].astype(np.int64), entry[1].astype(np.float64), None
            documents += len(local)
            if not segment.all_live:
                keep = segment.live[local]
                local, tf = local[keep], tf[keep]
                if with_values:
                    raw = [v for v, k in zip(raw, keep.tolist(), strict=True) if k]
            slots.append(local + segment.offset)
            frequencies.append(tf)
            if with_values:
                values.extend(raw)
        if not slots:
            return _nothing(documents), values
        if len(slots) > 1:
            joined = Postings(np.concatenate(slots), np.concatenate(frequencies), documents)
        else:
            joined = Postings(slots[0], frequencies[0], documents)
        return joined, values
