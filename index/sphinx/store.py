"""SphinxStore: the write side of a bahth index kept in a Sphinx/Manticore cluster.

The same operations as a folder's store (index/contract.py), over the tables ``bahth cluster
init`` configured (index/sphinx/cluster.py):

* **Routing.** A document goes to shard ``hash(id) mod S`` (index/sphinx/schema.py) on the
  node that holds it; which node holds which shard is read from the nodes themselves
  (``SHOW TABLES``), so the URL may list them in any order.
* **Incremental.** Each row keeps its document's content hash and origin file; a run reads
  them from every shard first, and the one planner (index/planner.py) says what to write,
  with ``REPLACE`` (an update is one statement) and ``DELETE`` for ``--prune``.
* **Rebuild without a gap.** Every shard has two tables, slots a and b. ``--rebuild`` empties
  the slot not in use, fills it, and only then switches: the slot in use is a fact in each
  node's meta table, which readers read before each search. Until the switch every search
  reads the old slot, whole.
* **Faults.** A write run starts only when every node answers (else ``BackendUnavailable``
  naming the silent ones, before anything is written). If a node stops during the run,
  what was written stays written (each batch is committed by the engine, and its binlog
  survives a crash), the run fails naming the node, and running it again completes it.
* **Meta.** Each node keeps the same record (index/record.py): the analysis and settings the
  index was built with, the analyzer version, the slot in use, a version number bumped by
  every write (the readers' generation), created and last update. Readers take the highest
  version among the nodes that answer.

One writer at a time per cluster and machine (a lock file named after the URL): Sphinx has
no locks of its own, so two writers on two machines must be kept apart by their operators.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from os import PathLike
from pathlib import Path

from bahth.analyzers import AnalysisConfig
from bahth.index.errors import (
    BackendError,
    BackendUnavailable,
    BahthError,
    IndexDamaged,
    IndexEmpty,
    IndexMissing,
)
from bahth.index.keys import document_key
from bahth.index.lock import WriteLock
from bahth.index.planner import (
    IndexReport,
    Known,
    Write,
    as_documents,
    note_left_out,
    plan,
    progress_bar,
)
from bahth.index.record import Asked, now, record, recorded, recorded_analysis
from bahth.index.settings import Settings, SettingsError
from bahth.index.sources import Document, read_sources
from bahth.index.sphinx.nodes import ClusterUrl, Connections, Node
from bahth.index.sphinx.schema import (
    LAYOUT,
    SLOTS,
    documents_table,
    meta_table_name,
    shard_of,
    shard_table,
    shard_words_table,
)
from bahth.index.sphinx.writer import ShardWriter

KNOWN_PAGE = 10_000  # rows read at a time when reading what a shard holds


class SphinxStore:
    """A bahth index in a cluster named by a backend URL (``sphinx://HOST:PORT,.../TABLE``)."""

    def __init__(
        self,
        url: str,
        analysis: AnalysisConfig | None = None,
        *,
        on_wait: Callable[[str], None] | None = None,
        procs: int | None = None,  # (a folder's; the nodes do the indexing work here)
        settings: Settings | None = None,
    ) -> None:
        self.url = ClusterUrl.parse(str(url))
        self.path = str(self.url)  # what messages name, as a folder's path
        self.location = self.path  # where the index is, as stats() and the server name it
        self.asked = Asked.of(settings, analysis, self.path, f"--backend {self.path}")
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
        return recorded_analysis(meta) if meta else self.asked.analysis or AnalysisConfig()

    @property
    def settings(self) -> Settings:
        """The settings the index records; else the ones asked for, else bahth's default."""
        meta = self.read_meta()
        return self.settings_of(meta) if meta else self.asked.effective(None)

    def settings_of(self, meta: dict) -> Settings:
        try:
            return recorded(meta, f"{self.path} (its meta record)")
        except SettingsError as error:
            raise IndexDamaged(self.path, f"its settings cannot be read ({error})") from None

    @staticmethod
    def generation_of(meta: dict) -> str:
        return f"{meta['slot']}:{meta.get('version', 0)}"

    def generation(self) -> str:
        """Changes with every write and every rebuild switch."""
        return self.generation_of(self._live_meta())

    def open_index(self) -> dict:
        """What a reader needs: the live meta record (slot, analysis), version-checked."""
        meta = self._live_meta()
        self.asked.check_version(meta)
        return meta

    def readers(self):
        """The read side (index/contract.py Readers): a reader per thread and generation."""
        from bahth.index.sphinx.reader import ClusterReaders

        return ClusterReaders(self)

    def require_documents(self) -> int:
        documents = int(self.stats()["documents"])
        if not documents:
            raise IndexEmpty(self.path)
        return documents

    def settings_for_run(self, loaded: Settings | None, **options) -> Settings | None:
        """Settings.for_run, over this index's own settings (or bahth's default)."""
        return Settings.for_run(loaded, lambda: self.settings, **options)

    # ---- where the shards are ----------------------------------------------------------

    def layout(self) -> dict[int, Node]:
        """shard -> the node that holds it, read from every node (all must answer)."""
        pattern = re.compile(rf"^{re.escape(self.url.table)}_{SLOTS[0]}_(\d+)$")
        found: dict[int, Node] = {}
        named: dict[int, str] = {}  # every shard a node's distributed table names
        silent = []
        for node in self.url.nodes:
            try:
                rows = self.connections.query(node, "SHOW TABLES", doing="indexing")
                if any(name == documents_table(self.url.table, SLOTS[0]) for name, _ in rows):
                    named.update(self._shards_named(node))
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
        elsewhere = sorted(set(named) - set(found))
        if elsewhere:  # a URL that leaves nodes out: writes would go to the wrong shards
            where = ", ".join(f"shard {k} on {named[k]}" for k in elsewhere)
            raise BahthError(
                f"{self.path} does not list every node of the cluster ({where}, whose node "
                "is not in the URL): list every node of the cluster in the URL."
            )
        self._check_layout(found)
        return found

    def _shards_named(self, node: Node) -> dict[int, str]:
        """shard -> where a node's distributed table says it is (``local``, or the agent
        ``HOST:PORT`` of the node that holds it: nodes talk on their SphinxQL port + 1)."""
        pattern = re.compile(rf"^(?:(.+):)?{re.escape(self.url.table)}_{SLOTS[0]}_(\d+)$")
        table = documents_table(self.url.table, SLOTS[0])
        named = {}
        for name, _kind in self.connections.query(node, f"DESCRIBE {table}", doing="indexing"):
            m = pattern.match(str(name))
            if m:
                named[int(m.group(2))] = f"agent {m.group(1)}" if m.group(1) else node.label
        return named

    def _check_layout(self, layout: dict[int, Node]) -> None:
        """The tables must be this bahth's layout (their columns): a cluster an older bahth
        made is named, with the command that makes it again."""
        node = layout[0]
        table = shard_table(self.url.table, SLOTS[0], 0)
        columns = {row[0] for row in self.connections.query(node, f"DESCRIBE {table}")}
        if not {"attrs", "facet_keys", "story", "fingerprint"} <= columns:
            raise BahthError(
                f"the tables of {self.path} were made by an older bahth (layout "
                f"{LAYOUT - 1} or before; this bahth needs layout {LAYOUT}): make the cluster "
                "again with `bahth cluster init DIR ...` (then `bahth cluster start DIR`) and "
                f"index into it with --rebuild."
            )

    # ---- writing -----------------------------------------------------------------------

    def index_paths(
        self,
        paths: Iterable[str | PathLike],
        *,
        prune: bool = False,
        rebuild: bool = False,
        progress: bool = False,
        format: str | None = None,  # noqa: A002 - the folder store's keyword
    ) -> IndexReport:
        """As a folder's index_paths, into the cluster."""
        mapping = self._effective().input_mapping()
        items = read_sources(list(paths), mapping, format)
        return self._write(items, prune=prune, rebuild=rebuild, progress=progress)

    def add_documents(
        self, docs: Iterable[Document | dict], *, progress: bool = False
    ) -> IndexReport:
        items = as_documents(docs, self._effective().input_mapping())
        return self._write(items, prune=False, rebuild=False, progress=progress)

    def _effective(self) -> Settings:
        meta = self.read_meta()
        return self.asked.effective(self.settings_of(meta) if meta else None)

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
                built = (self.settings_of(meta), recorded_analysis(meta)) if meta else (None, None)
                analysis, settings = self.asked.for_new(*built)
                before = set(self._known(meta["slot"], layout)) if meta else None
                slot = SLOTS[1] if meta and meta.get("slot") == SLOTS[0] else SLOTS[0]
                self._empty_slot(slot, layout)
                known: dict[str, Known] = {}
            else:
                self.asked.check_version(meta)
                analysis, settings = recorded_analysis(meta), self.settings_of(meta)
                self.asked.check_against(settings, analysis)
                report.warnings.extend(self.asked.notes_against(settings))
                settings = self.asked.effective(settings)  # query-time changes apply at once
                slot = meta["slot"]
                known = self._known(slot, layout)
            version = int((meta or {}).get("version", 0)) + 1
            writer = ShardWriter(self, slot, layout, analysis, version)
            bar = progress_bar(progress)
            try:
                members = (lambda: ()) if fresh else (lambda: self._members(slot, layout))
                steps = plan(items, known, settings, report, prune=prune, members=members)
                for step in steps:
                    if bar is not None:
                        bar.update(1)
                    if isinstance(step, Write):
                        writer.write(step)
                    else:
                        writer.delete(step.doc_id)
                writer.flush()
            except BaseException:
                writer.close()
                if writer.wrote and not fresh:  # what was written is live: say it changed
                    try:
                        self._commit_meta(meta, slot, analysis, settings, False)
                    except BahthError:
                        pass
                raise  # a rebuild that failed is never switched to
            finally:
                writer.close()
                if bar is not None:
                    bar.close()
            if fresh:
                note_left_out(report, before, set(self._known(slot, layout)))
            if writer.wrote or fresh or self.asked.settings is not None:
                self._commit_meta(meta, slot, analysis, settings, fresh, len(layout))
        report.timed(time.perf_counter() - started)
        return report

    def _commit_meta(self, meta, slot, analysis, settings, fresh, shards=None) -> None:
        """Bump the version (and, after a rebuild, switch the slot) on every node that
        answers; a rebuild switches only when every node takes the new record."""
        moment = now()
        entry = dict(meta or {})
        entry.update(version=int(entry.get("version", 0)) + 1, last_update=moment)
        entry["settings"] = settings.as_dict()
        if fresh:
            entry.update(record(analysis, settings), slot=slot, created=moment, shards=shards)
            self._write_meta(entry, list(self.url.nodes))
            return
        for node in self.url.nodes:  # a node that is down keeps an older version: readers
            try:  # take the max
                self._write_meta(entry, [node])
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
        rows = self._rows(slot, layout, "doc_id, content_hash, origin")
        return {
            doc_id: Known(content_hash, origin or None) for doc_id, content_hash, origin in rows
        }

    def _members(self, slot: str, layout: dict[int, Node]) -> list[tuple[str, int, bytes]]:
        """(id, story key, fingerprint) of every document in the slot (index/stories.py)."""
        rows = self._rows(slot, layout, "doc_id, story, fingerprint")
        return [(doc_id, int(story), bytes.fromhex(print_ or "")) for doc_id, story, print_ in rows]

    def _rows(self, slot: str, layout: dict[int, Node], columns: str) -> Iterator[tuple]:
        """``columns`` of every document in the slot, shard by shard, a page at a time."""
        for shard, node in layout.items():
            table = shard_table(self.url.table, slot, shard)
            last = 0
            while True:
                rows = self.connections.query(
                    node,
                    f"SELECT id, {columns} FROM {table} WHERE id > %s "
                    f"ORDER BY id ASC LIMIT {KNOWN_PAGE} OPTION max_matches={KNOWN_PAGE}",
                    (last,),
                    doing="reading what the index holds",
                )
                for row in rows:
                    yield tuple(row[1:])
                if len(rows) < KNOWN_PAGE:
                    break
                last = rows[-1][0]

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
            settings = self.settings_of(meta)
            self._commit_meta(meta, meta["slot"], recorded_analysis(meta), settings, False)
            return True

    # ---- reading ---------------------------------------------------------------------

    def stats(self, reader=None) -> dict:
        """As a folder's stats, for the cluster (``reader`` is not needed: a cluster counts
        on its nodes); ``terms`` is None (the engine does not count its keywords), ``nodes``
        says which nodes answer, and ``partial`` that the count misses the documents of a
        node that does not."""
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
