"""Stories: near-duplicate documents (an agency dispatch and its copies) grouped at index time,
so a result page can show each story once. One rule, for both stores: the planner
(index/planner.py) asks it for every document it writes, and a store keeps what it answers.

* **A fingerprint** per document: a MinHash (datasketch) of the word 5-grams of what it says
  (title, text, then its declared text fields: two articles with one text under different
  titles are one story, but two tiny records with one word of text are not), the words as
  the tokenizer splits them and the normalizer folds them (bahth.analyzers: one rule of
  what a word is). A text of fewer than five words
  is one shingle. The words are hashed once per distinct spelling (crc32) and a shingle's
  hash is made from its five words' with numpy: hashing each shingle's bytes (datasketch's
  default sha1) cost more than the rest of the fingerprint.
* **A story**: a new or changed document joins the story of the most similar document the
  index holds (estimated Jaccard at or above the threshold; equal ones by the smaller story
  key), found through LSH (banded for a lower threshold, RECALL_MARGIN); else it founds a
  story keyed by its own document key (another key derived from its id when that one is
  still held by the members of a story it left).
  A deleted or changed document leaves its story; the others keep theirs, so a story's id
  is stable while it has members. A run assigns in its plan's order, so ``--rebuild`` of the
  same files gives the same stories.
* **Memory** is the fingerprints (NUM_PERM 32-bit values a document) and the LSH's bands,
  never the texts.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

import numpy as np
from datasketch import MinHash, MinHashLSH

from bahth.analyzers import normalize_word, surfaces
from bahth.index.keys import document_key, hash63

SHINGLE = 5  # words a shingle: the measure (word 5-gram Jaccard)
NUM_PERM = 128  # MinHash values: the estimate's error is about 0.04 at 0.7
SEED = 1  # the permutations: part of the fingerprint rule (an index records none other)
SCHEME = "affine32"  # datasketch's 32-bit permutations (values fit a uint32)
WORD_HASHES_KEPT = 65_536  # distinct spellings whose hash is kept (a news run repeats words)
# LSH finds candidates, the estimate decides: banded for a lower threshold than the rule's, so
# a pair at the threshold is nearly always a candidate. At 0.7, datasketch's own bands (14 of 9
# rows) make a pair at 0.7 a candidate 44% of the time, at 0.8 87%; banded for 0.5 (25 of 5),
# 99% and 100%, and a pair at 0.3 6% (then refused by its estimate).
RECALL_MARGIN = 0.2
BRUTE_JOINS = 64  # documents a run compares with every fingerprint before it builds the LSH
FOLD_EVERY = 2048  # new fingerprints kept in a dict before they join the sorted arrays
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd: a shingle's five word hashes mixed in order
_LOW = np.uint64(0xFFFFFFFF)
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations
_EMPTY = np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)


def story_id(key: int) -> str:
    """A story's id as the library, the JSON and the URLs name it: its key in hex."""
    return f"{int(key):016x}"


def story_key(story: str) -> int | None:
    """The key of a story id (None: not one)."""
    if not isinstance(story, str) or len(story) != 16:
        return None
    try:
        return int(story, 16)
    except ValueError:
        return None


_WORD_HASHES: dict[str, int] = {}  # surface -> hash (shared by threads: a lost entry is redone)


def _word_hashes(words: list[str]) -> list[int]:
    """Each word's 32-bit hash as the normalizer folds it, words with nothing indexable left
    out."""
    known = _WORD_HASHES
    values = list(map(known.get, words))  # most words are known: one C loop
    if None in values:
        if len(known) >= WORD_HASHES_KEPT:
            known.clear()
        for n, surface in enumerate(words):
            if values[n] is None:
                word = normalize_word(surface)
                values[n] = known[surface] = zlib.crc32(word.encode("utf-8")) if word else 0
    return [value for value in values if value]


