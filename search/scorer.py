"""The one scorer: BM25F over a query tree (index/nodes.py), for every store.

A store offers a selection of documents (index/contract.py: a folder every document, a
cluster its engine's best candidates) and, for each term, the slots that hold it and how
often. Here the whole tree is evaluated at once over dense arrays: each term's BM25 for all
its slots with numpy, and the tree's Or, And, AndNot and AndMaybe combining them, in the
order Whoosh's matchers add scores (so a folder's scores are those Whoosh's own search gives:
index/whoosh/reference.py runs it, and the tests compare). Phrases are checked by the store,
for the slots that hold all their words. The idf and BM25 are Ranking's (search/ranking.py).

The one shortcut: proximity bonuses (two-word phrases at the end of the top-level Or,
search/query.py's ``_proximity``) are checked only for the documents that could still enter
the top k asked for, best bound first, which keeps the top k exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bahth.index import nodes
from bahth.index.contract import Selection
from bahth.index.deadline import NO_DEADLINE, SCORING, Deadline
from bahth.index.keys import best
from bahth.search.ranking import Ranking

_EMPTY_SLOTS = np.zeros(0, dtype=np.int64)
_EMPTY_SCORES = np.zeros(0, dtype=np.float64)


class Evaluator:
    """Scores one query's nodes over a selection: (scores, matched), arrays by slot."""

    def __init__(
        self, selection: Selection, ranking: Ranking, deadline: Deadline = NO_DEADLINE
    ) -> None:
        self.selection = selection
        self.ranking = ranking
        self.n = selection.size
        self.deadline = deadline
        self._terms: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}

    def term(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(slots, BM25 unboosted) of one term, read and scored once per query."""
        key = (field, text)
        found = self._terms.get(key)
        if found is None:
            self.deadline.check(SCORING)
            s = self.selection
            p = s.postings(field, text)
            if len(p.slots):
                idf = self.ranking.word_idf(p.documents, s.collection_size())
                lengths = s.lengths(field)[p.slots]
                scores = self.ranking.bm25(field, p.frequencies, lengths, s.average_length(field))
                found = (p.slots, idf * scores)
            else:
                found = (_EMPTY_SLOTS, _EMPTY_SCORES)
            self._terms[key] = found
        return found

    def empty(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.n, dtype=np.float64), np.zeros(self.n, dtype=bool)

    def evaluate(self, q) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(q, nodes.Term):
            slots, bm25 = self.term(q.field, q.text)
            scores, matched = self.empty()
            scores[slots] = bm25 * q.boost
            matched[slots] = True
            return scores, matched
        if isinstance(q, nodes.Or | nodes.And):
            if not q.parts:
                return self.empty()
            if len(q.parts) == 1:  # Whoosh uses the child's matcher as it is (no boost)
                return self.evaluate(q.parts[0])
            if isinstance(q, nodes.And):
                return self.intersection(q.parts, q.boost)
            return self.union(q.parts, q.boost)
        if isinstance(q, nodes.AndNot):
            scores, matched = self.evaluate(q.positive)
            matched &= ~self.evaluate(q.negative)[1]
            scores[~matched] = 0.0
            return scores, matched
        if isinstance(q, nodes.AndMaybe):  # required's documents; optional's score added
            scores, matched = self.evaluate(q.required)
            extra, also = self.evaluate(q.optional)
            both = matched & also
            scores[both] = scores[both] + extra[both]
            return scores, matched
        if isinstance(q, nodes.Every):
            live = self.selection.live()
            return np.where(live, float(q.boost), 0.0), live.copy()
        if isinstance(q, nodes.Phrase):
            return self.phrase(q)
        if isinstance(q, nodes.Condition):
            return np.zeros(self.n, dtype=np.float64), self.selection.meets(q.condition)
        if q is nodes.NOTHING:
            return self.empty()
        raise TypeError(f"not a query node: {q!r}")

    def union(self, parts, boost: float) -> tuple[np.ndarray, np.ndarray]:
        """Each part's score times the Or's boost, added up in the parts' order (Whoosh's
        ArrayUnionMatcher's sum). A document matches when a part matches it (a Condition
        matches and adds 0)."""
        acc = np.zeros(self.n, dtype=np.float64)
        unscored = None
        for part in parts:
            if isinstance(part, nodes.Term):
                slots, bm25 = self.term(part.field, part.text)
                acc[slots] += (bm25 * part.boost) * boost
            elif isinstance(part, nodes.Condition):
                met = self.selection.meets(part.condition)
                unscored = met if unscored is None else unscored | met
            else:
                scores, matched = self.evaluate(part)
                acc[matched] += scores[matched] * boost
        matched = acc > 0
        return acc, matched if unscored is None else matched | unscored

    def intersection(self, parts, boost: float) -> tuple[np.ndarray, np.ndarray]:
        """Documents every part matches; their scores added up in the parts' order."""
        evaluated = [self.evaluate(part) for part in parts]
        matched = evaluated[0][1].copy()
        scores = evaluated[0][0].copy()
        for part_scores, part_matched in evaluated[1:]:
            matched &= part_matched
            scores += part_scores
        if boost != 1.0:
            scores = scores * boost
        scores[~matched] = 0.0
        return scores, matched

    def phrase(self, q: nodes.Phrase) -> tuple[np.ndarray, np.ndarray]:
        """The slots that hold the words as a phrase (the store checks their positions, among
        the slots that hold every word), scored as the sum of the words' BM25 added up in
        Whoosh's binary tree of intersection matchers, times the boost."""
        scores, matched = self.empty()
        words = list(q.words)
        terms = {w: self.term(q.field, w) for w in dict.fromkeys(words)}
        candidates = None
        for slots, _ in terms.values():
            candidates = slots if candidates is None else np.intersect1d(candidates, slots)
        if candidates is None or not len(candidates):
            return scores, matched
        found = self.selection.phrase(q.field, words, q.slop, candidates)
        self.deadline.check(SCORING)
        slots = candidates[found]
        if not len(slots):
            return scores, matched
        parts = [terms[w][1][np.searchsorted(terms[w][0], slots)] for w in words]
        total = _binary_tree_sum(parts)
        scores[slots] = total * q.boost if q.boost != 1.0 else total
        matched[slots] = True
        return scores, matched


