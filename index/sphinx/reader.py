"""Searching a bahth index kept in a Sphinx/Manticore cluster: the reading side of the seam.

``SphinxSearcher`` answers what SearchEngine, the query builder, the second stage and the
expansions ask a Whoosh searcher (document counts and frequencies, stored fields, a
document by id, the dictionary by prefix), from the cluster; ``SphinxMatches`` is the first
stage (search/first_stage.py's ``Matches``), in four steps:

1. the engine runs the query's boolean structure (search/sphinx_query.py's MATCH, with the
   filters as an expression) on the distributed table of any node that answers: it counts
   every match (``total``) and returns the ids of its best ``candidates`` by its own BM25;
2. for those candidates it returns each query term's frequency (PACKEDFACTORS over a flat
   OR of the terms, so no term is counted twice) and each field's length; its SHOW META
   gives each term's document frequency summed over all shards;
3. the engine says which candidates hold the query's phrases;
4. bahth scores the candidates with its own BM25F (Whoosh's formula and constants) using
   the **cluster-wide** idf and average lengths, so a document's score does not depend on
   the shard it landed in. The engine's own ranking (with each shard's idf) only chooses
   the candidates; when a query matches no more documents than ``candidates``, they are all
   scored and the ranking is the Whoosh backend's.

Facets are the engine's GROUP BY (FACET) over every match, date order its ORDER BY. A node
that does not answer makes a partial result: ``partial`` and ``warning`` say which.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from collections.abc import Iterator
from datetime import datetime, timezone

import numpy as np

from bahth.analyzers import AnalysisConfig
from bahth.index.deadline import EXPANDING, NO_DEADLINE, Deadline
from bahth.index.errors import BackendUnavailable, BahthError
from bahth.index.keys import best
from bahth.index.sphinx.cluster import api_port
from bahth.index.sphinx.query import (
    CANDIDATE_RANKER,
    Collection,
    InnerCondition,
    NothingMatches,
    Scorer,
    keep_expression,
    plan,
)
from bahth.index.sphinx.schema import (
    FIELD_TAGS,
    LENGTHS,
    NO_DATE,
    dictionary_table,
    document_key,
    documents_table,
    encode,
    shard_table,
    token,
)
from bahth.index.sphinx.store import SphinxStore
from bahth.index.whoosh.schema import build_schema

PREFETCH = 60  # stored fields read with the top hits (the second stage reads 30, a page 10)
STORED_KEPT = 2_000  # documents' stored fields a searcher keeps
FREQUENCIES_KEPT = 200_000  # document frequencies a searcher keeps
WORDS_LISTED = 5_000  # dictionary words one prefix lists with their frequencies, at most
WORDS_PAGE = 1_000  # words whose frequencies one round trip asks for
LISTING_PAGE = 5_000  # dictionary words one round trip lists
LISTED_KEPT = 200_000  # dictionary words a searcher keeps (then it starts over)
FACET_VALUES = 1_000
# Every query that does not order by the engine's weight asks for none: the default ranker
# (proximity_bm25) costs the engine far more than the matching, and more with each keyword
# (a document frequency lookup of 1,000 words took 30 to 50 s on SaudiNewsNet; 0.3 s without).
NO_RANKING = "ranker=none"
_TF = re.compile(r"word(\d+)=\(tf=(\d+)")
_AGENT = re.compile(r"agent ([^\s:]+):(\d+)")
STORED_COLUMNS = "id, doc_id, stored_title, stored_text, source, year, date_key, url, origin, given"


def _date(key: int) -> datetime | None:
    if key is None or key <= NO_DATE:
        return None
    return datetime.fromtimestamp(key, timezone.utc).replace(tzinfo=None)


def _given(text: str | None) -> dict:
    """A document's own fields, as the writer stored them (JSON)."""
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


class _Info:
    """A dictionary entry's term info, as much of it as search.expansion reads."""

    def __init__(self, frequency: int) -> None:
        self._frequency = frequency

    def doc_frequency(self) -> int:
        return self._frequency


class _FirstPosting:
    def __init__(self, key: int | None) -> None:
        self._key = key

    def id(self) -> int | None:
        return self._key


class _Ids:
    """run_queries' id column: a document key -> its bahth id."""

    def __init__(self, searcher: SphinxSearcher) -> None:
        self.searcher = searcher

    def __getitem__(self, key: int) -> str:
        known = self.searcher._ids.get(key)
        return known if known is not None else self.searcher.stored_fields(key)["id"]