def shingles(text: str) -> np.ndarray:
    """The 32-bit hashes of ``text``'s word 5-grams (fewer than five words: one shingle of
    them; no word: none), distinct."""
    hashes = _word_hashes(surfaces(text))
    if not hashes:
        return np.zeros(0, dtype=np.uint32)
    words = np.asarray(hashes, dtype=np.uint64)
    n = len(words) - SHINGLE + 1
    if n < 1:
        words, n = words[None, :], 1
        mixed = np.zeros(1, dtype=np.uint64)
        for column in words.T:
            mixed = mixed * _MIX + column
    else:
        mixed = words[:n].copy()
        for k in range(1, SHINGLE):
            mixed = mixed * _MIX + words[k : k + n]
    return np.unique(((mixed >> np.uint64(32)) ^ (mixed & _LOW)).astype(np.uint32))


def fingerprint(*texts: str) -> bytes:
    """A document's fingerprint from its texts, in order: its MinHash values as bytes (b"":
    no word to compare)."""
    hashed = shingles("\n".join(texts))
    if not len(hashed):
        return b""
    a, b = _PERMUTATIONS
    values = (np.outer(hashed, a) + b).min(axis=0)  # uint32 arithmetic wraps, as datasketch's
    return values.astype("<u4").tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Two fingerprints' estimated Jaccard (0.0 when either is empty)."""
    if not a or not b or len(a) != len(b):
        return 0.0
    return float(np.mean(np.frombuffer(a, "<u4") == np.frombuffer(b, "<u4")))


class _Bands:
    """LSH buckets kept compact: each band's key of each fingerprint (a 64-bit mix of its
    rows) in one sorted numpy array with its row, and a run's new ones in a small dict folded
    into the array every FOLD_EVERY fingerprints. datasketch's MinHashLSH keeps a Python set
    per bucket: 256 MB for 31,000 fingerprints in 25 bands; this, about 10 MB. Its band and
    row counts are datasketch's, fitted to the threshold (``MinHashLSH(...).b``, ``.r``)."""

    def __init__(self, threshold: float) -> None:
        fitted = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self.b, self.r = fitted.b, fitted.r
        self.keys = np.zeros(0, dtype=np.uint64)
        self.rows = np.zeros(0, dtype=np.int64)
        self.fresh: dict[int, list[int]] = {}
        self.added = 0

    def keys_of(self, print_: bytes) -> np.ndarray:
        """The fingerprint's key in each band (distinct bands never share a key's mix)."""
        values = np.frombuffer(print_, dtype="<u4")[: self.b * self.r].astype(np.uint64)
        values = values.reshape(self.b, self.r)
        mixed = np.arange(self.b, dtype=np.uint64)
        for column in values.T:
            mixed = mixed * _MIX + column
        return mixed

    def add(self, row: int, keys: np.ndarray) -> None:
        for key in keys.tolist():
            self.fresh.setdefault(key, []).append(row)
        self.added += 1
        if self.added >= FOLD_EVERY:
            self.fold()

    def fold(self) -> None:
        if not self.fresh:
            return
        keys = np.fromiter((k for k, rows in self.fresh.items() for _ in rows), dtype=np.uint64)
        rows = np.fromiter((r for rs in self.fresh.values() for r in rs), dtype=np.int64)
        keys, rows = np.concatenate([self.keys, keys]), np.concatenate([self.rows, rows])
        order = np.argsort(keys, kind="stable")
        self.keys, self.rows = keys[order], rows[order]
        self.fresh, self.added = {}, 0

    def query(self, keys: np.ndarray) -> set[int]:
        low = np.searchsorted(self.keys, keys, side="left")
        high = np.searchsorted(self.keys, keys, side="right")
        found = {int(r) for lo, hi in zip(low.tolist(), high.tolist(), strict=True)
                 for r in self.rows[lo:hi].tolist()}  # fmt: skip
        for key in keys.tolist():
            found.update(self.fresh.get(key, ()))
        return found


