"""Stable 63-bit keys of a document's id and of values, the same in every process, store and
build (a keyed hash, not Python's salted one); and the order of equal scores.

Whoosh ranks equal scores by docnum, the order in which the documents were written: that
order depends on the run (files read in another order, worker processes, the segments a
merge made), so a rebuild of the same data could show the same hits in another order. The
rule: equal scores, and equal values of a sort field, go by the document's key,
``document_key(id)``. It is the same for a document in every store and every build, and it
costs a cluster nothing: its rows are keyed by it (its SQL orders by ``id``). A folder index
reads each segment's ids once, from the id column (index/whoosh/segments.py): a query pays
an array lookup for the documents it ranks, never a read of stored fields.

Why a hash rather than the id itself: the cluster holds the hash, and ordering strings in
its SQL would bring in its collation; an id's own order means nothing across sources
anyway. Ties are decided where they occur: at the cut of the k best (which of the documents
with the k-th score are in) and inside the k.
"""

from __future__ import annotations

import hashlib

import numpy as np


def hash63(text: str, person: bytes) -> int:
    """A 63-bit hash of ``text``, never 0; ``person`` keeps kinds of keys apart."""
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8, person=person).digest()
    return int.from_bytes(digest, "big") & ((1 << 63) - 1) or 1


def document_key(doc_id: str) -> int:
    """A document's key: a cluster's row id for it, and the order of equal scores."""
    return hash63(str(doc_id), b"bahth-doc")


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
