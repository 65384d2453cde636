"""The first stage: which documents a query matches, and their BM25F scores.

Two ways to get the same answer. ``FastSearch`` (search/fastscore.py) scores whole posting
blocks with numpy; ``WhooshMatches`` runs Whoosh's own matchers, one posting at a time. The
second is the reference the first is tested against (``SearchEngine(vectorized=False)``) and
the way for a query node fastscore does not know. Both answer with the same interface, so
everything after them (the second stage, paging, facets, date order) is one code path.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
from whoosh.collectors import FilterCollector, WrappingCollector

from bahth.index.deadline import NO_DEADLINE, SCORING, Deadline
from bahth.index.keys import best
from bahth.index.whoosh.segments import tie_keys
from bahth.search.fastscore import FastSearch, Unsupported

CHECK_EVERY = 1024  # documents Whoosh's matchers collect between two looks at the clock


class Matches(Protocol):
    """What a query matched, after its condition."""

    @property
    def total(self) -> int: ...

    def docnums(self) -> np.ndarray:
        """Every matched document, ascending."""
        ...

    def top(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The best ``k`` (docnums, scores): by score, equal scores by the documents' tie
        keys (index/keys.py), whatever order they were written in."""
        ...


@runtime_checkable
class EngineMatches(Matches, Protocol):
    """Matches found by another engine (search/sphinx_search.py), which counts facets over
    every match and orders them by date itself, and may have gone without a node."""

    partial: bool  # some node did not answer: its documents are missing
    warning: str | None  # which, in a sentence
    notices: tuple[str, ...]  # codes (search.notices) of what the engine could not run

    def facet_counts(self, names) -> dict[str, dict[str, int]]: ...

    def sorted_by(
        self, key, limit: int, reranked: list[tuple[float, int]]
    ) -> list[tuple[float, int]]: ...


class WhooshMatches:
    """Whoosh's own search behind the Matches interface (every match, ranked: no pruning)."""

    def __init__(self, searcher, query, filter=None, deadline: Deadline = NO_DEADLINE) -> None:
        # what searcher.search(limit=None, optimize=False) collects (see search.query.Or),
        # with the deadline looked at as the documents come
        collector = _DeadlineCollector(searcher.collector(limit=None, optimize=False), deadline)
        if filter is not None:
            collector = FilterCollector(collector, filter)  # outside, as Whoosh puts it
        searcher.search_with_collector(query, collector)
        ranked = collector.results().top_n  # by score, then docnum
        docs = np.array([docnum for _, docnum in ranked], dtype=np.int64)
        scores = np.array([score for score, _ in ranked], dtype=np.float64)
        order = best(scores, tie_keys(searcher)[docs], len(docs))  # equal scores by key
        self._docs, self._scores = docs[order], scores[order]

    @property
    def total(self) -> int:
        return len(self._docs)

    def docnums(self) -> np.ndarray:
        return np.sort(self._docs)

    def top(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        return self._docs[: max(k, 0)], self._scores[: max(k, 0)]


class _DeadlineCollector(WrappingCollector):
    """Whoosh's collector, looking at the deadline every CHECK_EVERY documents and at each
    segment (Whoosh's own TimeLimitCollector starts a timer thread for every search)."""

    def __init__(self, child, deadline: Deadline) -> None:
        super().__init__(child)
        self.deadline = deadline
        self.collected = 0

    def set_subsearcher(self, subsearcher, offset) -> None:
        self.deadline.check(SCORING)
        super().set_subsearcher(subsearcher, offset)

    def collect(self, sub_docnum):
        self.collected += 1
        if not self.collected % CHECK_EVERY:
            self.deadline.check(SCORING)
        return self.child.collect(sub_docnum)


def first_stage(
    searcher,
    query,
    filter=None,
    *,
    vectorized: bool = True,
    deadline: Deadline = NO_DEADLINE,
) -> Matches:
    """The matches of ``query`` on ``searcher``: numpy scoring when it knows the query.
    Past ``deadline`` (checked per term, or every CHECK_EVERY documents) it raises
    SearchTimeout. A searcher over another engine runs its own first stage."""
    own = getattr(searcher, "first_stage_matches", None)
    if own is not None:
        return own(query, filter, deadline)
    if vectorized:
        try:
            return FastSearch(searcher).matches(query, filter, deadline)
        except Unsupported:
            pass
    return WhooshMatches(searcher, query, filter, deadline)
