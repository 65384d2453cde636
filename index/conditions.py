"""Conditions inside a scored query tree: field clauses that must stand beside words (``وزير
OR source:a``) or narrow each side of an OR its own way, as Whoosh query nodes that match and
score 0. Both stores and the query compiler know them, so they live below all three."""

from __future__ import annotations

from array import array

from whoosh import query as wq
from whoosh.matching import ListMatcher, NullMatcher


class Condition(wq.ConstantScoreQuery):
    """A condition (field clauses) inside a scored query: it matches the documents that meet
    it and adds 0 to their score. Where the query language puts a field clause beside words
    in one OR (``وزير OR source:a``) or narrows each side its own way (``(وزير source:a) OR
    (تعليم source:b)``), the clause cannot narrow the whole query from outside, so it stands
    in the query tree as this."""

    def __init__(self, condition: wq.Query, score: float = 0.0) -> None:
        super().__init__(condition, score=0.0)

    @property
    def condition(self) -> wq.Query:
        return self.child

    def matcher(self, searcher, context=None):
        """The documents of one segment that meet the condition, each scoring 0 (Whoosh's
        own ConstantScoreQuery hands its child's scoring matcher on when a context asks)."""
        ids = array("I", searcher.docs_for_query(self.child))
        return _Unscored(ids) if ids else NullMatcher()


class AnyOf(wq.Or):
    """An Or one of whose sides is a Condition: Whoosh's binary tree of union matchers, which
    keeps a document that scores 0 (its array matcher, bahth's usual Or, drops it)."""

    matcher_type = wq.Or.DEFAULT_MATCHER


class _Unscored(ListMatcher):
    """Documents that score 0 (Whoosh's ListMatcher reads a weight of 0 as "none": 1.0)."""

    def weight(self) -> float:
        return 0.0

    def score(self) -> float:
        return 0.0

    def block_max_weight(self) -> float:
        return 0.0

    def copy(self):
        return _Unscored(self._ids, position=self._i)