class SphinxSearcher:
    """One thread's view of the cluster for one generation (the engine makes a new one when
    the store's generation changes)."""

    def __init__(self, store: SphinxStore, meta: dict, weighting) -> None:
        self.store = store
        self.connections = store.connections
        self.weighting = weighting
        self.slot = meta["slot"]
        self.table = documents_table(store.url.table, self.slot)
        self.dictionary = dictionary_table(store.url.table, self.slot)
        recorded = meta.get("analysis")
        try:
            analysis = AnalysisConfig(**recorded) if recorded else AnalysisConfig()
        except (TypeError, ValueError):
            analysis = AnalysisConfig()
        self.schema = build_schema(analysis)
        self.candidates = store.url.candidates
        self._collection: Collection | None = None
        self._frequencies: dict[str, int] = {}
        self._stored: OrderedDict[int, dict] = OrderedDict()
        self._ids: dict[int, str] = {}
        self._pages: dict[tuple[str, str, int], list[str]] = {}
        self._listed = 0
        self._shard_tables: dict | None = None  # node -> its shards' tables, read once

    # ---- talking to the cluster -------------------------------------------------------

    def run(self, statements: list[tuple[str, object]], doing: str = "searching"):
        """Run ``statements`` on the first node that answers (any node's distributed table
        covers the cluster); its answers, and the warnings of the last SHOW META in them."""
        silent = []
        for node in self.store.url.nodes:
            if self.connections.looks_down(node) and len(silent) < len(self.store.url.nodes) - 1:
                silent.append(node.label)
                continue
            try:
                return self.connections.run(node, statements, doing)
            except BackendUnavailable:
                silent.append(node.label)
        raise BackendUnavailable(silent, f"the index at {self.store.path} cannot be searched")

    def warning(self, meta_rows: list) -> str | None:
        """The nodes a query went without, as one sentence (None when all answered)."""
        said = [str(value) for name, value in meta_rows if name == "warning"]
        if not said:
            return None
        agents = {(m.group(1), int(m.group(2))) for m in _AGENT.finditer(" ".join(said))}
        labels = [n.label for n in self.store.url.nodes if (n.host, api_port(n.port)) in agents]
        missing = ", ".join(dict.fromkeys(labels)) or "; ".join(said)
        return f"Partial results: {missing} did not answer, so its documents are missing."

    # ---- what a Whoosh searcher answers ------------------------------------------------

    def reader(self) -> SphinxSearcher:
        return self

    def leaf_readers(self) -> list[tuple[SphinxSearcher, int]]:
        return [(self, 0)]

    def close(self) -> None:
        self._stored.clear()

    def collection(self) -> Collection:
        """Documents and total field lengths over the cluster (kept while every node
        answered; a partial count is asked again next time)."""
        if self._collection is not None:
            return self._collection
        sums = ", ".join(f"SUM({column})" for column in LENGTHS.values())
        (rows,), (meta,) = self.run(
            [(f"SELECT COUNT(*), {sums} FROM {self.table}", None), ("SHOW META", None)]
        )
        row = rows[0] if rows else (0,) * (len(LENGTHS) + 1)
        totals = {name: float(row[i + 1] or 0) for i, name in enumerate(LENGTHS)}
        collection = Collection(int(row[0] or 0), totals)
        if self.warning(meta) is None:
            self._collection = collection
        return collection

    def doc_count_all(self) -> int:
        return self.collection().documents

    def doc_count(self) -> int:
        return self.collection().documents

    def frequencies(self, tokens: list[str]) -> dict[str, int]:
        """Each token's document frequency over the cluster: each shard's, added up. Asked
        of each node's shards with CALL KEYWORDS (the numbers a query's SHOW META adds up,
        without running a query: a MATCH of 300 words cost 25 ms, this 1 ms); when a node
        does not answer, through the distributed table, whose SHOW META says which."""
        unknown = [t for t in dict.fromkeys(tokens) if t not in self._frequencies]
        for start in range(0, len(unknown), WORDS_PAGE):
            part = unknown[start : start + WORDS_PAGE]
            counted = self._shard_counts(part)
            if counted is not None:
                if len(self._frequencies) > FREQUENCIES_KEPT:
                    self._frequencies.clear()
                self._frequencies.update(counted)
                continue
            (_,), (meta,) = self.run(
                [
                    (
                        f"SELECT id FROM {self.table} WHERE MATCH(%s) LIMIT 1 OPTION {NO_RANKING}",
                        (" | ".join(part),),
                    ),
                    ("SHOW META", None),
                ],
                doing="counting words",
            )
            self.remember(meta, part)
        return {t: self._frequencies.get(t, 0) for t in tokens}

    def _shard_counts(self, tokens: list[str]) -> dict[str, int] | None:
        """Each token's document frequency, each node asked for its shards' in one round
        trip; None when a node does not answer (or the layout cannot be read)."""
        if self._shard_tables is None:
            try:
                layout = self.store.layout()
            except BahthError:
                layout = {}
            tables: dict = {}
            for shard, node in sorted(layout.items()):
                tables.setdefault(node, []).append(
                    shard_table(self.store.url.table, self.slot, shard)
                )
            self._shard_tables = tables
        if not self._shard_tables:
            return None
        counts = dict.fromkeys(tokens, 0)
        text = " ".join(tokens)
        for node, tables in self._shard_tables.items():
            statements = [("CALL KEYWORDS(%s, %s, 1)", (text, table)) for table in tables]
            try:
                answers = self.connections.run(node, statements, "counting words")
            except BahthError:
                return None
            for (rows,) in answers:
                for qpos, _, _, docs, *_ in rows:
                    counts[tokens[int(qpos) - 1]] += int(docs)
        return counts

    def remember(self, meta_rows: list, tokens: list[str] | None = None) -> None:
        """Keep the document frequencies a query's SHOW META reported (unless partial)."""
        if self.warning(meta_rows) is not None:
            return
        facts = dict(meta_rows)
        if len(self._frequencies) > FREQUENCIES_KEPT:
            self._frequencies.clear()
        i = 0
        while f"keyword[{i}]" in facts:
            self._frequencies[str(facts[f"keyword[{i}]"])] = int(facts.get(f"docs[{i}]", 0))
            i += 1
        for t in tokens or ():
            self._frequencies.setdefault(t, 0)

    def doc_frequency(self, fieldname: str, text) -> int:
        if fieldname not in FIELD_TAGS:
            return 0
        text = text.decode("utf-8") if isinstance(text, bytes) else str(text)
        tok = token(fieldname, text)
        return self.frequencies([tok])[tok]

    def doc_frequencies(self, fieldname: str, words: list[str]) -> dict[str, int]:
        """Each word's document frequency, all asked in one go (search.variants)."""
        if fieldname not in FIELD_TAGS:
            return {w: 0 for w in words}
        found = self.frequencies([token(fieldname, w) for w in words])
        return {w: found[token(fieldname, w)] for w in words}

    def cooccurrence(self, fieldname: str, a: str, b: str) -> tuple[int, int, int]:
        """Documents holding ``a``, ``b`` and both, counted by the engine: no posting crosses
        the network (search.variants; a Whoosh reader intersects the posting lists)."""
        if fieldname not in FIELD_TAGS:
            return 0, 0, 0
        ta, tb = token(fieldname, a), token(fieldname, b)
        statements = []
        for match in (ta, tb, f"{ta} {tb}"):
            statements += [
                (
                    f"SELECT id FROM {self.table} WHERE MATCH(%s) LIMIT 1 OPTION {NO_RANKING}",
                    (match,),
                ),
                ("SHOW META", None),
            ]
        answers = self.run(statements, doing="counting documents")
        counts = [int(dict(answers[i][0]).get("total_found", 0)) for i in (1, 3, 5)]
        return counts[0], counts[1], counts[2]

    def __contains__(self, pair) -> bool:
        fieldname, text = pair
        return self.doc_frequency(fieldname, text) > 0

    def postings(self, fieldname: str, text) -> _FirstPosting:
        """Only what SearchEngine._surface asks of it: the first document written with the
        term (Whoosh's lowest docnum)."""
        text = text.decode("utf-8") if isinstance(text, bytes) else str(text)
        (rows,) = self.run(
            [
                (
                    f"SELECT id FROM {self.table} WHERE MATCH(%s) ORDER BY seq ASC LIMIT 1 "
                    f"OPTION {NO_RANKING}",
                    (token(fieldname, text),),
                )
            ]
        )[0]
        return _FirstPosting(rows[0][0] if rows else None)

    def column_reader(self, name: str) -> _Ids:
        if name != "id":
            raise BahthError(f"the Sphinx backend has no column reader for {name!r}")
        return _Ids(self)

    def dictionary_words(
        self,
        fieldname: str,
        prefix: bytes,
        deadline: Deadline = NO_DEADLINE,
        stage: str = EXPANDING,
        counted: bool = False,
    ) -> Iterator[bytes] | Iterator[tuple[bytes, int]]:
        """The indexed words of an exact field starting with ``prefix``, in order, from the
        cluster's dictionary tables, a page at a time as they are asked for (one round trip
        each, the deadline looked at before it): what search.expansion reads for ``word*``,
        ``word~``, did-you-mean and suggestions. Without their frequencies, which cost a
        round trip per page (a word no document holds any more is among them: its
        frequency is 0); ``counted``: (word, frequency) of those with one, at most
        WORDS_LISTED words. Pages are kept by the searcher: the ~ words of a query share
        their first letters, and a write makes a new searcher."""
        if fieldname not in FIELD_TAGS or not fieldname.endswith("_exact"):
            return
        text = prefix.decode("utf-8") if isinstance(prefix, bytes) else str(prefix)
        offset = 0
        while not counted or offset < WORDS_LISTED:
            page = self._page(fieldname, text, offset, deadline, stage)
            terms = [term for term in page if term.startswith(text)]
            if not counted:
                yield from (term.encode("utf-8") for term in terms)
            else:
                deadline.check(stage)
                counts = self.frequencies([token(fieldname, term) for term in terms])
                for term in terms:
                    frequency = counts[token(fieldname, term)]
                    if frequency:
                        yield term.encode("utf-8"), frequency
            if len(page) < LISTING_PAGE:
                return
            offset += LISTING_PAGE

    def _page(
        self, fieldname: str, text: str, offset: int, deadline: Deadline, stage: str
    ) -> list[str]:
        """The dictionary's words of ``fieldname`` from ``offset`` (LISTING_PAGE of them) whose
        keyword starts with ``text``'s, in order; kept (LISTED_KEPT words in all)."""
        key = (fieldname, text, offset)
        page = self._pages.get(key)
        if page is None:
            deadline.check(stage)
            pattern = FIELD_TAGS[fieldname] + encode(text) + "*"
            (rows,) = self.run(
                [
                    (
                        f"SELECT term FROM {self.dictionary} WHERE MATCH(%s) ORDER BY term ASC "
                        f"LIMIT {offset},{LISTING_PAGE} "
                        f"OPTION {NO_RANKING}, max_matches={offset + LISTING_PAGE}",
                        (pattern,),
                    )
                ],
                doing="reading the dictionary",
            )[0]
            page = [row[0] for row in rows]
            if self._listed + len(page) > LISTED_KEPT:
                self._pages.clear()
                self._listed = 0
            self._pages[key] = page
            self._listed += len(page)
        return page

    def iter_prefix(self, fieldname: str, prefix: bytes) -> Iterator[tuple[bytes, _Info]]:
        """Whoosh's question: (word, info) of the indexed words of an exact field starting
        with ``prefix`` (``dictionary_words``, counted)."""
        for word, frequency in self.dictionary_words(fieldname, prefix, counted=True):
            yield word, _Info(frequency)

    # ---- stored fields -----------------------------------------------------------------

    def fetch(self, keys) -> None:
        """Read the stored fields of ``keys`` not kept yet, in one query."""
        missing = [int(k) for k in dict.fromkeys(keys) if int(k) not in self._stored]
        for start in range(0, len(missing), 500):
            part = missing[start : start + 500]
            (rows,) = self.run(
                [
                    (
                        f"SELECT {STORED_COLUMNS} FROM {self.table} WHERE id IN "
                        f"({','.join(map(str, part))}) LIMIT {len(part)} "
                        f"OPTION max_matches={max(len(part), 20)}",
                        None,
                    )
                ],
                doing="reading documents",
            )[0]
            for key, doc_id, title, text, source, year, date, url, origin, given in rows:
                self._keep(
                    key,
                    {
                        "id": doc_id,
                        "title": title,
                        "text": text,
                        "source": source or None,
                        "year": year or None,
                        "date": _date(date),
                        "url": url or None,
                        "origin": origin or None,
                        "given": _given(given),
                    },
                )

    def _keep(self, key: int, fields: dict) -> None:
        self._stored[key] = fields
        self._ids[key] = fields["id"]
        while len(self._stored) > STORED_KEPT:
            self._stored.popitem(last=False)
        if len(self._ids) > FREQUENCIES_KEPT:
            self._ids.clear()

    def stored_fields(self, key: int) -> dict:
        key = int(key)
        if key not in self._stored:
            self.fetch([key])
        fields = self._stored.get(key)
        if fields is None:
            raise BahthError(f"document {key} is no longer in the index")
        return fields

    def document(self, id: str) -> dict | None:  # noqa: A002 - Whoosh's keyword
        key = document_key(str(id))
        self.fetch([key])
        fields = self._stored.get(key)
        return fields if fields is not None and fields["id"] == str(id) else None

    # ---- the first stage ---------------------------------------------------------------

    def first_stage_matches(self, query, filter=None, deadline=None):
        return SphinxMatches(self, query, filter, deadline)


