"""Stable 63-bit keys of a document's id and of values: the same in every process, store and
build (a keyed hash, not Python's salted one).

A cluster keys its rows by ``document_key`` and both stores order equal scores by it
(search/ties.py), so it lives beside them rather than in either.
"""

from __future__ import annotations

import hashlib


def hash63(text: str, person: bytes) -> int:
    """A 63-bit hash of ``text``, never 0; ``person`` keeps kinds of keys apart."""
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8, person=person).digest()
    return int.from_bytes(digest, "big") & ((1 << 63) - 1) or 1


def document_key(doc_id: str) -> int:
    """A document's key: a cluster's row id for it, and the order of equal scores."""
    return hash63(str(doc_id), b"bahth-doc")
