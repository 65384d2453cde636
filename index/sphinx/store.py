"""SphinxStore: the write side of a bahth index kept in a Sphinx/Manticore cluster.

The same operations as IndexStore (index_paths, add_documents, delete, stats, generation,
analysis), over the tables ``bahth cluster init`` configured (index/sphinx_cluster.py):

* **Routing.** A document goes to shard ``hash(id) mod S`` (index/sphinx_schema.py) on the
  node that holds it; which node holds which shard is read from the nodes themselves
  (``SHOW TABLES``), so the URL may list them in any order.
* **Incremental.** Each row keeps its document's content hash and origin file; a run reads
  them from every shard first and writes only what changed (index/sync.py has the rules),
  with ``REPLACE`` (an update is one statement) and ``DELETE`` for ``--prune``.
* **Rebuild without a gap.** Every shard has two tables, slots a and b. ``--rebuild`` empties
  the slot not in use, fills it, and only then switches: the slot in use is a fact in each
  node's meta table, which readers read before each search. Until the switch every search
  reads the old slot, whole.
* **Faults.** A write run starts only when every node answers (else ``BackendUnavailable``
  naming the silent ones, before anything is written). If a node stops during the run,
  what was written stays written (each batch is committed by the engine, and its binlog
  survives a crash), the run fails naming the node, and running it again completes it.
* **Meta.** Each node keeps the same small record: the analysis the index was built with,
  the analyzer version, the slot in use, a version number bumped by every write (the
  readers' generation), created and last update. Readers take the highest version among
  the nodes that answer.

One writer at a time per cluster and machine (a lock file named after the URL): Sphinx has
no locks of its own, so two writers on two machines must be kept apart by their operators.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timezone
from os import PathLike
from pathlib import Path

from bahth.analyzers import ANALYZER_VERSION, AnalysisConfig, word_analysis
from bahth.index.errors import (
    AnalysisMismatch,
    BackendError,
    BackendUnavailable,
    BahthError,
    IndexEmpty,
    IndexMissing,
    IndexVersionMismatch,
)
from bahth.index.lock import WriteLock
from bahth.index.planner import Known, plan_run
from bahth.index.settings import Settings, SettingsError
from bahth.index.sources import Document, read_sources
from bahth.index.sphinx.nodes import ClusterUrl, Connections, Node
from bahth.index.sphinx.schema import (
    SLOTS,
    Row,
    column_names,
    document_key,
    document_row,
    documents_table,
    meta_table_name,
    shard_of,
    shard_table,
    shard_words_table,
    word_rows,
)
from bahth.index.whoosh.store import IndexReport, _as_documents

BATCH_ROWS = 500  # rows in one REPLACE, at most
BATCH_BYTES = 8 << 20  # bytes of one REPLACE, at most (searchd takes up to 128 MB)
KNOWN_PAGE = 10_000  # rows read at a time when reading what a shard holds


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class SphinxStore:
    """A bahth index in a cluster named by a backend URL (``sphinx://HOST:PORT,.../TABLE``)."""

    def __init__(
        self,
        url: str,
        analysis: AnalysisConfig | None = None,
        *,
        on_wait: Callable[[str], None] | None = None,
        procs: int | None = None,  # (IndexStore's; the nodes do the indexing work here)
        settings: Settings | None = None,
    ) -> None:
        self.url = ClusterUrl.parse(str(url))
        self.path = str(self.url)  # what messages name, as IndexStore's folder
        self.location = self.path  # where the index is, as stats() and the server name it
        self.requested_settings = _supported(settings, self.path)
        if analysis is None and settings is not None:
            analysis = settings.analysis_config()
        self.requested_analysis = analysis
        self.on_wait = on_wait
        self.connections = Connections(self.url)
        self.meta_table = meta_table_name(self.url.table)

    # ---- the meta record -------------------------------------------------------------

    def read_meta(self) -> dict | None:
        """The newest meta record among the nodes that answer; None when no node has one
        (no index yet). BackendUnavailable when no node answers."""
        records, silent = [], []
        for node in self.url.nodes:
            if self.connections.looks_down(node):
                silent.append(node.label)
                continue
            try:
                rows = self.connections.query(
                    node, f"SELECT facts FROM {self.meta_table} WHERE id=1", doing="reading"
                )
            except BackendUnavailable:
                silent.append(node.label)
                continue
            except BackendError as error:
                raise BahthError(
                    f"{node.label} has no table {self.meta_table}: is {self.path} a cluster "
                    f"made by `bahth cluster init`, with this table name? ({error})"
                ) from None
            if rows:
                try:
                    records.append(json.loads(rows[0][0]))
                except ValueError:
                    continue
        if len(silent) == len(self.url.nodes):
            raise BackendUnavailable(silent, f"the index at {self.path} cannot be read")
        return max(records, key=lambda r: r.get("version", 0)) if records else None

    def _write_meta(self, meta: dict, nodes: Iterable[Node]) -> None:
        text = json.dumps(meta, ensure_ascii=False)
        for node in nodes:
            self.connections.query(
                node,
                f"REPLACE INTO {self.meta_table} (id, note, facts) VALUES (1, 'bahth', %s)",
                (text,),
                doing="recording the index's version",
            )

    def exists(self) -> bool:
        return self.read_meta() is not None

    def _live_meta(self) -> dict:
        meta = self.read_meta()
        if meta is None:
            raise IndexMissing(self.path)
        return meta

    @property
    def analysis(self) -> AnalysisConfig:
        """The analysis the index was built with; else the one asked for, else the default."""
        meta = self.read_meta()
        return _analysis_of(meta) if meta else self.requested_analysis or AnalysisConfig()

    def generation(self) -> str:
        """Changes with every write and every rebuild switch."""
        meta = self._live_meta()
        return f"{meta['slot']}:{meta.get('version', 0)}"

    def _check_version(self, meta: dict) -> None:
        if str(meta.get("analyzer_version")) != ANALYZER_VERSION:
            built_with = meta.get("analyzer") or "an older bahth analyzer"
            raise IndexVersionMismatch(
                f"The index at {self.path} was built with {built_with}; this bahth uses "
                f"{ANALYZER_VERSION}: run `bahth index --rebuild PATH... --backend {self.path}`."
            )

    def open_index(self) -> dict:
        """What a reader needs: the live meta record (slot, analysis), version-checked."""
        meta = self._live_meta()
        self._check_version(meta)
        return meta

    def require_documents(self) -> int:
        documents = int(self.stats()["documents"])
        if not documents:
            raise IndexEmpty(self.path)
        return documents

    # ---- where the shards are ----------------------------------------------------------

    def layout(self) -> dict[int, Node]:
        """shard -> the node that holds it, read from every node (all must answer)."""
        pattern = re.compile(rf"^{re.escape(self.url.table)}_{SLOTS[0]}_(\d+)$")
        found: dict[int, Node] = {}
        silent = []
        for node in self.url.nodes:
            try:
                rows = self.connections.query(node, "SHOW TABLES", doing="indexing")
            except BackendUnavailable:
                silent.append(node.label)
                continue
            for name, kind in rows:
                m = pattern.match(name)
                if m and kind == "rt":
                    shard = int(m.group(1))
                    if shard in found:
                        raise BahthError(
                            f"shard {shard} of {self.url.table} is on both "
                            f"{found[shard].label} and {node.label}: fix their configurations."
                        )
                    found[shard] = node
        if silent:
            raise BackendUnavailable(silent, f"no document could be indexed into {self.path}")
        missing = [k for k in range(len(found)) if k not in found]
        if not found or missing:
            raise BahthError(
                f"the nodes of {self.path} do not hold every shard of {self.url.table} "
                f"(found {sorted(found)}): list every node of the cluster in the URL."
            )
        return found

    # ---- writing -----------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        """bahth's default fields (a cluster's tables have no others), with the input keys
        asked for and the index's stemmer."""
        base = self.requested_settings or Settings()
        return base.with_changes(stem=self.analysis.stem)

    def settings_for_run(
        self,
        loaded: Settings | None,
        *,
        stem: str | None = None,
        id_key: str | None = None,
        title_key: str | None = None,
        text_key: str | None = None,
        strict: bool = False,
    ) -> Settings | None:
        """Settings.for_run over bahth's default; settings a cluster cannot keep are refused."""
        asked = Settings.for_run(
            loaded,
            Settings,
            stem=stem,
            id_key=id_key,
            title_key=title_key,
            text_key=text_key,
            strict=strict,
        )
        return None if asked is None else _supported(asked, self.path)

    def index_paths(
        self,
        paths: Iterable[str | PathLike],
        *,
        prune: bool = False,
        rebuild: bool = False,
        progress: bool = False,
        format: str | None = None,  # noqa: A002 - IndexStore's keyword
    ) -> IndexReport:
        """As IndexStore.index_paths, into the cluster."""
        items = read_sources(list(paths), self.settings.input_mapping(), format)
        return self._write(items, prune=prune, rebuild=rebuild, progress=progress)

    def add_documents(
        self, docs: Iterable[Document | dict], *, progress: bool = False
    ) -> IndexReport:
        items = _as_documents(docs, self.settings.input_mapping())
        return self._write(items, prune=False, rebuild=False, progress=progress)

    def _lock(self) -> WriteLock:
        name = hashlib.blake2b(self.path.encode(), digest_size=8).hexdigest()
        folder = Path(tempfile.gettempdir()) / "bahth-locks"
        return WriteLock(folder / f"{name}.lock", self.on_wait)

    def _write(self, items, *, prune: bool, rebuild: bool, progress: bool) -> IndexReport:
        started = time.perf_counter()
        report = IndexReport()
        with self._lock():
            layout = self.layout()  # every node must answer before anything is written
            meta = self.read_meta()
            fresh = rebuild or meta is None
            if fresh:
                analysis = self.requested_analysis or (
                    _analysis_of(meta) if meta else AnalysisConfig()
                )
                slot = SLOTS[1] if meta and meta.get("slot") == SLOTS[0] else SLOTS[0]
                self._empty_slot(slot, layout)
                known: dict[str, Known] = {}
            else:
                self._check_version(meta)
                analysis = _analysis_of(meta)
                if self.requested_analysis is not None and self.requested_analysis != analysis:
                    raise AnalysisMismatch(
                        f"The index at {self.path} was built with {analysis.id}, not "
                        f"{self.requested_analysis.id}: add --rebuild to rebuild it (`bahth "
                        f"index --rebuild PATH... --backend {self.path}`)."
                    )
                slot = meta["slot"]
                known = self._known(slot, layout)
            version = int((meta or {}).get("version", 0)) + 1
            writer = _ShardWriter(self, slot, layout, analysis, version)
            bar = _progress_bar(progress)
            try:
                for action, item in plan_run(report.reading(items), known, report, prune=prune):
                    if bar is not None:
                        bar.update(1)
                    if action == "write":
                        writer.write(item)
                    else:
                        writer.delete(item)
                writer.flush()
            except BaseException:
                writer.close()
                if writer.wrote and not fresh:  # what was written is live: say it changed
                    try:
                        self._commit_meta(meta, slot, analysis, False, layout)
                    except BahthError:
                        pass
                raise  # a rebuild that failed is never switched to
            finally:
                writer.close()
                if bar is not None:
                    bar.close()
            if writer.wrote or fresh:
                self._commit_meta(meta, slot, analysis, fresh, layout)
        report.seconds = time.perf_counter() - started
        report.docs_per_second = report.processed / report.seconds if report.seconds else 0.0
        return report

    def _commit_meta(self, meta, slot, analysis, fresh, layout) -> None:
        """Bump the version (and, after a rebuild, switch the slot) on every node that
        answers; a rebuild switches only when every node takes the new record."""
        now = _now()
        record = dict(meta or {})
        record.update(version=int(record.get("version", 0)) + 1, last_update=now)
        if fresh:
            record.update(
                slot=slot,
                created=now,
                analysis=analysis.as_dict(),
                analyzer=analysis.id,
                analyzer_version=ANALYZER_VERSION,
                shards=len(layout),
            )
        nodes = list(self.url.nodes)
        if fresh:
            self._write_meta(record, nodes)
            return
        for node in nodes:  # a node that is down keeps an older version: readers take the max
            try:
                self._write_meta(record, [node])
            except BackendUnavailable:
                continue

    def _empty_slot(self, slot: str, layout: dict[int, Node]) -> None:
        for shard, node in layout.items():
            for table in (
                shard_table(self.url.table, slot, shard),
                shard_words_table(self.url.table, slot, shard),
            ):
                self.connections.query(
                    node, f"TRUNCATE RTINDEX {table}", doing="emptying the tables to rebuild"
                )

    def _known(self, slot: str, layout: dict[int, Node]) -> dict[str, Known]:
        """id -> content hash and origin of every document in the slot, shard by shard."""
        known: dict[str, Known] = {}
        for shard, node in layout.items():
            table = shard_table(self.url.table, slot, shard)
            last = 0
            while True:
                rows = self.connections.query(
                    node,
                    f"SELECT id, doc_id, content_hash, origin FROM {table} WHERE id > %s "
                    f"ORDER BY id ASC LIMIT {KNOWN_PAGE} OPTION max_matches={KNOWN_PAGE}",
                    (last,),
                    doing="reading what the index holds",
                )
                for _key, doc_id, content_hash, origin in rows:
                    known[doc_id] = Known(content_hash, origin or None)
                if len(rows) < KNOWN_PAGE:
                    break
                last = rows[-1][0]
        return known

    def delete(self, doc_id: str) -> bool:
        """Delete one document by id; False when there is no such document."""
        with self._lock():
            meta = self._live_meta()
            layout = self.layout()
            key, shard = document_key(doc_id), shard_of(str(doc_id), len(layout))
            table, node = shard_table(self.url.table, meta["slot"], shard), layout[shard]
            found = self.connections.query(
                node, f"SELECT id FROM {table} WHERE id = %s", (key,), doing="deleting"
            )
            if not found:
                return False
            self.connections.query(node, f"DELETE FROM {table} WHERE id = %s", (key,), "deleting")
            self._commit_meta(meta, meta["slot"], _analysis_of(meta), False, layout)
            return True

    # ---- reading ---------------------------------------------------------------------

    def stats(self, reader=None) -> dict:
        """As IndexStore.stats, for the cluster (``reader`` is a folder's; a cluster counts
        on its nodes); ``terms`` is None (the engine does not count
        its keywords), ``nodes`` says which nodes answer, and ``partial`` that the count
        misses the documents of a node that does not."""
        meta = self.open_index()
        table = documents_table(self.url.table, meta["slot"])
        documents, size, nodes, answered = None, 0, [], False
        for node in self.url.nodes:
            try:
                if documents is None:  # any node's distributed table counts them all
                    count = f"SELECT COUNT(*) FROM {table}"
                    rows = self.connections.query(node, count, doing="stats")
                    documents = int(rows[0][0]) if rows else 0  # (without a silent node's)
                size += self._node_bytes(node, meta["slot"])
                nodes.append({"node": node.label, "up": True})
                answered = True
            except BackendUnavailable:
                nodes.append({"node": node.label, "up": False})
        if not answered:
            raise BackendUnavailable([n["node"] for n in nodes], "no statistics")
        return {
            "documents": documents if documents is not None else 0,
            "terms": None,
            "size_bytes": size,
            "analyzer": meta.get("analyzer", self.analysis.id),
            "analyzer_version": str(meta.get("analyzer_version", "")),
            "last_update": meta.get("last_update"),
            "created": meta.get("created"),
            "path": self.location,
            "backend": "sphinx",
            "shards": meta.get("shards"),
            "nodes": nodes,
            "partial": not all(n["up"] for n in nodes),
        }

    def _node_bytes(self, node: Node, slot: str) -> int:
        total = 0
        pattern = re.compile(rf"^{re.escape(self.url.table)}_{slot}_w?\d+$")
        for name, kind in self.connections.query(node, "SHOW TABLES", doing="stats"):
            if kind == "rt" and pattern.match(name):
                status = dict(self.connections.query(node, f"SHOW INDEX {name} STATUS"))
                total += int(status.get("disk_bytes", 0)) + int(status.get("ram_bytes", 0))
        return total

    def health(self) -> dict:
        """Which nodes answer, for a health check: {"ok", "nodes": [{"node", "up", "error"}]}.
        Cheap: one connection attempt per node, no query of the index."""
        nodes = []
        for node in self.url.nodes:
            try:
                self.connections.query(node, "SHOW STATUS LIKE 'uptime'", doing="health check")
                nodes.append({"node": node.label, "up": True, "error": None})
            except BahthError as error:
                nodes.append({"node": node.label, "up": False, "error": str(error)})
        return {"ok": all(n["up"] for n in nodes), "backend": self.path, "nodes": nodes}


def _supported(settings: Settings | None, where: str) -> Settings | None:
    """``settings`` if a cluster can keep them: bahth's default fields and weights, any
    input keys and stemmer. Declared fields, weights, stop words and synonyms are a folder
    index's for now (its tables have the default fields only): a SettingsError says so."""
    if settings is None:
        return None
    default = Settings()
    kept = ("fields", "title_weight", "text_weight", "stopwords_add", "stopwords_remove")
    changed = [
        name
        for name in (*kept, "synonyms", "darija_synonyms")
        if getattr(settings, name) != getattr(default, name)
    ]
    if changed:
        raise SettingsError(
            f"{where}: a Sphinx/Manticore cluster keeps bahth's default fields and analysis "
            f"only; these settings need a folder index (--index DIR): {', '.join(changed)}"
        )
    return settings


class _ShardWriter:
    """Rows grouped by shard and sent in batches; each batch one REPLACE on its node, sent
    by a thread of that node's while this process analyses the next documents (the engine
    indexes in its own process: the two overlap). One batch per node is in flight at most,
    and its error, if any, is raised at the next send or at the flush."""

    def __init__(
        self, store: SphinxStore, slot: str, layout: dict[int, Node], analysis, version: int
    ) -> None:
        self.store = store
        self.seq = version << 32  # the order of writing: runs by version, rows by count
        self.slot = slot
        self.layout = layout
        self.words = word_analysis(analysis)
        self.pending: dict[int, list[Row]] = {}
        self.bytes: dict[int, int] = {}
        self.deletes: dict[int, list[int]] = {}
        self.wrote = False
        self.columns = column_names()
        self.senders = {
            node.number: ThreadPoolExecutor(1, thread_name_prefix=f"bahth-{node.number}")
            for node in set(layout.values())
        }
        self.in_flight: dict[int, Future] = {}

    def write(self, doc: Document) -> None:
        shard = shard_of(doc.id, len(self.layout))
        row = document_row(doc, self.words)
        self.seq += 1
        row.columns["seq"] = self.seq
        self.pending.setdefault(shard, []).append(row)
        size = sum(len(v) if isinstance(v, str) else 8 for v in row.columns.values())
        self.bytes[shard] = self.bytes.get(shard, 0) + size * 2
        if len(self.pending[shard]) >= BATCH_ROWS or self.bytes[shard] >= BATCH_BYTES:
            self._send(shard)

    def delete(self, doc_id: str) -> None:
        shard = shard_of(doc_id, len(self.layout))
        self.deletes.setdefault(shard, []).append(document_key(doc_id))

    def _wait(self, number: int) -> None:
        future = self.in_flight.pop(number, None)
        if future is not None:
            future.result()
            self.wrote = True

    def close(self) -> None:
        """Wait for every batch in flight (their errors are not raised) and stop the threads."""
        for number, sender in self.senders.items():
            future = self.in_flight.pop(number, None)
            if future is not None and future.exception() is None:
                self.wrote = True
            sender.shutdown(wait=True)

    def flush(self) -> None:
        for shard in list(self.pending):
            self._send(shard)
        for number in list(self.in_flight):
            self._wait(number)
        for shard, keys in self.deletes.items():
            table = shard_table(self.store.url.table, self.slot, shard)
            for start in range(0, len(keys), 1000):
                part = keys[start : start + 1000]
                self.store.connections.query(
                    self.layout[shard],
                    f"DELETE FROM {table} WHERE id IN ({','.join(map(str, part))})",
                    doing=f"deleting from shard {shard}",
                )
                self.wrote = True
        self.deletes = {}

    def _send(self, shard: int) -> None:
        rows = self.pending.pop(shard, [])
        self.bytes.pop(shard, None)
        if not rows:
            return
        node = self.layout[shard]
        table = shard_table(self.store.url.table, self.slot, shard)
        names = self.columns
        values, args = [], []
        for row in rows:
            values.append("(" + ",".join(["%s"] * len(names)) + ")")
            args.append(row.key)
            args.extend(row.columns[name] for name in names[1:])
        words = word_rows(rows)
        statements = [(f"REPLACE INTO {table} ({','.join(names)}) VALUES {','.join(values)}", args)]
        if words:
            dictionary = shard_words_table(self.store.url.table, self.slot, shard)
            word_args = [part for key, entry in words.items() for part in (key, *entry)]
            statements.append(
                (
                    f"REPLACE INTO {dictionary} (id, word, term, field) VALUES "
                    + ",".join(["(%s,%s,%s,%s)"] * len(words)),
                    word_args,
                )
            )
        self._wait(node.number)
        self.in_flight[node.number] = self.senders[node.number].submit(
            self.store.connections.run, node, statements, f"writing shard {shard}"
        )


def _analysis_of(meta: dict) -> AnalysisConfig:
    recorded = meta.get("analysis")
    try:
        return AnalysisConfig(**recorded) if recorded else AnalysisConfig()
    except (TypeError, ValueError):
        return AnalysisConfig()


def _progress_bar(enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(unit=" docs", file=sys.stderr, mininterval=0.5, dynamic_ncols=True)
