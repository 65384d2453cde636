"""Whoosh's own BM25F scores for a whole query at once, with numpy.

Whoosh scores a query one posting at a time in Python (matcher trees, ``score()`` per
posting, a heap per hit): on SaudiNewsNet that was nearly all of a query's time. Here the
same query tree is evaluated over the whole index: each term's posting blocks are read as
Whoosh stores them (ids, weights), BM25 is computed for a whole term with numpy, and the
query's Or/And/AndNot combine dense per-document arrays. Everything Whoosh's score depends
on is Whoosh's: idf and average field length from the top-level searcher, the byte-quantized
field length of each document, each clause's boost, and the order in which the matchers add
scores (so the sums are the same floating-point numbers, not merely close ones).

Phrases are scored by their own Whoosh matcher, segment by segment; a query node this module
does not know raises Unsupported, and the engine runs Whoosh's search instead. The one
shortcut: proximity bonuses (two-word phrases at the end of the top-level Or) are checked
against positions only for the documents that could still enter the requested top k, which
keeps the top k exact.

``tests/test_fastscore.py`` checks the results against Whoosh's own search, query shape by
query shape.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from dataclasses import dataclass, field

import numpy as np
from whoosh import query as wq
from whoosh import scoring
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.filedb.structfile import BufferFile
from whoosh.reading import TermNotFound

from bahth.index.conditions import AnyOf, Condition
from bahth.index.deadline import NO_DEADLINE, SCORING, Deadline
from bahth.index.keys import best
from bahth.index.whoosh.segments import ABSENT, SegmentData, segment_data, tie_keys

_EMPTY_IDS = np.zeros(0, dtype=np.int64)
_EMPTY_SCORES = np.zeros(0, dtype=np.float64)
_ARRAYS_LOCK = threading.Lock()


class Unsupported(Exception):
    """The searcher's weighting is not one this module reproduces: use Whoosh's search."""


@dataclass
class Postings:
    """One term over the whole index: global docnums (ascending), BM25 (unboosted) and, for
    fields with positions, each posting's raw value."""

    ids: np.ndarray
    scores: np.ndarray
    values: list | None = None


@dataclass
class _Segment:
    searcher: object
    offset: int
    size: int
    live: np.ndarray  # bool per local docnum: not deleted
    data: SegmentData  # what the process keeps of this segment (search/segments.py)


