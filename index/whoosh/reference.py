"""Whoosh's own search of a query tree, posting by posting: the reference the one scorer
(search/scorer.py) is tested against on a folder (``SearchEngine(vectorized=False)``).

The tree (index/nodes.py) is turned into Whoosh's query classes and run with Whoosh's
collector and a BM25F weighting with bahth's constants. Conditions are met as the folder
reader meets them (index/whoosh/reader.py): the narrowing condition is Whoosh's filter of
docnums, a Condition inside the tree a matcher of its documents that scores 0.
"""

from __future__ import annotations

from array import array

import numpy as np
from whoosh import query as wq
from whoosh import scoring
from whoosh.collectors import FilterCollector, WrappingCollector
from whoosh.matching import ListMatcher, NullMatcher
from whoosh.searching import Searcher

from bahth.index import nodes
from bahth.index.deadline import NO_DEADLINE, SCORING, Deadline

CHECK_EVERY = 1024  # documents Whoosh's matchers collect between two looks at the clock


def reference_scores(
    reader, query, condition, ranking, deadline: Deadline = NO_DEADLINE
) -> tuple[np.ndarray, np.ndarray]:
    """(scores, matched) by docnum, as Whoosh's matchers score ``query`` over a
    FolderReader, narrowed by ``condition``. ``ranking``: search.ranking.Ranking's
    constants."""
    scores = np.zeros(reader.size, dtype=np.float64)
    matched = np.zeros(reader.size, dtype=bool)
    searcher = Searcher(reader.whoosh, weighting=weighting(ranking), closereader=False)
    collector = _DeadlineCollector(searcher.collector(limit=None, optimize=False), deadline)
    if condition is not None:
        allowed = set(np.flatnonzero(reader.meets(condition)).tolist())
        if not allowed:  # (Whoosh reads an empty set as no filter at all)
            return scores, matched
        collector = FilterCollector(collector, allowed)  # outside, as Whoosh puts it
    searcher.search_with_collector(whoosh_query(query, reader), collector)
    for score, docnum in collector.results().top_n:
        scores[docnum] = score
        matched[docnum] = True
    return scores, matched


def whoosh_query(node, reader) -> wq.Query:
    """``node`` as Whoosh's query classes."""
    if isinstance(node, nodes.Term):
        return wq.Term(node.field, node.text, boost=node.boost)
    if isinstance(node, nodes.Phrase):
        return wq.Phrase(node.field, list(node.words), slop=node.slop, boost=node.boost)
    if isinstance(node, nodes.Or):
        parts = [whoosh_query(p, reader) for p in node.parts]
        unscored = any(isinstance(p, nodes.Condition) for p in node.parts)
        return (_Union if unscored else _ArrayOr)(parts, boost=node.boost)
    if isinstance(node, nodes.And):
        return wq.And([whoosh_query(p, reader) for p in node.parts], boost=node.boost)
    if isinstance(node, nodes.AndNot):
        return wq.AndNot(whoosh_query(node.positive, reader), whoosh_query(node.negative, reader))
    if isinstance(node, nodes.AndMaybe):
        return wq.AndMaybe(whoosh_query(node.required, reader), whoosh_query(node.optional, reader))
    if isinstance(node, nodes.Every):
        return wq.Every(boost=node.boost)
    if isinstance(node, nodes.Condition):
        return _Met(reader, node.condition)
    return wq.NullQuery


class _ArrayOr(wq.Or):
    """bahth's Or: Whoosh's matcher that adds scores up in arrays, block by block (what the
    scorer's sum follows)."""

    matcher_type = wq.Or.ARRAY_MATCHER


class _Union(wq.Or):
    """An Or with a Condition among its parts: Whoosh's binary tree of union matchers, which
    keeps a document that scores 0 (its array matcher drops it)."""

    matcher_type = wq.Or.DEFAULT_MATCHER


class _Met(wq.Query):
    """The documents of a segment that meet a condition, each scoring 0."""

    def __init__(self, reader, condition) -> None:
        self.reader = reader
        self.condition = condition

    def __eq__(self, other) -> bool:
        return type(other) is _Met and other.condition == self.condition

    def __hash__(self) -> int:
        return hash(self.condition)

    def __unicode__(self) -> str:
        return nodes.describe_condition(self.condition)

    __str__ = __unicode__

    def estimate_size(self, ixreader) -> int:
        return ixreader.doc_count_all()

    def matcher(self, searcher, context=None):
        met = self.reader.meets(self.condition)
        segment = searcher.reader()
        for part in self.reader.segments:
            if part.reader is segment:
                local = np.flatnonzero(met[part.offset : part.offset + part.size])
                ids = array("I", local.tolist())
                return _Unscored(ids) if ids else NullMatcher()
        ids = array("I", np.flatnonzero(met).tolist())  # the whole index (one segment)
        return _Unscored(ids) if ids else NullMatcher()


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


def weighting(ranking) -> scoring.WeightingModel:
    """Whoosh's BM25F with bahth's constants (search/ranking.py's Ranking), its idf
    Ranking's own."""
    model = _BM25F(
        B=ranking.b, K1=ranking.k1, title_B=ranking.title_b, title_exact_B=ranking.title_b
    )
    model.ranking = ranking
    return model


class _BM25F(scoring.BM25F):
    """Whoosh's BM25F, with the idf Ranking.word_idf gives."""

    ranking = None

    def idf(self, searcher, fieldname, text) -> float:
        parent = searcher.get_parent()
        n, documents = parent.doc_frequency(fieldname, text), parent.doc_count_all()
        return self.ranking.word_idf(n, documents)
