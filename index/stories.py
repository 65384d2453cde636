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


def _minhash(print_: bytes) -> MinHash:
    values = np.frombuffer(print_, dtype="<u4").astype(np.uint32)
    return MinHash(
        num_perm=NUM_PERM, seed=SEED, hashvalues=values, permutations=_PERMUTATIONS, scheme=SCHEME
    )


def similarity(a: bytes, b: bytes) -> float:
    """Two fingerprints' estimated Jaccard (0.0 when either is empty)."""
    if not a or not b or len(a) != len(b):
        return 0.0
    return float(np.mean(np.frombuffer(a, "<u4") == np.frombuffer(b, "<u4")))


class Stories:
    """One run's story assignment over what the index holds (see the module docstring).
    ``members``: (document id, story key, fingerprint) of every document before the run.

    A run that writes few documents compares each with every fingerprint at once (numpy: a
    few ms over 31,000), rather than building the LSH of the whole index (about a second and
    a half of a one-document run); past BRUTE_JOINS documents the LSH is built."""

    def __init__(self, threshold: float, members: Iterable[tuple[str, int, bytes]] = ()) -> None:
        self.threshold = threshold
        self.banded = max(0.3, threshold - RECALL_MARGIN)
        self.lsh: MinHashLSH | None = None
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
                self.lsh.insert(doc_id, _minhash(print_), check_duplication=False)
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
        if self.prints.pop(doc_id, None) is not None and self.lsh is not None:
            self.lsh.remove(doc_id)

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
            self.lsh = MinHashLSH(threshold=self.banded, num_perm=NUM_PERM)
            for doc_id, kept in self.prints.items():
                self.lsh.insert(doc_id, _minhash(kept), check_duplication=False)
            self._whole, self._since = None, {}
        if self.lsh is not None:
            return self.lsh.query(_minhash(print_))
        return self._alike(print_)

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
