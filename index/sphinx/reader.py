"""The cluster store's read side (index/contract.py): one generation of a bahth index kept
in a Sphinx/Manticore cluster, read over SphinxQL.

A ``ClusterReader`` answers what the engine asks of any store (document counts, term
statistics, the dictionary by prefix, stored fields) from the cluster, and selects each
query's candidates (index/sphinx/selection.py). It belongs to one thread (pymysql's
connections are per thread) and one generation (the meta record's slot and version); what
it learns (document frequencies, dictionary pages, stored fields, collection statistics) is
kept with it, so a query asks the cluster only what the generation has not told it yet.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from bahth.index import nodes
from bahth.index.deadline import NO_DEADLINE, Deadline
from bahth.index.errors import BackendUnavailable, BahthError
from bahth.index.fields import is_exact_field
from bahth.index.keys import document_key
from bahth.index.limits import MAX_WORD_BYTES
from bahth.index.sphinx.cluster import api_port
from bahth.index.sphinx.query import NO_RANKING, keyword_counts, read_attrs
from bahth.index.sphinx.schema import (
    LENGTHS,
    dictionary_table,
    documents_table,
    encode,
    searched_fields,
    shard_table,
    tag,
    token,
)

STORED_KEPT = 2_000  # documents' stored fields a reader keeps
FREQUENCIES_KEPT = 200_000  # document frequencies a reader keeps
WORDS_LISTED = 5_000  # dictionary words one prefix lists with their frequencies, at most
WORDS_PAGE = 1_000  # words whose frequencies one round trip asks for
LISTING_PAGE = 5_000  # dictionary words one round trip lists
LISTED_KEPT = 200_000  # dictionary words a reader keeps (then it starts over)
_AGENT = re.compile(r"agent ([^\s:]+):(\d+)")
STORED_COLUMNS = "id, doc_id, stored_title, stored_text, origin, given"
STORY_MEMBERS = 1_000  # a story's documents listed, at most (copies of a dispatch: tens)


class ClusterReaders:
    """A cluster's readers (index/contract.py Readers): one per thread, made again when the
    cluster's generation changes."""

    def __init__(self, store) -> None:
        self.store = store
        self._local = threading.local()

    @contextmanager
    def lease(self) -> Iterator[ClusterReader]:
        meta = self.store.open_index()  # the live record, version-checked (IndexMissing...)
        generation = self.store.generation_of(meta)
        reader = getattr(self._local, "reader", None)
        if reader is None or reader.generation != generation:
            reader = self._local.reader = ClusterReader(self.store, meta)
        yield reader

    def close(self) -> None:
        self._local.reader = None


