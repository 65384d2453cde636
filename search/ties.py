"""Equal scores in one order, whatever order the documents were written in.

Whoosh ranks equal scores by docnum, the order in which the documents were written: that
order depends on the run (files read in another order, worker processes, the segments a
merge made), so a rebuild of the same data could show the same hits in another order, and
a cluster ranked them by its own write order (``seq``). The rule now: equal scores, and
equal values of a sort field, go by the document's key, ``document_key(id)``
(index/keys.py), a 63-bit hash of its id. It is the same for a document in every store and
every build, and it costs a cluster nothing: its rows are keyed by it (its SQL orders by
``id``). A folder index reads each segment's ids once, from the id column, and keeps their
keys with the rest of what it derives from the segment (search/segments.py): a query then
pays an array lookup for the documents it ranks, never a read of stored fields.

Why a hash rather than the id itself: the cluster holds the hash, and ordering strings in
its SQL would bring in its collation; an id's own order means nothing across sources
anyway. Ties are decided where they occur: at the cut of the k best (which of the documents
with the k-th score are in) and inside the k.
"""

from __future__ import annotations

import threading

import numpy as np

from bahth.search.segments import segment_data

_LOCK = threading.Lock()
_ATTRIBUTE = "_bahth_tie_keys"


def tie_keys(searcher) -> np.ndarray:
    """Each document's key, by docnum, for a Whoosh searcher (made once per searcher, from
    its segments' keys)."""
    keys = searcher.__dict__.get(_ATTRIBUTE)
    if keys is None:
        with _LOCK:
            keys = searcher.__dict__.get(_ATTRIBUTE)
            if keys is None:
                keys = np.zeros(searcher.doc_count_all(), dtype=np.int64)
                for sub, offset in searcher.leaf_searchers():
                    reader = sub.reader()
                    if reader.doc_count_all():  # Whoosh's EmptyReader has no segment
                        part = segment_data(reader).tie_keys(reader)
                        keys[offset : offset + len(part)] = part
                searcher.__dict__[_ATTRIBUTE] = keys
    return keys


def best(scores: np.ndarray, keys: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` best ``scores``, best first: the higher score, then the lower
    key (``keys[i]`` is the key of ``scores[i]``'s document)."""
    n = len(scores)
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    if k < n:
        kth = np.partition(scores, n - k)[n - k]
        above = np.flatnonzero(scores > kth)
        level = np.flatnonzero(scores == kth)
        level = level[np.argsort(keys[level], kind="stable")[: k - len(above)]]
        chosen = np.concatenate([above, level])
    else:
        chosen = np.arange(n)
    return chosen[np.lexsort((keys[chosen], -scores[chosen]))]
