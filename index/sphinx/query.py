"""bahth's query trees (search/query.py builds them) as a Sphinx/Manticore MATCH expression
and filter, and their BM25F scores computed by bahth over the documents the engine found.

The engine decides which documents match (MATCH runs the tree's boolean structure over the
field-tagged tokens index/sphinx_schema.py wrote) and counts them; bahth scores them, as
Whoosh would: each Term's BM25 with bahth's k1 and per-field b, the idf from the document
frequency across the whole cluster (not one shard's: see search/sphinx_search.py), the
average field length across the cluster and each document's byte-quantized field length,
and the tree's Or sums, And sums, AndNot and AndMaybe applied as search/fastscore.py applies
them. Phrases are the engine's: it says which candidates hold them.

One difference, on purpose: the proximity bonus (two words of a short query within
``slop`` words of each other, search.query._proximity) is the engine's ``"a b"~slop``,
which also takes the words in reverse order; Whoosh takes them in order only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import log

import numpy as np
from whoosh import query as wq
from whoosh.util.numeric import _length_byte_cache

from bahth.index.conditions import Condition
from bahth.index.sphinx.schema import FIELD_TAGS, NO_DATE, date_key, token, value_key

FILTER_FIELDS = {"source": "source_key", "year": "year_key"}
# The engine's own ranking, which only chooses the ``candidates`` bahth scores when a query
# matches more documents than that: Sphinx's built-in BM25 (each shard's idf, no length
# normalization). Measured on 600 arwiki questions with candidates=50 (bench/README.md):
# MRR@10 0.840 against 0.842 when bahth scores every match. The expression ranker
# expr('bm25f(...)') looks closer to bahth's BM25F but does worse (0.830; 0.834 with plain
# idf), and without a scale it is 0 for every document: WEIGHT() is a whole number, so the
# candidates were whichever documents the engine met first (0.390).
CANDIDATE_RANKER = "ranker=bm25"
_BYTE_LENGTHS = np.array(_length_byte_cache, dtype=np.float64)
_LONGEST = 106374  # whoosh.util.numeric.length_to_byte: this length and more are byte 255


class NothingMatches(Exception):
    """The tree can match no document (e.g. a prefix no indexed word starts with)."""


class InnerCondition(Exception):
    """A field clause inside the query tree (``وزير OR source:a``): the engine's MATCH runs
    words only and its filters narrow the whole query, so it cannot run this query."""


@dataclass
class MatchPlan:
    """What the engine is asked: ``match`` ('' for every document), the tokens whose term
    frequencies the scores need, and the phrases whose documents it is asked for."""

    match: str
    tokens: list[str] = field(default_factory=list)
    phrases: dict[int, str] = field(default_factory=dict)  # id(Phrase node) -> its MATCH


def plan(query) -> MatchPlan:
    """The MATCH expression of ``query`` and what scoring needs. NothingMatches when it
    cannot match anything."""
    tokens: dict[str, None] = {}
    phrases: dict[int, str] = {}
    match = _match(query, tokens, phrases, top=True)
    if match is None:
        raise NothingMatches()
    return MatchPlan(match, list(tokens), phrases)


def _is_bonus(q) -> bool:
    """A proximity phrase: it adds to the score of documents its Or already matched."""
    return type(q) is wq.Phrase and q.slop > 1


def _match(q, tokens: dict, phrases: dict, top: bool = False) -> str | None:
    """None: matches nothing; '': every document; else a MATCH expression."""
    kind = type(q)
    if q is wq.NullQuery or kind is wq.qcore._NullQuery:
        return None
    if kind is wq.Term:
        if q.fieldname not in FIELD_TAGS:
            raise ValueError(f"not a searched field: {q.fieldname}")
        tok = token(q.fieldname, q.text)
        tokens[tok] = None
        return tok
    if kind is wq.Every:
        return ""
    if kind is wq.Phrase:
        words = [token(q.fieldname, w) for w in q.words]
        for tok in words:
            tokens[tok] = None
        text = '"' + " ".join(words) + '"' + (f"~{q.slop}" if q.slop > 1 else "")
        phrases[id(q)] = text
        return text
    if isinstance(q, wq.Or):
        parts = []
        for sub in q.subqueries:
            if _is_bonus(sub):
                _match(sub, tokens, phrases)  # scored, but never a reason to match
                continue
            part = _match(sub, tokens, phrases)
            if part == "":
                return ""
            if part is not None:
                parts.append(part)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"
    if kind is wq.And:
        parts = []
        for sub in q.subqueries:
            part = _match(sub, tokens, phrases)
            if part is None:
                return None
            if part:
                parts.append(part)
        if not parts:
            return ""
        return parts[0] if len(parts) == 1 else "(" + " ".join(parts) + ")"
    if kind is wq.AndNot:
        positive = _match(q.a, tokens, phrases)
        negative = _match(q.b, {}, {})
        if positive is None or negative == "":
            return None
        if negative is None:
            return positive
        if positive == "":
            raise ValueError("a NOT with nothing to look for")
        return f"({positive} -({negative}))"
    if kind is wq.AndMaybe:
        _match(q.b, tokens, phrases)  # scored where it matches too
        return _match(q.a, tokens, phrases)
    if kind is Condition:
        raise InnerCondition()
    raise ValueError(f"a query node the Sphinx backend does not know: {kind.__name__}")


# ---- filters ------------------------------------------------------------------------------


def condition(q) -> str:
    """A condition (source:, year:, date: and their And, Or, Not) as an engine expression
    that is 1 for the documents it keeps."""
    kind = type(q)
    if kind is wq.Not:
        return f"NOT ({condition(q.query)})"
    if kind is wq.Term and q.fieldname in FILTER_FIELDS:
        return f"{FILTER_FIELDS[q.fieldname]}={value_key(q.text)}"
    if kind is wq.DateRange or (kind is wq.NumericRange and q.fieldname == "date"):
        parts = [f"date_key>{NO_DATE}"]
        start, end = getattr(q, "startdate", None), getattr(q, "enddate", None)
        if start is not None:
            parts.append(f"date_key{'>' if q.startexcl else '>='}{date_key(start)}")
        if end is not None:
            parts.append(f"date_key{'<' if q.endexcl else '<='}{date_key(end)}")
        return "(" + " AND ".join(parts) + ")"
    if kind is wq.And:
        return "(" + " AND ".join(condition(s) for s in q.subqueries) + ")"
    if isinstance(q, wq.Or):
        return "(" + " OR ".join(condition(s) for s in q.subqueries) + ")"
    if kind is wq.Every:
        return "1"
    raise ValueError(f"a filter the Sphinx backend does not know: {q!r}")


def keep_expression(filter) -> str | None:
    """The expression of a query's condition (None: keep everything)."""
    return None if filter is None else condition(filter)