class ClusterReader:
    """One thread's view of one generation of a cluster."""

    def __init__(self, store, meta: dict) -> None:
        self.store = store
        self.connections = store.connections
        self.generation = store.generation_of(meta)
        self.slot = meta["slot"]
        self.settings = store.settings_of(meta)
        self.analysis = self.settings.analysis_config()
        self.table = documents_table(store.url.table, self.slot)
        self.dictionary = dictionary_table(store.url.table, self.slot)
        self.fields = set(searched_fields(self.settings))
        self.candidates = store.url.candidates
        self.cache: dict = {}
        self._collection: dict | None = None
        self._frequencies: dict[str, int] = {}
        self._stored: OrderedDict[int, dict] = OrderedDict()
        self._ids: dict[int, str] = {}
        self._pages: dict[tuple[str, str, int], list[str]] = {}
        self._listed = 0
        self._shard_tables: dict | None = None  # node -> its shards' tables, read once
        self._stories: dict[int, int] = {}  # handle -> story key (index/stories.py)

    # ---- talking to the cluster -------------------------------------------------------

    def run(self, statements: list[tuple[str, object]], doing: str = "searching"):
        """Run ``statements`` on the first node that answers (any node's distributed table
        covers the cluster): for each, its result set's rows."""
        silent = []
        nodes = self.store.url.nodes
        for node in nodes:
            if self.connections.looks_down(node) and len(silent) < len(nodes) - 1:
                silent.append(node.label)
                continue
            try:
                return self.connections.run(node, statements, doing)
            except BackendUnavailable:
                silent.append(node.label)
        raise BackendUnavailable(silent, f"the index at {self.store.path} cannot be searched")

    def warning(self, meta_rows: list) -> str | None:
        """The nodes a query went without, as one sentence (None when all answered)."""
        silent = self.silent(meta_rows)
        if not silent:
            return None
        return f"Partial results: {', '.join(silent)} did not answer, so its documents are missing."

    def silent(self, meta_rows: list) -> list[str]:
        """The nodes a query went without, by label (or the engine's words), from its meta."""
        said = [str(value) for name, value in meta_rows if name == "warning"]
        if not said:
            return []
        agents = {(m.group(1), int(m.group(2))) for m in _AGENT.finditer(" ".join(said))}
        nodes = self.store.url.nodes
        labels = [n.label for n in nodes if (n.host, api_port(n.port)) in agents]
        return list(dict.fromkeys(labels)) or said

    def whole(self, statement: tuple[str, object], doing: str, found_is_enough: bool = False):
        """The rows of ``statement``, which every node must answer (``found_is_enough``: or
        which found something): an answer without a node (a document it holds, a story's
        member on it) would say "none" where the truth is "not now", so BackendUnavailable
        names the node instead."""
        (rows,), (meta,) = self.run([statement, ("SHOW META", ())], doing=doing)
        silent = self.silent(meta)
        if silent and not (rows and found_is_enough):
            raise BackendUnavailable(silent, doing)
        return rows

    # ---- counts and statistics -----------------------------------------------------------

    def collection(self) -> dict:
        """Documents and each searched field's total length over the cluster (kept while every
        node answered; a partial count is asked again next time)."""
        if self._collection is not None:
            return self._collection
        declared = [f for f in sorted(self.fields) if f not in LENGTHS]
        sums = [f"SUM({column})" for column in LENGTHS.values()]
        sums += [f"SUM(INTEGER(attrs.len.{name}))" for name in declared]
        (rows,), (meta,) = self.run(
            [(f"SELECT COUNT(*), {', '.join(sums)} FROM {self.table}", ()), ("SHOW META", ())]
        )
        row = rows[0] if rows else (0,) * (len(sums) + 1)
        names = [*LENGTHS, *declared]
        totals = {name: float(row[i + 1] or 0) for i, name in enumerate(names)}
        collection = {"documents": int(row[0] or 0), "totals": totals}
        if self.warning(meta) is None:
            self._collection = collection
        return collection

    def doc_count(self) -> int:
        return self.collection()["documents"]

    def collection_size(self) -> int:
        return self.collection()["documents"]

    def average_length(self, field: str) -> float:
        documents = self.collection_size()
        total = self.collection()["totals"].get(field, 0.0)
        return (total / documents if documents else 1.0) or 1.0

    def frequency(self, field: str, term: str) -> int:
        return self.frequencies(field, [term])[term]

    def frequencies(self, field: str, terms: Iterable[str]) -> dict[str, int]:
        terms = list(terms)
        if field not in self.fields:
            return dict.fromkeys(terms, 0)
        found = self.token_frequencies([token(field, t) for t in terms])
        return {t: found[token(field, t)] for t in terms}

    def token_frequencies(self, tokens: list[str]) -> dict[str, int]:
        """Each token's document frequency over the cluster: each shard's, added up. Asked
        of each node's shards with CALL KEYWORDS (the numbers a query's SHOW META adds up,
        without running a query: a MATCH of 300 words cost 25 ms, this 1 ms); when a node
        does not answer, through the distributed table, whose SHOW META says which."""
        unknown = [t for t in dict.fromkeys(tokens) if t not in self._frequencies]
        for start in range(0, len(unknown), WORDS_PAGE):
            part = unknown[start : start + WORDS_PAGE]
            counted = self._shard_counts(part)
            if counted is not None:
                self.remember(counted)
                continue
            (_,), (meta,) = self.run(
                [
                    (
                        f"SELECT id FROM {self.table} WHERE MATCH(%s) LIMIT 1 OPTION {NO_RANKING}",
                        (" | ".join(part),),
                    ),
                    ("SHOW META", ()),
                ],
                doing="counting words",
            )
            if self.warning(meta) is None:
                self.remember({**dict.fromkeys(part, 0), **keyword_counts(meta)})
        return {t: self._frequencies.get(t, 0) for t in tokens}

    def absent(self, query) -> frozenset[str]:
        """The tokens of ``query`` that this generation is known to hold in no document
        (counted before: frequencies are remembered), which its MATCH can leave out."""
        tokens = (token(field, text) for field, text in nodes.terms(query))
        return frozenset(t for t in tokens if self._frequencies.get(t) == 0)

    def remember(self, counts: dict[str, int]) -> None:
        """Keep document frequencies (of a whole cluster's answer, never a partial one)."""
        if len(self._frequencies) > FREQUENCIES_KEPT:
            self._frequencies.clear()
        self._frequencies.update(counts)

    def _shard_counts(self, tokens: list[str]) -> dict[str, int] | None:
        """Each token's document frequency, each node asked for its shards' (one round trip
        a shard); None when a node does not answer (or the layout cannot be read)."""
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

    def cooccurrence(self, field: str, a: str, b: str) -> tuple[int, int, int]:
        """Documents holding ``a``, ``b`` and both, counted by the engine in one round trip:
        no posting crosses the network."""
        if field not in self.fields:
            return 0, 0, 0
        ta, tb = token(field, a), token(field, b)
        statements: list[tuple[str, object]] = []
        for match in (ta, tb, f"{ta} {tb}"):
            statements += [
                (
                    f"SELECT id FROM {self.table} WHERE MATCH(%s) LIMIT 1 OPTION {NO_RANKING}",
                    (match,),
                ),
                ("SHOW META", ()),
            ]
        answers = self.run(statements, doing="counting documents")
        counts = [int(dict(answers[i][0]).get("total_found", 0)) for i in (1, 3, 5)]
        return counts[0], counts[1], counts[2]

    # ---- the dictionary ------------------------------------------------------------------

    def vocabulary(
        self, field: str, prefix: str, deadline: Deadline, stage: str, counted: bool
    ) -> list[Iterator[tuple[str, int | None]]]:
        if field not in self.fields or not is_exact_field(field):
            return []
        return [self._words(field, prefix, deadline, stage, counted)]

    def _words(
        self, field: str, prefix: str, deadline: Deadline, stage: str, counted: bool
    ) -> Iterator[tuple[str, int | None]]:
        """The indexed words of an exact field starting with ``prefix``, in order, from the
        cluster's dictionary tables, a page at a time as they are asked for (one round trip
        each, the deadline looked at before it). Without their frequencies (None), which
        cost a round trip per page (a word no document holds any more is among them: its
        frequency is 0); ``counted``: (word, frequency) of those with one, at most
        WORDS_LISTED words. Pages are kept by the reader: the ~ words of a query share
        their first letters, and a write makes a new reader."""
        offset = 0
        while not counted or offset < WORDS_LISTED:
            page = self._page(field, prefix, offset, deadline, stage)
            terms = [t for t in page if t.startswith(prefix) and len(t.encode()) <= MAX_WORD_BYTES]
            if not counted:
                yield from ((term, None) for term in terms)
            else:
                deadline.check(stage)
                counts = self.frequencies(field, terms)
                yield from ((term, counts[term]) for term in terms if counts[term])
            if len(page) < LISTING_PAGE:
                return
            offset += LISTING_PAGE

    def _page(self, field: str, text: str, offset: int, deadline: Deadline, stage: str):
        """The dictionary's words of ``field`` from ``offset`` (LISTING_PAGE of them) whose
        keyword starts with ``text``'s, in order; kept (LISTED_KEPT words in all)."""
        key = (field, text, offset)
        page = self._pages.get(key)
        if page is None:
            deadline.check(stage)
            prefix = tag(field)
            pattern = prefix + encode(text, 200) + "*"  # (the field's tag keeps to its words)
            (rows,) = self.run(
                [
                    (
                        f"SELECT term FROM {self.dictionary} WHERE MATCH(%s) "
                        f"ORDER BY term ASC LIMIT {offset},{LISTING_PAGE} "
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

    # ---- documents -------------------------------------------------------------------

    def first_with(self, field: str, term: str) -> int | None:
        """The first document written with ``term`` (the lowest ``seq``)."""
        if field not in self.fields:
            return None
        (rows,) = self.run(
            [
                (
                    f"SELECT id FROM {self.table} WHERE MATCH(%s) ORDER BY seq ASC LIMIT 1 "
                    f"OPTION {NO_RANKING}",
                    (token(field, term),),
                )
            ]
        )[0]
        return int(rows[0][0]) if rows else None

    def fetch(self, handles: Iterable[int]) -> None:
        """Read the stored fields of ``handles`` not kept yet, in one round trip."""
        missing = [int(k) for k in dict.fromkeys(handles) if int(k) not in self._stored]
        statements = [
            (
                f"SELECT {STORED_COLUMNS} FROM {self.table} WHERE id IN "
                f"({','.join(map(str, part))}) LIMIT {len(part)} "
                f"OPTION max_matches={max(len(part), 20)}",
                (),
            )
            for part in (missing[i : i + 500] for i in range(0, len(missing), 500))
        ]
        if not statements:
            return
        for (rows,) in self.run(statements, doing="reading documents"):
            for row in rows:
                self._keep(row)

    def _keep(self, row: tuple) -> None:
        """Keep one row of STORED_COLUMNS as a document's stored fields."""
        key, doc_id, title, text, origin, given = row
        key = int(key)
        fields = {
            "id": doc_id,
            "title": title,
            "text": text,
            "origin": origin or None,
            "given": read_attrs(given),
        }
        self._stored[key] = fields
        self._ids[key] = fields["id"]
        while len(self._stored) > STORED_KEPT:
            self._stored.popitem(last=False)
        if len(self._ids) > FREQUENCIES_KEPT:
            self._ids.clear()

    def stored(self, handle: int) -> dict:
        key = int(handle)
        if key not in self._stored:
            self.fetch([key])
        fields = self._stored.get(key)
        if fields is None:
            raise BahthError(f"document {key} is no longer in the index")
        return fields

    def stored_many(self, handles: Sequence[int]) -> dict[int, dict]:
        self.fetch(handles)
        return {int(h): self.stored(h) for h in handles}

    def ids(self, handles: Sequence[int]) -> list[str]:
        self.fetch([h for h in handles if int(h) not in self._ids])
        return [self._ids.get(int(h)) or self.stored(h)["id"] for h in handles]

    def stem_lists(self, field: str) -> None:
        return None  # the nodes keep texts only: the second stage reads them

    def document(self, doc_id: str) -> dict | None:
        key = document_key(str(doc_id))
        if key not in self._stored:
            statement = (f"SELECT {STORED_COLUMNS} FROM {self.table} WHERE id = {key} LIMIT 1", ())
            doing = f"document {str(doc_id)!r} cannot be read"
            for row in self.whole(statement, doing, found_is_enough=True):
                self._keep(row)
        fields = self._stored.get(key)
        return fields if fields is not None and fields["id"] == str(doc_id) else None

    # ---- stories (index/stories.py) ------------------------------------------------------

    def story_keys(self, handles: Sequence[int], known: dict[int, int] | None = None) -> list:
        """The story key of each of ``handles`` (``known``: those a selection read already;
        the others in one round trip)."""
        if known:
            self._stories.update(known)
        missing = [int(h) for h in dict.fromkeys(handles) if int(h) not in self._stories]
        if missing:
            if len(self._stories) > FREQUENCIES_KEPT:
                self._stories.clear()
            listed = ",".join(map(str, missing))
            (rows,) = self.run(
                [
                    (
                        f"SELECT id, story FROM {self.table} WHERE id IN ({listed}) "
                        f"LIMIT {len(missing)} OPTION max_matches={max(len(missing), 20)}",
                        (),
                    )
                ],
                doing="reading stories",
            )[0]
            self._stories.update({int(key): int(story) for key, story in rows})
        return [self._stories.get(int(h), int(h)) for h in handles]

    def story_sizes(self, keys: Sequence[int]) -> dict[int, int]:
        wanted = sorted({int(key) for key in keys})
        if not wanted:
            return {}
        (rows,) = self.run(
            [
                (
                    f"SELECT story, COUNT(*) AS bahth_count FROM {self.table} WHERE story IN "
                    f"({','.join(map(str, wanted))}) GROUP BY story LIMIT {len(wanted)} "
                    f"OPTION {NO_RANKING}, max_matches={max(len(wanted), 20)}",
                    (),
                )
            ],
            doing="counting stories",
        )[0]
        counted = {int(story): int(count) for story, count in rows}
        return {key: counted.get(key, 0) for key in wanted}

    def story_members(self, key: int) -> list[int]:
        statement = (
            f"SELECT id FROM {self.table} WHERE story = {int(key)} ORDER BY id ASC "
            f"LIMIT {STORY_MEMBERS} OPTION {NO_RANKING}, max_matches={STORY_MEMBERS}",
            (),
        )
        return [int(row[0]) for row in self.whole(statement, "the story cannot be read whole")]

    def select(self, query, condition, deadline: Deadline = NO_DEADLINE, facets=()):
        from bahth.index.sphinx.selection import ClusterSelection

        return ClusterSelection(self, query, condition, deadline, facets)