class SphinxMatches:
    """The first stage over the cluster (the module docstring has the steps)."""

    def __init__(self, searcher: SphinxSearcher, query, filter, deadline) -> None:
        self.searcher = searcher
        self.deadline = deadline
        self.partial = False
        self.warning: str | None = None
        self._keys = np.zeros(0, dtype=np.int64)
        self._scores = np.zeros(0, dtype=np.float64)
        self._total = 0
        self.notices: tuple[str, ...] = ()  # codes of search.notices
        try:
            self.plan = plan(query)
        except NothingMatches:
            self.plan = None
            return
        except InnerCondition:
            self.plan, self.notices = None, ("condition_inside_or",)
            return
        self.keep = keep_expression(filter)
        self._search(query)

    def _check(self, stage: str = "scoring") -> None:
        if self.deadline is not None:
            self.deadline.check(stage)

    def _where(self) -> tuple[str, str, tuple]:
        """(extra select, where clause, args) of this query's MATCH and filters."""
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
        warning = self.searcher.warning(meta_rows)
        if warning:
            self.partial, self.warning = True, warning

    def _search(self, query) -> None:
        s = self.searcher
        table, limit = s.table, s.candidates
        select, where, args = self._where()
        ranker = (
            f"OPTION {CANDIDATE_RANKER}, max_matches={limit}"
            if self.plan.match
            else f"OPTION max_matches={limit}"
        )
        # the engine's best candidates, equal weights by key as bahth orders ties (index.keys)
        order = " ORDER BY WEIGHT() DESC, id ASC" if self.plan.match else " ORDER BY id ASC"
        self._check()
        (found,), (meta,) = s.run(
            [
                (f"SELECT id{select} FROM {table}{where}{order} LIMIT {limit} {ranker}", args),
                ("SHOW META", None),
            ]
        )
        self._note(meta)
        facts = dict(meta)
        self._total = int(facts.get("total_found", 0))
        keys = np.array([row[0] for row in found], dtype=np.int64)
        if not len(keys):
            return
        n = len(keys)
        slot = {int(k): i for i, k in enumerate(keys.tolist())}
        tfs: dict[str, np.ndarray] = {}
        lengths = {name: np.zeros(n, dtype=np.float64) for name in LENGTHS}
        tokens = self.plan.tokens
        if tokens:
            self._check()
            columns = ", ".join(LENGTHS.values())
            ids = ",".join(map(str, keys.tolist()))
            (rows,), (meta2,) = s.run(
                [
                    (
                        f"SELECT id, doc_id, {columns}, PACKEDFACTORS() FROM {table} "
                        f"WHERE MATCH(%s) AND id IN ({ids}) LIMIT {n} "
                        f"OPTION ranker=expr('1'), max_matches={max(n, 20)}",
                        (" | ".join(tokens),),
                    ),
                    ("SHOW META", None),
                ]
            )
            self._note(meta2)
            s.remember(meta2)
            order = [str(v) for k, v in meta2 if str(k).startswith("keyword[")]
            for tok in order:
                tfs[tok] = np.zeros(n, dtype=np.int64)
            for row in rows:
                i = slot.get(int(row[0]))
                if i is None:
                    continue
                s._ids[int(row[0])] = row[1]
                for j, name in enumerate(LENGTHS):
                    lengths[name][i] = row[2 + j] or 0
                for word, tf in _TF.findall(row[-1]):
                    w = int(word)
                    if w < len(order):
                        tfs[order[w]][i] = int(tf)
            frequencies = s.frequencies(tokens)
        else:
            frequencies = {}
        hits = self._phrases(keys, tfs)
        scorer = Scorer(s.weighting, s.collection(), frequencies, tfs, lengths, hits, n)
        self._check()
        scores, _ = scorer.evaluate(query)
        self._keys, self._scores = keys, scores

    def _phrases(self, keys: np.ndarray, tfs: dict[str, np.ndarray]) -> dict[int, np.ndarray]:
        """For each phrase: which candidates the engine says hold it (only those with
        every word of it are asked about)."""
        hits: dict[int, np.ndarray] = {}
        for node_id, match in self.plan.phrases.items():
            words = re.findall(r'"([^"]*)"', match)[0].split()
            has = np.ones(len(keys), dtype=bool)
            for word in words:
                tf = tfs.get(word)
                has &= tf > 0 if tf is not None else False
            found = np.zeros(len(keys), dtype=bool)
            if has.any():
                self._check()
                ids = ",".join(map(str, keys[has].tolist()))
                count = int(has.sum())
                (rows,) = self.searcher.run(
                    [
                        (
                            f"SELECT id FROM {self.searcher.table} WHERE MATCH(%s) AND id IN "
                            f"({ids}) LIMIT {count} "
                            f"OPTION {NO_RANKING}, max_matches={max(count, 20)}",
                            (match,),
                        )
                    ]
                )[0]
                inside = {int(r[0]) for r in rows}
                found = np.array([int(k) in inside for k in keys.tolist()], dtype=bool)
            hits[node_id] = found
        return hits

    # ---- the Matches interface ---------------------------------------------------------

    @property
    def total(self) -> int:
        return self._total

    def docnums(self) -> np.ndarray:
        """The candidates (every match when the query has no more than ``candidates``)."""
        return np.sort(self._keys)

    def top(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The best ``k`` candidates by bahth's score, equal scores by key (the document's
        id here is its tie key, index/keys.py), with their scores; the stored fields of the
        first of them are read in the same go."""
        if k <= 0 or not len(self._keys):
            return self._keys[:0], self._scores[:0]
        order = best(self._scores, self._keys, k)
        keys, scores = self._keys[order], self._scores[order]
        self.searcher.fetch(keys[:PREFETCH].tolist())
        return keys, scores

    def facet_counts(self, names) -> dict[str, dict[str, int]]:
        """{facet: {value: matches with it}} over every match: the engine's GROUP BY."""
        if self.plan is None or not self._total:
            return {name: {} for name in names}
        select, where, args = self._where()
        # one GROUP BY per facet: Sphinx 2.2's FACET clause miscounts a distributed table's
        # matches when a computed filter (bahth_keep) is in the WHERE
        statements = [
            (
                f"SELECT {name}, COUNT(*) AS bahth_count{select} FROM {self.searcher.table}"
                f"{where} GROUP BY {name} ORDER BY bahth_count DESC LIMIT {FACET_VALUES} "
                f"OPTION {NO_RANKING}, max_matches={FACET_VALUES}",
                args,
            )
            for name in names
        ]
        answers = self.searcher.run([*statements, ("SHOW META", None)], doing="counting facets")
        self._note(answers[-1][0])
        counted = {}
        for name, (rows,) in zip(names, answers[:-1], strict=True):
            pairs = [(str(row[0]), int(row[1])) for row in rows if row[0] not in (None, "")]
            pairs.sort(key=lambda pair: (-pair[1], pair[0]))
            counted[name] = dict(pairs)
        return counted

    def sorted_by(self, key, limit: int, reranked: list[tuple[float, int]]):
        """The first ``limit`` matches in date order (``key``: search.filters.SortKey; the
        date is the one field a cluster sorts by), undated ones last either way, equal
        dates by key (index/keys.py); each with its relevance score, as the relevance page
        shows it (``reranked``: the second stage's, else the first stage's; 0 for a match
        past the candidates)."""
        if key.field != "date":
            raise BahthError(f"a Sphinx/Manticore cluster sorts by date only, not {key.field}")
        if self.plan is None or not self._total or limit <= 0:
            return []
        select, where, args = self._where()
        direction = "DESC" if key.descending else "ASC"
        (rows,) = self.searcher.run(
            [
                (
                    f"SELECT id, IF(date_key>{NO_DATE},0,1) AS bahth_undated{select} "
                    f"FROM {self.searcher.table}{where} "
                    f"ORDER BY bahth_undated ASC, date_key {direction}, id ASC LIMIT {limit} "
                    f"OPTION {NO_RANKING}, max_matches={limit}",
                    args,
                )
            ],
            doing="ordering by date",
        )[0]
        scores = dict(zip(self._keys.tolist(), self._scores.tolist(), strict=True))
        scores.update((docnum, score) for score, docnum in reranked)
        self.searcher.fetch([row[0] for row in rows[:PREFETCH]])
        return [(float(scores.get(int(row[0]), 0.0)), int(row[0])) for row in rows]