class IndexArrays:
    """What scoring reads of one searcher (one generation of the index): its segments,
    which documents are live, and, when first asked, facet codes and date ranks. Each
    segment's part comes from its SegmentData, made once per process: a new generation only
    joins them up (and reads what a new segment brings)."""

    def __init__(self, searcher) -> None:
        weighting = searcher.weighting
        if not isinstance(weighting, scoring.BM25F) or weighting.use_final:
            raise Unsupported(type(weighting).__name__)
        self.searcher = searcher
        self.weighting = weighting
        self.size = searcher.doc_count_all()
        self.segments: list[_Segment] = []
        for sub, offset in searcher.leaf_searchers():
            reader = sub.reader()
            if not reader.doc_count_all():  # an index with no segment yet: Whoosh's EmptyReader
                continue
            data = segment_data(reader)
            self.segments.append(_Segment(sub, offset, data.size, data.live(reader), data))
        self.live = (
            np.concatenate([s.live for s in self.segments])
            if self.segments
            else np.zeros(0, dtype=bool)
        )
        self._facets: dict[str, tuple[np.ndarray, np.ndarray, list[str]]] = {}
        self._sort: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._lock = threading.Lock()

    @classmethod
    def of(cls, searcher) -> IndexArrays:
        """The arrays of ``searcher``, made on first use and kept with it (one for all the
        threads that share the searcher)."""
        arrays = searcher.__dict__.get("_bahth_arrays")
        if arrays is None:
            with _ARRAYS_LOCK:
                arrays = searcher.__dict__.get("_bahth_arrays")
                if arrays is None:
                    arrays = searcher.__dict__["_bahth_arrays"] = cls(searcher)
        return arrays

    def lengths(self, segment: _Segment, fieldname: str) -> np.ndarray:
        return segment.data.lengths(segment.searcher.reader(), fieldname)

    def values(self, name: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Every (value code, document) pair of a keyword field, as two arrays, and the value
        of each code, in the order values first appear in the index. A facet is then one
        ``bincount`` of the codes of the matched documents' pairs, for a field with one value
        per document or many."""
        with self._lock:
            if name not in self._facets:
                self._facets[name] = self._read_values(name)
            return self._facets[name]

    def _read_values(self, name: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
        reader = self.searcher.reader()
        codes, docs, names, firsts = [], [], [], []
        if name in self.searcher.schema:
            for term in reader.lexicon(name):
                ids = np.fromiter(reader.postings(name, term).all_ids(), dtype=np.int64)
                ids = ids[self.live[ids]] if len(ids) else ids
                if not len(ids):
                    continue
                codes.append(np.full(len(ids), len(names), dtype=np.int64))
                docs.append(ids)
                names.append(term.decode("utf-8"))
                firsts.append(int(ids.min()))
        order = np.argsort(np.array(firsts, dtype=np.int64), kind="stable")
        recode = np.empty(len(names), dtype=np.int64)
        recode[order] = np.arange(len(names))
        joined = np.concatenate(codes) if codes else np.zeros(0, dtype=np.int64)
        return (
            recode[joined] if len(joined) else joined,
            np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64),
            [names[i] for i in order.tolist()],
        )

    def sort_keys(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Per document, its value of a date or number field as an order-keeping unsigned
        integer (Whoosh's column), and whether it has one (the ``has`` field's postings)."""
        with self._lock:
            if name not in self._sort:
                self._sort[name] = self._read_sort_keys(name)
            return self._sort[name]

    def _read_sort_keys(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        keys = np.zeros(self.size, dtype=np.uint64)
        for segment in self.segments:
            column = segment.searcher.reader().column_reader(name, translate=False)
            keys[segment.offset : segment.offset + segment.size] = np.fromiter(
                (int(v) for v in column), dtype=np.uint64, count=segment.size
            )
        present = np.zeros(self.size, dtype=bool)
        reader = self.searcher.reader()
        if ("has", name) in reader:
            present[np.fromiter(reader.postings("has", name).all_ids(), dtype=np.int64)] = True
        return keys, present & self.live

    # ---- postings --------------------------------------------------------------------

    def postings(self, fieldname: str, text, with_values: bool = False) -> Postings:
        """Every live posting of one term, scored as Whoosh's BM25F scorer scores it."""
        top = self.searcher
        schema_field = top.schema[fieldname] if fieldname in top.schema else None
        if schema_field is None:
            return Postings(_EMPTY_IDS, _EMPTY_SCORES, [] if with_values else None)
        try:
            btext = schema_field.to_bytes(text)
        except ValueError:
            return Postings(_EMPTY_IDS, _EMPTY_SCORES, [] if with_values else None)
        fmt = schema_field.format
        found = []  # (segment, local docnums, weights, raw values)
        frequency = 0  # documents with the term, deleted ones included (Whoosh's count)
        for segment in self.segments:
            reader = segment.searcher.reader()
            if with_values:  # positions: read from the segment each time (not cached)
                terms = reader._terms  # the segment's W3TermsReader
                try:
                    terminfo = terms.term_info(fieldname, btext)
                except TermNotFound:
                    continue
                local, tf, raw = _read_postings(terms, terminfo, fmt, True)
            else:
                entry = segment.data.postings(reader, fieldname, btext, _decoder(fmt))
                if entry is ABSENT:
                    continue
                local, tf, raw = entry[0].astype(np.int64), entry[1].astype(np.float64), None
            frequency += len(local)
            found.append((segment, local, tf, raw))
        scorable = schema_field.scorable
        if scorable and found:
            w = self.weighting
            idf = self._idf(fieldname, btext, frequency)
            avgfl = top.avg_field_length(fieldname) or 1
            B = w._field_B.get(fieldname, w.B)
            K1 = w.K1
        ids_parts, score_parts, values = [], [], [] if with_values else None
        for segment, local, tf, raw in found:
            if not segment.live.all():
                keep = segment.live[local]
                local, tf = local[keep], tf[keep]
                if with_values:
                    raw = [v for v, k in zip(raw, keep.tolist(), strict=True) if k]
            if scorable:
                fl = self.lengths(segment, fieldname)[local]
                # whoosh.scoring.bm25, term for term, so the numbers are the same
                s = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
            else:
                s = tf
            ids_parts.append(local + segment.offset)
            score_parts.append(s)
            if with_values:
                values.extend(raw)
        if not ids_parts:
            return Postings(_EMPTY_IDS, _EMPTY_SCORES, values)
        if len(ids_parts) == 1:
            return Postings(ids_parts[0], score_parts[0], values)
        return Postings(np.concatenate(ids_parts), np.concatenate(score_parts), values)

    def _idf(self, fieldname: str, btext: bytes, frequency: int) -> float:
        """The term's idf from the document frequency just read (Whoosh's searcher would
        look the term up in every segment again), by the weighting's own rule."""
        idf_of = getattr(self.weighting, "idf_of", None)
        if idf_of is None:
            return self.searcher.idf(fieldname, btext)
        return idf_of(frequency, self.size)


def _decoder(fmt):
    """Reads a term's (docnums, weights) in one segment, for SegmentData.postings."""

    def decode(terms, terminfo):
        ids, weights, _ = _read_postings(terms, terminfo, fmt, False)
        return ids, weights

    return decode


def _read_postings(terms, terminfo, fmt, with_values: bool):
    """(local docnums, weights, raw values or None) of a term in one segment, read block by
    block from Whoosh's postings file (W3 codec) instead of posting by posting: the term's
    blocks are read from the file in one go, then unpacked in memory."""
    if terminfo.is_inlined():
        ids, weights, values = terminfo.inlined_postings()
        return (
            np.array(ids, dtype=np.int64),
            np.array(weights, dtype=np.float64),
            list(values) if with_values else None,
        )
    offset, length = terminfo.extent()
    if isinstance(length, tuple):  # Whoosh 2.7.4's from_bytes keeps struct.unpack's tuple
        (length,) = length
    m = W3LeafMatcher(BufferFile(terms._postfile.get(offset, length)), 0, length, fmt)
    deltas: list = []
    weights: list = []
    values: list | None = [] if with_values else None
    starts: list[int] = []
    last_ids: list[int] = []
    while True:
        m._read_data()
        block_ids, block_weights, block_values = m._data
        n = m._blocklength
        starts.append(len(deltas))
        last_ids.append(m._maxid)
        deltas.extend(block_ids)
        if block_weights is None:
            weights.extend([1.0] * n)
        elif isinstance(block_weights, float):
            weights.extend([block_weights] * n)
        else:
            weights.extend(block_weights)
        if with_values:
            values.extend(block_values)
        if m._lastblock:
            break
        m._goto(m._nextoffset)
    ids = np.array(deltas, dtype=np.int64)
    if len(starts) > 1:
        # each block's ids are deltas from 0: make them deltas from the previous block's last
        ids[starts[1:]] -= np.array(last_ids[:-1], dtype=np.int64)
    return np.cumsum(ids), np.array(weights, dtype=np.float64), values


# ---- evaluating a query tree ------------------------------------------------------------


def _is_array_or(q) -> bool:
    """An Or whose matcher is Whoosh's ArrayUnionMatcher (bahth's search.query.Or)."""
    return isinstance(q, wq.Or) and (
        q.matcher_type == wq.Or.ARRAY_MATCHER or type(q) is wq.compound.PreloadedOr
    )


class Evaluator:
    """Scores one query's nodes over the whole index: (scores, matched), dense arrays indexed
    by docnum, equal to what each node's Whoosh matcher gives."""

    def __init__(self, arrays: IndexArrays, deadline: Deadline = NO_DEADLINE) -> None:
        self.arrays = arrays
        self.n = arrays.size
        self.deadline = deadline
        self._postings: dict = {}

    def postings(self, fieldname: str, text, with_values: bool = False) -> Postings:
        """A term's postings, read once per query; the deadline is looked at before each."""
        key = (fieldname, text)
        p = self._postings.get(key)
        if p is None or (with_values and p.values is None):
            self.deadline.check(SCORING)
            p = self._postings[key] = self.arrays.postings(fieldname, text, with_values)
        return p

    def empty(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.n, dtype=np.float64), np.zeros(self.n, dtype=bool)

    def evaluate(self, q) -> tuple[np.ndarray, np.ndarray]:
        kind = type(q)
        if q is wq.NullQuery or kind is wq.qcore._NullQuery:
            return self.empty()
        if kind is wq.Term:
            p = self.postings(q.fieldname, q.text)
            scores, matched = self.empty()
            scores[p.ids] = p.scores * q.boost
            matched[p.ids] = True
            return scores, matched
        if _is_array_or(q) or kind is wq.And or kind is AnyOf:
            subs = q.subqueries
            if not subs:
                return self.empty()
            if len(subs) == 1:  # Whoosh uses the child's matcher as it is (no boost)
                return self.evaluate(subs[0])
            if kind is wq.And:
                return self.intersection(subs, q.boost)
            return self.union(subs, q.boost)
        if kind is wq.AndNot:
            scores, matched = self.evaluate(q.a)
            matched &= ~self.evaluate(q.b)[1]
            scores[~matched] = 0.0
            return scores, matched
        if kind is wq.AndMaybe:  # a's documents; b's score added where b matches too
            scores, matched = self.evaluate(q.a)
            extra, also = self.evaluate(q.b)
            both = matched & also
            scores[both] = scores[both] + extra[both]
            return scores, matched
        if kind is wq.Every and q.fieldname is None:
            return np.where(self.arrays.live, float(q.boost), 0.0), self.arrays.live.copy()
        if kind is wq.Phrase:
            return self.phrase(q)
        if kind is Condition:
            return np.zeros(self.n, dtype=np.float64), self.docs(q.condition)
        raise Unsupported(kind.__name__)

    def union(self, subs, boost: float) -> tuple[np.ndarray, np.ndarray]:
        """Whoosh's ArrayUnionMatcher: each child's score times the Or's boost, added up in
        the children's order. A document matches when it scores, or meets a Condition."""
        acc = np.zeros(self.n, dtype=np.float64)
        unscored = None
        for sub in subs:
            if type(sub) is wq.Term:
                p = self.postings(sub.fieldname, sub.text)
                acc[p.ids] += (p.scores * sub.boost) * boost
            elif type(sub) is Condition:
                met = self.docs(sub.condition)
                unscored = met if unscored is None else unscored | met
            else:
                scores, matched = self.evaluate(sub)
                acc[matched] += scores[matched] * boost
        matched = acc > 0
        return acc, matched if unscored is None else matched | unscored

    def intersection(self, subs, boost: float) -> tuple[np.ndarray, np.ndarray]:
        """Whoosh's And: documents every child matches; the score is the sum of the children's
        scores in the order of Whoosh's weighted matcher tree, made per segment."""
        parts = [self.evaluate(sub) for sub in subs]
        matched = parts[0][1].copy()
        for _, m in parts[1:]:
            matched &= m
        if len(parts) == 2:  # a + b: the same number whichever matcher Whoosh puts first
            scores = parts[0][0] + parts[1][0]
        else:
            scores = self._tree_sums(subs, [s for s, _ in parts], matched)
        if boost != 1.0:
            scores = scores * boost
        scores[~matched] = 0.0
        return scores, matched

    def _tree_sums(self, subs, parts: list[np.ndarray], matched: np.ndarray) -> np.ndarray:
        scores = np.zeros(self.n, dtype=np.float64)
        for segment in self.arrays.segments:
            lo, hi = segment.offset, segment.offset + segment.size
            if not matched[lo:hi].any():
                continue
            reader = segment.searcher.reader()
            tree = _weighted_tree([0 - sub.estimate_size(reader) for sub in subs])
            scores[lo:hi] = _tree_sum(tree, [s[lo:hi] for s in parts])
        return scores

    def phrase(self, q) -> tuple[np.ndarray, np.ndarray]:
        """Whoosh's Phrase (its SpanNear2 with slop 1): the documents that have the words at
        consecutive positions, scored as the sum of the words' BM25 scores added up in the
        order of Whoosh's binary tree of intersection matchers, times the boost. Each
        distinct word's postings and positions are read once: Whoosh's matchers read a word
        once for each time the phrase repeats it, and made Span objects of all its
        positions in every candidate document ("في في في ..." ×40 took 4 s)."""
        schema = self.arrays.searcher.schema
        if (
            q.slop != 1
            or not q.words
            or q.fieldname not in schema
            or schema[q.fieldname].format is None
            or not schema[q.fieldname].format.supports("positions")
        ):
            return self.by_matcher(q)
        words = list(q.words)
        lists = {w: self.postings(q.fieldname, w, with_values=True) for w in dict.fromkeys(words)}
        docs = None
        for p in lists.values():
            docs = p.ids if docs is None else np.intersect1d(docs, p.ids, assume_unique=True)
        scores, matched = self.empty()
        if not len(docs):
            return scores, matched
        slots = {w: np.searchsorted(p.ids, docs) for w, p in lists.items()}
        total = _binary_tree_sum([lists[w].scores[slots[w]] for w in words])
        fmt = schema[q.fieldname].format
        found = np.zeros(len(docs), dtype=bool)
        check = self.deadline.check
        for i in range(len(docs)):
            check(SCORING)  # (a tenth of a microsecond; a document's positions take 15)
            at = {w: fmt.decode_as("positions", p.values[slots[w][i]]) for w, p in lists.items()}
            found[i] = _in_sequence(words, at)
        docs = docs[found]
        scores[docs] = total[found] * q.boost if q.boost != 1.0 else total[found]
        matched[docs] = True
        return scores, matched

    def by_matcher(self, q) -> tuple[np.ndarray, np.ndarray]:
        """A node scored by its own Whoosh matcher, segment by segment (exact, not fast)."""
        scores, matched = self.empty()
        top = self.arrays.searcher
        context = top.context()
        check = self.deadline.check
        for segment in self.arrays.segments:
            check(SCORING)
            m = q.matcher(segment.searcher, context)
            ids, values = [], []
            while m.is_active():
                ids.append(m.id())
                values.append(m.score())
                m.next()
                if not len(ids) % 1024:
                    check(SCORING)
            if ids:
                docnums = np.array(ids, dtype=np.int64) + segment.offset
                scores[docnums] = values
                matched[docnums] = True
        return scores, matched

    def docs(self, q) -> np.ndarray:
        """The documents a condition meets (as Whoosh's docs_for_query): its And, Or and Not
        over the live documents, its terms from their postings."""
        kind = type(q)
        if kind is wq.Not:
            return self.arrays.live & ~self.docs(q.query)
        if kind is wq.And or isinstance(q, wq.Or):
            parts = [self.docs(sub) for sub in q.subqueries]
            if not parts:
                return self.arrays.live.copy() if kind is wq.And else self.empty()[1]
            combine = np.logical_and if kind is wq.And else np.logical_or
            return combine.reduce(parts)
        if _plain(q):
            return self.evaluate(q)[1]
        allowed = np.zeros(self.n, dtype=bool)
        docnums = np.fromiter(self.arrays.searcher.docs_for_query(q), dtype=np.int64)
        allowed[docnums] = True
        return allowed & self.arrays.live


def _plain(q) -> bool:
    """Terms, Ors and Ands of them: what ``evaluate`` reads straight from the postings."""
    if type(q) is wq.Term:
        return True
    return (type(q) is wq.And or _is_array_or(q)) and all(_plain(s) for s in q.subqueries)


def _weighted_tree(weights: list[float]):
    """The shape whoosh.util.make_weighted_tree gives And's matchers: a stable sort by weight,
    then the two lightest joined and put back after any of equal weight. Leaves are indexes."""
    ls = sorted(((w, i) for i, w in enumerate(weights)), key=lambda pair: pair[0])
    while len(ls) > 1:
        (wa, a), (wb, b) = ls[0], ls[1]
        del ls[:2]
        joined = wa + wb
        ls.insert(bisect_right([w for w, _ in ls], joined), (joined, (a, b)))
    return ls[0][1]


def _binary_tree_sum(parts: list[np.ndarray]) -> np.ndarray:
    """The sum whoosh.util.make_binary_tree's shape gives: first half + second half."""
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    return _binary_tree_sum(parts[:half]) + _binary_tree_sum(parts[half:])


def _in_sequence(words: list[str], positions: dict[str, list[int]]) -> bool:
    """Is there a position p with ``words[i]`` at p + i for every i?"""
    sets = {w: set(at) for w, at in positions.items()}
    following = [sets[w] for w in words[1:]]
    return any(
        all(p + i in after for i, after in enumerate(following, start=1))
        for p in positions[words[0]]
    )


def _tree_sum(tree, parts: list[np.ndarray]) -> np.ndarray:
    if isinstance(tree, int):
        return parts[tree]
    return _tree_sum(tree[0], parts) + _tree_sum(tree[1], parts)


# ---- the top level: matches, lazy proximity bonuses, top k ----------------------------


@dataclass
class _Bonus:
    """A two-word phrase at the end of the top-level Or: which documents could match it
    (both words present), what it would add to each, and how to check positions."""

    docs: np.ndarray  # global docnums, ascending
    amount: np.ndarray
    first: list  # raw posting values of each word for these docs
    second: list
    fmt: object
    slop: int


@dataclass
class Matches:
    """What a query matches after its condition: ``scores`` are exact except where a
    pending proximity bonus is still to be checked (``top`` checks the ones that matter)."""

    scores: np.ndarray
    eligible: np.ndarray
    bonuses: list[_Bonus] = field(default_factory=list)
    deadline: Deadline = NO_DEADLINE
    keys: np.ndarray | None = None  # each document's tie key (index/keys.py); None: docnum
    _pending: _Pending | None = None

    @property
    def total(self) -> int:
        return int(np.count_nonzero(self.eligible))

    def docnums(self) -> np.ndarray:
        return np.flatnonzero(self.eligible)

    def top(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The first ``k`` documents by score, equal scores by their tie key (index/keys.py;
        by docnum, as Whoosh ranks them, without keys), with scores."""
        if k <= 0:
            return _EMPTY_IDS, _EMPTY_SCORES
        if self.bonuses:
            self._settle(k)
        docs = self.docnums()
        scores = self.scores[docs]
        picked = best(scores, docs if self.keys is None else self.keys[docs], k)
        return docs[picked], scores[picked]

    def _settle(self, k: int) -> None:
        """Check positions for candidates in decreasing order of their best possible score,
        until no unchecked candidate can reach the k-th score; those left cannot enter the
        top k (their score is at most their bound, below k documents' exact scores). Checked
        documents keep their exact score, so a later call with a larger k goes on from here."""
        if self._pending is None:
            self._pending = _Pending(self.bonuses, self.eligible, self.scores)
        p = self._pending
        batch = max(32, k)
        while True:
            self.deadline.check(SCORING)
            floor = _kth_score(self.scores[self.eligible], k)
            need = np.flatnonzero(p.unchecked & (p.upper >= floor))
            if not len(need):
                return
            need = need[np.argsort(-p.upper[need], kind="stable")[:batch]]
            exact = p.base[need]
            for bonus, (has, slot, amount) in zip(self.bonuses, p.aligned, strict=True):
                near = np.array(
                    [bool(has[i]) and _near(bonus, int(slot[i])) for i in need.tolist()],
                    dtype=bool,
                )
                exact = np.where(near, exact + amount[need], exact)
            self.scores[p.docs[need]] = exact
            p.upper[need] = exact
            p.unchecked[need] = False


class _Pending:
    """The documents that may get a proximity bonus, their scores without it and their best
    possible scores: the bonuses added in the Or's order, as Whoosh adds them (adding a
    positive number never lowers a float sum, so no subset of the bonuses gives more)."""

    def __init__(self, bonuses: list[_Bonus], eligible: np.ndarray, scores: np.ndarray) -> None:
        docs = np.unique(np.concatenate([b.docs for b in bonuses]))
        self.docs = docs[eligible[docs]]
        self.aligned = [_align(b, self.docs) for b in bonuses]  # (has, slot, amount)
        self.base = scores[self.docs]
        self.upper = self.base.copy()
        for has, _, amount in self.aligned:
            self.upper = np.where(has, self.upper + amount, self.upper)
        self.unchecked = np.ones(len(self.docs), dtype=bool)


def _align(bonus: _Bonus, cand: np.ndarray):
    """Which candidates the bonus applies to, their slot in it, and the amount (0 if none)."""
    slot = np.minimum(np.searchsorted(bonus.docs, cand), len(bonus.docs) - 1)
    has = bonus.docs[slot] == cand
    return has, slot, np.where(has, bonus.amount[slot], 0.0)


def _near(bonus: _Bonus, j: int) -> bool:
    """Whoosh's SpanNear2 for two words (ordered, mindist 1): the second word 1..slop
    positions after the first."""
    first = bonus.fmt.decode_as("positions", bonus.first[j])
    second = set(bonus.fmt.decode_as("positions", bonus.second[j]))
    return any(p + gap in second for p in first for gap in range(1, bonus.slop + 1))


def _kth_score(scores: np.ndarray, k: int) -> float:
    if len(scores) < k:
        return -np.inf
    return float(np.partition(scores, len(scores) - k)[len(scores) - k])


class FastSearch:
    """Runs a parsed query (and the condition its field clauses make) on one searcher."""

    def __init__(self, searcher) -> None:
        self.arrays = IndexArrays.of(searcher)

    def matches(self, q, filter=None, deadline: Deadline = NO_DEADLINE) -> Matches:
        ev = Evaluator(self.arrays, deadline)
        excluded = None
        if type(q) is wq.AndNot:
            q, excluded = q.a, ev.evaluate(q.b)[1]
        bonuses: list[_Bonus] = []
        pending = self._trailing_phrases(q, ev)
        if pending:
            subs = q.subqueries[: len(q.subqueries) - len(pending)]
            scores, matched = ev.union(subs, q.boost)
            bonuses = [self._bonus(p, ev, q.boost) for p in pending]
            bonuses = [b for b in bonuses if len(b.docs)]
            if not all(matched[b.docs].all() for b in bonuses):
                # a phrase would match documents nothing else does: score it all now
                bonuses = []
                scores, matched = ev.evaluate(q)
        else:
            scores, matched = ev.evaluate(q)
        eligible = matched
        if excluded is not None:
            eligible &= ~excluded
        if filter is not None:
            eligible &= ev.docs(filter)
        return Matches(scores, eligible, bonuses, deadline, tie_keys(self.arrays.searcher))

    def _trailing_phrases(self, q, ev: Evaluator) -> list:
        if not _is_array_or(q) or len(q.subqueries) < 2:
            return []
        pending = []
        for sub in reversed(q.subqueries):
            if not self._is_pair(sub):
                break
            pending.insert(0, sub)
        return pending if len(pending) < len(q.subqueries) else []

    def _is_pair(self, q) -> bool:
        schema = self.arrays.searcher.schema
        return (
            type(q) is wq.Phrase
            and len(q.words) == 2
            and q.words[0] != q.words[1]
            and q.fieldname in schema
            and schema[q.fieldname].format is not None
            and schema[q.fieldname].format.supports("positions")
        )

    def _bonus(self, phrase, ev: Evaluator, or_boost: float) -> _Bonus:
        a = ev.postings(phrase.fieldname, phrase.words[0], with_values=True)
        b = ev.postings(phrase.fieldname, phrase.words[1], with_values=True)
        docs, ia, ib = np.intersect1d(a.ids, b.ids, assume_unique=True, return_indices=True)
        # SpanNear2's score: its two term matchers added (IntersectionMatcher), then boosts
        amount = ((a.scores[ia] + b.scores[ib]) * phrase.boost) * or_boost
        return _Bonus(
            docs=docs,
            amount=amount,
            first=[a.values[i] for i in ia.tolist()],
            second=[b.values[i] for i in ib.tolist()],
            fmt=self.arrays.searcher.schema[phrase.fieldname].format,
            slop=phrase.slop,
        )