def _binary_tree_sum(parts: list[np.ndarray]) -> np.ndarray:
    """The sum whoosh.util.make_binary_tree's shape gives: first half + second half."""
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    return _binary_tree_sum(parts[:half]) + _binary_tree_sum(parts[half:])


# ---- the top level: matches, lazy proximity bonuses, top k ----------------------------


@dataclass
class _Bonus:
    """A two-word phrase at the end of the top-level Or: the slots that could match it (both
    words present), what it would add to each, and where to check."""

    phrase: nodes.Phrase
    slots: np.ndarray  # ascending
    amount: np.ndarray


@dataclass
class Matches:
    """What a query matches after its condition: ``scores`` (by slot) are exact except where
    a pending proximity bonus is still to be checked (``top`` checks the ones that matter)."""

    selection: Selection
    scores: np.ndarray
    eligible: np.ndarray
    bonuses: list[_Bonus] = field(default_factory=list)
    deadline: Deadline = NO_DEADLINE
    _pending: _Pending | None = None

    @property
    def total(self) -> int:
        """Every match: the store's count when it counted them (a cluster), else ours."""
        counted = self.selection.total
        return int(np.count_nonzero(self.eligible)) if counted is None else counted

    def slots(self) -> np.ndarray:
        return np.flatnonzero(self.eligible)

    def top(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The handles of the first ``k`` documents by score, equal scores by tie key
        (index/keys.py), and their scores."""
        if k <= 0:
            return _EMPTY_SLOTS, _EMPTY_SCORES
        if self.bonuses:
            self._settle(k)
        slots = self.slots()
        scores = self.scores[slots]
        picked = best(scores, self.selection.keys(slots), k)
        return self.selection.handles(slots[picked]), scores[picked]

    def scored(self) -> dict[int, float]:
        """handle -> first-stage score of every match scored (bonuses settled for all)."""
        matched = int(np.count_nonzero(self.eligible))
        if self.bonuses and matched:
            self._settle(matched)
        slots = self.slots()
        return dict(
            zip(self.selection.handles(slots).tolist(), self.scores[slots].tolist(), strict=True)
        )

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
            for bonus, (has, amount) in zip(self.bonuses, p.aligned, strict=True):
                asked = need[has[need]]
                near = np.zeros(len(need), dtype=bool)
                if len(asked):
                    phrase = bonus.phrase
                    found = self.selection.phrase(
                        phrase.field, phrase.words, phrase.slop, p.slots[asked]
                    )
                    near[has[need]] = found
                exact = np.where(near, exact + amount[need], exact)
            self.scores[p.slots[need]] = exact
            p.upper[need] = exact
            p.unchecked[need] = False


class _Pending:
    """The slots that may get a proximity bonus, their scores without it and their best
    possible scores: the bonuses added in the Or's order, as Whoosh adds them (adding a
    positive number never lowers a float sum, so no subset of the bonuses gives more)."""

    def __init__(self, bonuses: list[_Bonus], eligible: np.ndarray, scores: np.ndarray) -> None:
        slots = np.unique(np.concatenate([b.slots for b in bonuses]))
        self.slots = slots[eligible[slots]]
        self.aligned = [_align(b, self.slots) for b in bonuses]  # (has, amount)
        self.base = scores[self.slots]
        self.upper = self.base.copy()
        for has, amount in self.aligned:
            self.upper = np.where(has, self.upper + amount, self.upper)
        self.unchecked = np.ones(len(self.slots), dtype=bool)


def _align(bonus: _Bonus, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which candidates the bonus may apply to, and the amount (0 if none)."""
    at = np.minimum(np.searchsorted(bonus.slots, candidates), len(bonus.slots) - 1)
    has = bonus.slots[at] == candidates
    return has, np.where(has, bonus.amount[at], 0.0)