class Stories:
    """One run's story assignment over what the index holds (see the module docstring).
    ``members``: (document id, story key, fingerprint) of every document before the run.

    A run that writes few documents compares each with every fingerprint at once (numpy: a
    few ms over 31,000), rather than building the LSH of the whole index (about a second and
    a half of a one-document run); past BRUTE_JOINS documents the LSH is built."""

    def __init__(self, threshold: float, members: Iterable[tuple[str, int, bytes]] = ()) -> None:
        self.threshold = threshold
        self.banded = max(0.3, threshold - RECALL_MARGIN)
        self.lsh: _Bands | None = None
        self.rows: list[tuple[str, bytes]] = []  # an LSH row: (document, its fingerprint then)
        self.prints: dict[str, bytes] = {}
        self.story_of: dict[str, int] = {}
        self.sizes: dict[int, int] = {}
        self.joins = 0
        self._whole: tuple[list[str], list[bytes], np.ndarray] | None = None  # compared at once
        self._since: dict[str, bytes] = {}  # written after the whole was taken
        for doc_id, story, print_ in members:
            self._add(doc_id, story, print_)

    def _add(self, doc_id: str, story: int, print_: bytes) -> None:
        self.story_of[doc_id] = story
        self.sizes[story] = self.sizes.get(story, 0) + 1
        if print_:
            self.prints[doc_id] = print_
            if self.lsh is not None:
                self._index(doc_id, print_)
            elif self._whole is not None:
                self._since[doc_id] = print_

    def leave(self, doc_id: str) -> None:
        """A document deleted or changed leaves its story (the others keep it)."""
        story = self.story_of.pop(doc_id, None)
        if story is None:
            return
        self.sizes[story] -= 1
        if not self.sizes[story]:
            del self.sizes[story]
        self._since.pop(doc_id, None)
        self.prints.pop(doc_id, None)  # its LSH row stays, read as gone (no longer its print)

    def join(self, doc_id: str, print_: bytes) -> int:
        """The story a new or changed document joins (it leaves its old one first)."""
        self.leave(doc_id)
        story = self._closest(print_) if print_ else None
        if story is None:
            story = self._founded(doc_id)
        self._add(doc_id, story, print_)
        return story

    def _candidates(self, print_: bytes) -> Iterable[str]:
        self.joins += 1
        if self.lsh is None and self.joins > BRUTE_JOINS:
            self.lsh = _Bands(self.banded)
            for doc_id, kept in self.prints.items():
                self._index(doc_id, kept)
            self.lsh.fold()
            self._whole, self._since = None, {}
        if self.lsh is not None:
            rows = sorted(self.lsh.query(self.lsh.keys_of(print_)))
            current = [self.rows[row] for row in rows]
            return [doc_id for doc_id, kept in current if self.prints.get(doc_id) is kept]
        return self._alike(print_)

    def _index(self, doc_id: str, print_: bytes) -> None:
        self.rows.append((doc_id, print_))
        self.lsh.add(len(self.rows) - 1, self.lsh.keys_of(print_))

    def _alike(self, print_: bytes) -> list[str]:
        """The documents whose estimate reaches the threshold, compared at once; and those
        written since (each compared by the caller)."""
        if self._whole is None:
            ids = list(self.prints)
            kept = [self.prints[doc_id] for doc_id in ids]
            rows = np.frombuffer(b"".join(kept), dtype="<u4").reshape(len(ids), NUM_PERM)
            self._whole = (ids, kept, rows)
        ids, kept, rows = self._whole
        mine = np.frombuffer(print_, dtype="<u4")
        found = np.flatnonzero((rows == mine).sum(axis=1) >= self.threshold * NUM_PERM)
        same = [ids[i] for i in found.tolist() if self.prints.get(ids[i]) is kept[i]]
        return same + list(self._since)

    def _closest(self, print_: bytes) -> int | None:
        best: tuple[float, int] | None = None
        for other in self._candidates(print_):
            alike = similarity(print_, self.prints[other])
            if alike < self.threshold:
                continue
            candidate = (-alike, self.story_of[other])
            if best is None or candidate < best:
                best = candidate
        return None if best is None else best[1]

    def _founded(self, doc_id: str) -> int:
        """A new story's key: the document's own key, unless a story still holds it."""
        key, n = document_key(doc_id), 0
        while key in self.sizes:
            n += 1
            key = hash63(f"{doc_id}\x00{n}", b"bahth-story")
        return key


def alone(doc_id: str) -> int:
    """The story key of a document written without stories (it is alone in its story)."""
    return document_key(doc_id)