# ---- scores ------------------------------------------------------------------------------


def quantized(lengths: np.ndarray) -> np.ndarray:
    """Field lengths as Whoosh's reader gives them: rounded through its one-byte code."""
    codes = np.minimum(np.searchsorted(_BYTE_LENGTHS, lengths, side="left"), 255)
    codes[lengths >= _LONGEST] = 255
    return _BYTE_LENGTHS[codes]


@dataclass
class Collection:
    """The cluster-wide numbers BM25 needs: documents, and each field's total length."""

    documents: int
    totals: dict[str, float]

    def average(self, fieldname: str) -> float:
        return (self.totals.get(fieldname, 0.0) / self.documents) if self.documents else 1.0


class Scorer:
    """Evaluates a query tree over n candidates: (scores, matched) arrays, as fastscore's
    Evaluator does over a whole Whoosh index."""

    def __init__(
        self,
        weighting,
        collection: Collection,
        frequencies: dict[str, int],
        tfs: dict[str, np.ndarray],
        lengths: dict[str, np.ndarray],
        phrase_hits: dict[int, np.ndarray],
        n: int,
    ) -> None:
        self.weighting = weighting
        self.collection = collection
        self.frequencies = frequencies
        self.tfs = tfs
        self.lengths = {name: quantized(values) for name, values in lengths.items()}
        self.phrase_hits = phrase_hits
        self.n = n
        self._terms: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}

    def empty(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.n, dtype=np.float64), np.zeros(self.n, dtype=bool)

    def idf(self, n: int) -> float:
        documents = self.collection.documents
        if getattr(self.weighting, "rsj_idf", False):
            return log(1 + (documents - n + 0.5) / (n + 0.5))
        return log(documents / (n + 1)) + 1

    def term(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """BM25 (unboosted) of one term for every candidate, whoosh.scoring.bm25's way."""
        key = (fieldname, text)
        if key not in self._terms:
            tok = token(fieldname, text)
            tf = self.tfs.get(tok)
            if tf is None:
                self._terms[key] = self.empty()
            else:
                w = self.weighting
                idf = self.idf(self.frequencies.get(tok, 0))
                avgfl = self.collection.average(fieldname) or 1
                B = w._field_B.get(fieldname, w.B)
                K1 = w.K1
                fl = self.lengths[fieldname]
                tf = tf.astype(np.float64)
                scores = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
                matched = tf > 0
                scores[~matched] = 0.0
                self._terms[key] = (scores, matched)
        return self._terms[key]

    def evaluate(self, q) -> tuple[np.ndarray, np.ndarray]:
        kind = type(q)
        if q is wq.NullQuery or kind is wq.qcore._NullQuery:
            return self.empty()
        if kind is wq.Term:
            scores, matched = self.term(q.fieldname, q.text)
            return scores * q.boost, matched.copy()
        if kind is wq.Every:
            return np.full(self.n, float(q.boost)), np.ones(self.n, dtype=bool)
        if isinstance(q, wq.Or) or kind is wq.And:
            subs = q.subqueries
            if not subs:
                return self.empty()
            if len(subs) == 1:
                return self.evaluate(subs[0])
            if kind is wq.And:
                parts = [self.evaluate(s) for s in subs]
                matched = np.logical_and.reduce([m for _, m in parts])
                scores = sum(s for s, _ in parts[1:]) + parts[0][0]
                if q.boost != 1.0:
                    scores = scores * q.boost
                scores[~matched] = 0.0
                return scores, matched
            acc = np.zeros(self.n, dtype=np.float64)
            for sub in subs:
                if type(sub) is wq.Term:
                    scores, matched = self.term(sub.fieldname, sub.text)
                    acc[matched] += (scores[matched] * sub.boost) * q.boost
                else:
                    scores, matched = self.evaluate(sub)
                    acc[matched] += scores[matched] * q.boost
            return acc, acc > 0
        if kind is wq.AndNot:
            scores, matched = self.evaluate(q.a)
            matched &= ~self.evaluate(q.b)[1]
            scores[~matched] = 0.0
            return scores, matched
        if kind is wq.AndMaybe:
            scores, matched = self.evaluate(q.a)
            extra, also = self.evaluate(q.b)
            both = matched & also
            scores[both] = scores[both] + extra[both]
            return scores, matched
        if kind is wq.Phrase:
            matched = self.phrase_hits.get(id(q))
            if matched is None:
                return self.empty()
            parts = [self.term(q.fieldname, w)[0] for w in q.words]
            scores = _binary_tree_sum(parts)
            if q.boost != 1.0:
                scores = scores * q.boost
            scores = np.where(matched, scores, 0.0)
            return scores, matched.copy()
        raise ValueError(f"a query node the Sphinx backend does not know: {kind.__name__}")


def _binary_tree_sum(parts: list[np.ndarray]) -> np.ndarray:
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    return _binary_tree_sum(parts[:half]) + _binary_tree_sum(parts[half:])
