"""A term's postings in one segment, read as Whoosh stores them (W3 codec): the term's blocks
read from the postings file in one go and unpacked in memory, instead of posting by posting
through Whoosh's matchers (index/whoosh/reader.py says why)."""

from __future__ import annotations

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.filedb.structfile import BufferFile


def decoder(fmt):
    """Reads a term's (docnums, weights) in one segment, for SegmentData.postings."""

    def decode(terms, terminfo):
        ids, weights, _ = read_postings(terms, terminfo, fmt, False)
        return ids, weights

    return decode


def read_postings(terms, terminfo, fmt, with_values: bool):
    """(local docnums, weights, raw values or None) of a term in one segment, read block by
    block from Whoosh's postings file (W3 codec) instead of posting by posting: the term's
    blocks are read from the file in one go, then unpacked in memory."""
    if terminfo.is_inlined():
        ids, weights, values = terminfo.inlined_postings()
        return (
            np.array(ids, dtype=np.int64),
            np.array(weights, dtype=np.float64),
            list(values) if with_values else None,
        )
    offset, length = terminfo.extent()
    if isinstance(length, tuple):  # Whoosh 2.7.4's from_bytes keeps struct.unpack's tuple
        (length,) = length
    m = W3LeafMatcher(BufferFile(terms._postfile.get(offset, length)), 0, length, fmt)
    deltas: list = []
    weights: list = []
    values: list | None = [] if with_values else None
    starts: list[int] = []
    last_ids: list[int] = []
    while True:
        m._read_data()
        block_ids, block_weights, block_values = m._data
        n = m._blocklength
        starts.append(len(deltas))
        last_ids.append(m._maxid)
        deltas.extend(block_ids)
        if block_weights is None:
            weights.extend([1.0] * n)
        elif isinstance(block_weights, float):
            weights.extend([block_weights] * n)
        else:
            weights.extend(block_weights)
        if with_values:
            values.extend(block_values)
        if m._lastblock:
            break
        m._goto(m._nextoffset)
    ids = np.array(deltas, dtype=np.int64)
    if len(starts) > 1:
        # each block's ids are deltas from 0: make them deltas from the previous block's last
        ids[starts[1:]] -= np.array(last_ids[:-1], dtype=np.int64)
    return np.cumsum(ids), np.array(weights, dtype=np.float64), values