def _kth_score(scores: np.ndarray, k: int) -> float:
    if len(scores) < k:
        return -np.inf
    return float(np.partition(scores, len(scores) - k)[len(scores) - k])


def score(
    selection: Selection,
    query,
    condition=None,
    ranking: Ranking | None = None,
    deadline: Deadline = NO_DEADLINE,
) -> Matches:
    """The matches of ``query`` (index/nodes.py) over ``selection``, narrowed by
    ``condition``; past ``deadline`` (looked at per term) SearchTimeout."""
    ev = Evaluator(selection, ranking or Ranking(), deadline)
    excluded = None
    if isinstance(query, nodes.AndNot):
        query, excluded = query.positive, ev.evaluate(query.negative)[1]
    bonuses: list[_Bonus] = []
    pending = _trailing_pairs(query)
    if pending:
        parts = query.parts[: len(query.parts) - len(pending)]
        scores, matched = ev.union(parts, query.boost)
        bonuses = [b for b in (_bonus(p, ev, query.boost) for p in pending) if len(b.slots)]
        if not all(matched[b.slots].all() for b in bonuses):
            # a phrase would match documents nothing else does: score it all now
            bonuses = []
            scores, matched = ev.evaluate(query)
    else:
        scores, matched = ev.evaluate(query)
    eligible = matched & selection.live()
    if excluded is not None:
        eligible &= ~excluded
    if condition is not None:
        eligible &= selection.meets(condition)
    return Matches(selection, scores, eligible, bonuses, deadline)


def _trailing_pairs(q) -> list[nodes.Phrase]:
    """The two-word phrases (proximity bonuses) that end a top-level Or, if any."""
    if not isinstance(q, nodes.Or) or len(q.parts) < 2:
        return []
    pending = []
    for part in reversed(q.parts):
        if not (isinstance(part, nodes.Phrase) and len(part.words) == 2):
            break
        if part.words[0] == part.words[1]:
            break
        pending.insert(0, part)
    return pending if len(pending) < len(q.parts) else []


def _bonus(phrase: nodes.Phrase, ev: Evaluator, or_boost: float) -> _Bonus:
    a_slots, a_scores = ev.term(phrase.field, phrase.words[0])
    b_slots, b_scores = ev.term(phrase.field, phrase.words[1])
    slots, ia, ib = np.intersect1d(a_slots, b_slots, assume_unique=True, return_indices=True)
    # the phrase's score: its two words added (an intersection matcher), then the boosts
    amount = ((a_scores[ia] + b_scores[ib]) * phrase.boost) * or_boost
    return _Bonus(phrase, slots, amount)
