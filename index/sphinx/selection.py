"""One query's candidates on a cluster (index/contract.py Selection), in two round trips:

1. the engine runs the query's MATCH (index/sphinx/query.py: its boolean structure, without
   the words the reader already knows no document holds) with the condition as its filter, on
   the distributed table of any node that answers. It counts every match (``total``), returns
   its best ``candidates`` by its own BM25, their lengths and declared values, and each word's
   document frequency over the cluster (SHOW META); when the MATCH names every word the
   scores need, each word's frequency in each candidate too (PACKEDFACTORS). In the same
   round trip, the facets over every match (a GROUP BY of their values' keys);
2. when the query has phrases, or words the MATCH does not name (optional words, the words
   under a NOT), the engine says which candidates hold each phrase and how often each of
   those words occurs in each candidate (a MATCH of the words alone, over the candidates).

The collection's size and average lengths are read once per generation (index/sphinx/reader.py).

bahth then scores the candidates with its one scorer (search/scorer.py), with the cluster-wide
idf and average lengths, so that a document's score does not depend on the shard it landed
in. The engine's own ranking (each shard's idf) only chooses the candidates; when a query
matches no more documents than ``candidates``, they are all scored and the ranking is a
folder's. Date and number order is the engine's ORDER BY over every match. A node that does
not answer makes a partial result: ``partial`` and ``warning`` say which.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from whoosh.util.numeric import _length_byte_cache

from bahth.index.contract import Postings, SortKey
from bahth.index.deadline import NO_DEADLINE, SCORING, Deadline
from bahth.index.sphinx.query import (
    NO_RANKING,
    InnerCondition,
    NothingMatches,
    keyword_counts,
    meets,
    phrase_text,
    plan,
    read_attrs,
)
from bahth.index.sphinx.query import condition as expression
from bahth.index.sphinx.schema import LENGTHS, facet_value, token

CANDIDATE_RANKER = "ranker=expr('bm25')"  # the engine's BM25 chooses the candidates
FACET_VALUES = 1_000  # values a facet counts, at most (per facet)
_TF = re.compile(r"word(\d+)=\(tf=([1-9]\d*)")  # every word is listed: those it holds
_BYTE_LENGTHS = np.array(_length_byte_cache, dtype=np.float64)
_LONGEST = 106374  # whoosh.util.numeric.length_to_byte: this length and more are byte 255
_EMPTY = np.zeros(0, dtype=np.int64)


def quantized(lengths: np.ndarray) -> np.ndarray:
    """Field lengths as a folder keeps them: rounded through Whoosh's one-byte code."""
    codes = np.minimum(np.searchsorted(_BYTE_LENGTHS, lengths, side="left"), 255)
    codes[lengths >= _LONGEST] = 255
    return _BYTE_LENGTHS[codes]


