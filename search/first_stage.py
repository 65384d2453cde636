"""The first stage: which documents a query matches, and their BM25F scores.

Two ways to get the same answer. ``FastSearch`` (search/fastscore.py) scores whole posting
blocks with numpy; ``WhooshMatches`` runs Whoosh's own matchers, one posting at a time. The
second is the reference the first is tested against (``SearchEngine(vectorized=False)``) and
the way for a query node fastscore does not know. Both answer with the same interface, so
everything after them (the second stage, paging, facets, date order) is one code path.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from bahth.search.fastscore import FastSearch, Unsupported


class Matches(Protocol):
    """What a query matched, after filters and masks."""

    @property
    def total(self) -> int: ...

    def docnums(self) -> np.ndarray:
        """Every matched document, ascending."""
        ...

    def top(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The best ``k`` (docnums, scores): by score, then docnum, as Whoosh ranks them."""
        ...


class WhooshMatches:
    """Whoosh's own search behind the Matches interface (every match, ranked: no pruning)."""

    def __init__(self, searcher, query, filter=None, mask=None) -> None:
        results = searcher.search(
            query,
            limit=None,
            filter=filter,
            mask=mask,
            terms=False,
            optimize=False,  # see search.query.Or
        )
        ranked = results.top_n
        self._docs = np.array([docnum for _, docnum in ranked], dtype=np.int64)
        self._scores = np.array([score for score, _ in ranked], dtype=np.float64)

    @property
    def total(self) -> int:
        return len(self._docs)

    def docnums(self) -> np.ndarray:
        return np.sort(self._docs)

    def top(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        return self._docs[: max(k, 0)], self._scores[: max(k, 0)]


def first_stage(searcher, query, filter=None, mask=None, *, vectorized: bool = True) -> Matches:
    """The matches of ``query`` on ``searcher``: numpy scoring when it knows the query."""
    if vectorized:
        try:
            return FastSearch(searcher).matches(query, filter, mask)
        except Unsupported:
            pass
    return WhooshMatches(searcher, query, filter, mask)