class ClusterSelection:
    """The candidates of one query (the module docstring has the steps)."""

    def __init__(
        self,
        reader,  # index/sphinx/reader.py's ClusterReader
        query,
        condition,
        deadline: Deadline = NO_DEADLINE,
        facets: Sequence[str] = (),
    ) -> None:
        self.reader = reader
        self.deadline = deadline
        self.partial = False
        self.warning: str | None = None
        self.notices: tuple[str, ...] = ()
        self.total = 0
        self.size = 0
        self.facet_names = tuple(facets)
        self._keys = _EMPTY
        self._stories: dict[int, int] = {}  # candidate -> its story key
        self._raw_attrs: list[str | None] = []
        self._read: list[dict] | None = None
        self._lengths: dict[str, np.ndarray] = {}
        self._tfs: dict[str, np.ndarray] = {}
        self._documents: dict[str, int] = {}
        self._phrases: dict[int, set[int]] = {}
        self._facets: dict[str, dict[str, int]] = {name: {} for name in self.facet_names}
        try:
            self.plan = plan(query, reader.absent(query))
        except NothingMatches:
            self.plan = None
            return
        except InnerCondition:
            self.plan, self.notices = None, ("condition_inside_or",)
            return
        self.keep = None if condition is None else expression(condition)
        self._search()
        self._check_phrases()

    # ---- the round trips -------------------------------------------------------------

    def _where(self) -> tuple[str, str, tuple]:
        """(extra select, where clause, args) of this query's MATCH and condition."""
        select, where, args = "", [], []
        if self.plan.match:
            where.append("MATCH(%s)")
            args.append(self.plan.match)
        if self.keep:
            select = f", {self.keep} AS bahth_keep"
            where.append("bahth_keep=1")
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        return select, clause, tuple(args)

    def _note(self, meta_rows: list) -> None:
        warning = self.reader.warning(meta_rows)
        if warning:
            self.partial, self.warning = True, warning

    def _search(self) -> None:
        r = self.reader
        limit = r.candidates
        select, where, args = self._where()
        lengths = ", ".join(LENGTHS.values())
        factored = bool(self.plan.match) and self.plan.direct
        if self.plan.match:
            factors = ", PACKEDFACTORS()" if factored else ""
            order, option = "ORDER BY WEIGHT() DESC, id ASC", f"OPTION {CANDIDATE_RANKER}"
        else:
            factors, order, option = "", "ORDER BY id ASC", f"OPTION {NO_RANKING}"
        statements = [
            (
                f"SELECT id, {lengths}, attrs, story{factors}{select} FROM {r.table}{where} "
                f"{order} LIMIT {limit} {option}, max_matches={limit}",
                args,
            ),
            ("SHOW META", ()),
        ]
        if self.facet_names:
            statements.append(self._facet_statement(self.facet_names))
        self.deadline.check(SCORING)
        answers = r.run(statements)
        (found,), (meta,) = answers[0], answers[1]
        self._note(meta)
        self.total = int(dict(meta).get("total_found", 0))
        self._documents = keyword_counts(meta)
        if self.warning is None:
            r.remember(self._documents)
        if self.facet_names:
            self._count_facets(answers[2][0])
        self._read_candidates(found, self.plan.occurrences if factored else None)

    def _facet_statement(self, names: Sequence[str]) -> tuple[str, tuple]:
        """The GROUP BY of every match's keyword values' keys (facets of ``names``)."""
        select, where, args = self._where()
        size = FACET_VALUES * len(names)
        return (
            f"SELECT GROUPBY() AS bahth_group, COUNT(*) AS bahth_count, attrs{select} "
            f"FROM {self.reader.table}{where} GROUP BY facet_keys ORDER BY bahth_count DESC "
            f"LIMIT {size} OPTION {NO_RANKING}, max_matches={size}",
            args,
        )

    def _read_candidates(self, rows: list, occurrences: list[str] | None) -> None:
        """The candidates' keys, lengths, values and (``occurrences``: the tokens in the
        order PACKEDFACTORS numbers them) each token's frequency."""
        n = self.size = len(rows)
        self._keys = np.array([int(row[0]) for row in rows], dtype=np.int64)
        lengths = {name: np.zeros(n, dtype=np.float64) for name in LENGTHS}
        for i, row in enumerate(rows):
            for j, name in enumerate(LENGTHS):
                lengths[name][i] = row[1 + j] or 0
        self._raw_attrs = [row[1 + len(LENGTHS)] for row in rows]
        self._stories = {int(row[0]): int(row[2 + len(LENGTHS)]) for row in rows}
        self._lengths = {name: quantized(values) for name, values in lengths.items()}
        if occurrences is not None:
            self._tfs = _frequencies(rows, 3 + len(LENGTHS), occurrences)

    @property
    def _attrs(self) -> list[dict]:
        """The candidates' declared values and lengths, read when a condition or a declared
        field asks (most queries need neither)."""
        if self._read is None:
            self._read = [read_attrs(text) for text in self._raw_attrs]
        return self._read

    def _check_phrases(self) -> None:
        """Which candidates hold each phrase of the query, and (when the MATCH's own factors
        do not give them, index/sphinx/query.py) each word's frequency in each candidate and
        its document frequency, from a MATCH of the words alone: one round trip for all."""
        apart = bool(self.plan.match) and not self.plan.direct
        if not self.size or not (self.plan.phrases or apart):
            return
        table, ids = self.reader.table, ",".join(map(str, self._keys.tolist()))
        within = f"AND id IN ({ids}) LIMIT {self.size} OPTION {{}}, max_matches={self.size}"
        statements = []
        # a word no document holds (the first round trip counted them) has nothing to say
        held = [t for t in self.plan.tokens if self._documents.get(t, 1)]
        apart = apart and bool(held)
        if apart:
            statements.append(
                (
                    f"SELECT id, PACKEDFACTORS() FROM {table} WHERE MATCH(%s) "
                    + within.format("ranker=expr('1')"),
                    (" | ".join(held),),
                )
            )
            statements.append(("SHOW META", ()))
        statements += [
            (f"SELECT id FROM {table} WHERE MATCH(%s) " + within.format(NO_RANKING), (text,))
            for text in map(phrase_text, self.plan.phrases)
        ]
        self.deadline.check(SCORING)
        answers = self.reader.run(statements)
        if apart:
            (rows,), (meta,) = answers.pop(0), answers.pop(0)
            self._documents.update(keyword_counts(meta))
            slot = {int(k): i for i, k in enumerate(self._keys.tolist())}
            ordered = sorted(rows, key=lambda row: slot.get(int(row[0]), -1))
            present = [row for row in ordered if int(row[0]) in slot]
            tfs = _frequencies(present, 1, held)
            self._tfs = {tok: _spread(tf, present, slot, self.size) for tok, tf in tfs.items()}
        for phrase, (rows,) in zip(self.plan.phrases, answers, strict=True):
            self._phrases[id(phrase)] = {int(row[0]) for row in rows}

    def _count_facets(self, rows: list) -> None:
        """Each facet's {value: matches} from the GROUP BY of the values' keys (each group
        comes with one document that has the value, which names it)."""
        for group, count, attrs, *_ in rows:
            values = read_attrs(attrs)
            for name in self.facet_names:
                value = facet_value(name, int(group), values)
                if value is not None:
                    self._facets[name][value] = int(count)
        for name, counted in self._facets.items():
            pairs = sorted(counted.items(), key=lambda pair: (-pair[1], pair[0]))
            self._facets[name] = dict(pairs[:FACET_VALUES])

    # ---- the contract ------------------------------------------------------------------

    def collection_size(self) -> int:
        return self.reader.collection_size()

    def average_length(self, field: str) -> float:
        return self.reader.average_length(field)

    def postings(self, field: str, term: str) -> Postings:
        tok = token(field, term)
        tf = self._tfs.get(tok)
        documents = self._documents.get(tok, 0)
        if tf is None:
            return Postings(_EMPTY, np.zeros(0, dtype=np.float64), documents)
        slots = np.flatnonzero(tf > 0)
        return Postings(slots, tf[slots], documents)

    def lengths(self, field: str) -> np.ndarray:
        found = self._lengths.get(field)
        if found is None:
            raw = [float((a.get("len") or {}).get(field, 0)) for a in self._attrs]
            found = self._lengths[field] = quantized(np.array(raw, dtype=np.float64))
        return found

    def phrase(self, field: str, words: Sequence[str], slop: int, slots: np.ndarray) -> np.ndarray:
        for phrase in self.plan.phrases:
            if (
                phrase.field == field
                and tuple(phrase.words) == tuple(words)
                and (phrase.slop == slop)
            ):
                inside = self._phrases.get(id(phrase), set())
                return np.array([int(k) in inside for k in self._keys[slots]], dtype=bool)
        return np.zeros(len(slots), dtype=bool)

    def meets(self, condition) -> np.ndarray:
        return np.array([meets(condition, a) for a in self._attrs], dtype=bool)

    def live(self) -> np.ndarray:
        return np.ones(self.size, dtype=bool)

    def keys(self, slots: np.ndarray) -> np.ndarray:
        return self._keys[slots]

    def handles(self, slots: np.ndarray) -> np.ndarray:
        return self._keys[slots]

    def stories(self, handles: np.ndarray) -> np.ndarray:
        """The candidates' stories as read with them; a match past them (a field's order)
        is asked of the engine."""
        keys = self.reader.story_keys(np.asarray(handles).tolist(), self._stories)
        return np.asarray(keys, dtype=np.int64)

    def story_count(self, eligible: np.ndarray) -> int | None:
        """Distinct stories over every match: the engine's GROUP BY of them counts its
        groups (SHOW META's total_found), over the shards."""
        if self.plan is None or not self.total:
            return 0
        select, where, args = self._where()
        (_rows,), (meta,) = self.reader.run(
            [
                (
                    f"SELECT story{select} FROM {self.reader.table}{where} GROUP BY story "
                    f"LIMIT 1 OPTION {NO_RANKING}",
                    args,
                ),
                ("SHOW META", ()),
            ],
            doing="counting stories",
        )
        return int(dict(meta).get("total_found", 0))

    def facets(self, eligible: np.ndarray, names: Sequence[str]) -> dict[str, dict[str, int]]:
        """The facets counted over every match in the first round trip (``eligible``, the
        candidates, is not every match); another facet asked is counted now."""
        missing = [name for name in names if name not in self._facets]
        if missing and self.plan is not None:
            self.facet_names = tuple(missing)
            self._facets.update({name: {} for name in missing})
            (rows,) = self.reader.run([self._facet_statement(missing)], "counting facets")[0]
            self._count_facets(rows)
        return {name: self._facets.get(name, {}) for name in names}

    def sorted(
        self, eligible: np.ndarray, key: SortKey, limit: int, scores: dict[int, float]
    ) -> list[tuple[float, int]]:
        """The first ``limit`` matches in the order of a date or number field (the engine's
        ORDER BY over every match), undated ones last either way, ties by key; each with its
        relevance score (0 for a match past the candidates)."""
        if self.plan is None or not self.total or limit <= 0:
            return []
        select, where, args = self._where()
        value = f"DOUBLE(attrs.key.{key.field})"
        direction = "DESC" if key.descending else "ASC"
        (rows,) = self.reader.run(
            [
                (
                    f"SELECT id, IF(attrs.key.{key.field} IS NULL,1,0) AS bahth_missing, "
                    f"{value} AS bahth_value{select} FROM {self.reader.table}{where} "
                    f"ORDER BY bahth_missing ASC, bahth_value {direction}, id ASC "
                    f"LIMIT {limit} OPTION {NO_RANKING}, max_matches={limit}",
                    args,
                )
            ],
            doing="ordering by a field",
        )[0]
        return [(float(scores.get(int(row[0]), 0.0)), int(row[0])) for row in rows]

    def reference(self, query, condition, ranking, deadline: Deadline):
        return None  # the engine's own scores are not BM25F: the one scorer is the reference


def _frequencies(rows: list, column: int, occurrences: list[str]) -> dict[str, np.ndarray]:
    """Each token's frequency in each row, from the PACKEDFACTORS in ``column`` (its words
    numbered as ``occurrences`` stand in the MATCH)."""
    tfs = {tok: np.zeros(len(rows), dtype=np.float64) for tok in dict.fromkeys(occurrences)}
    for i, row in enumerate(rows):
        for word, tf in _TF.findall(row[column]):
            w = int(word)
            if w < len(occurrences):
                tfs[occurrences[w]][i] = float(tf)
    return tfs


def _spread(values: np.ndarray, rows: list, slot: dict[int, int], size: int) -> np.ndarray:
    """``values`` of ``rows`` placed at their rows' slots among ``size`` candidates."""
    spread = np.zeros(size, dtype=np.float64)
    spread[[slot[int(row[0])] for row in rows]] = values
    return spread
