"""One run's writing into a cluster: rows grouped by shard and sent in batches, each batch one
REPLACE on its node (and a second for the dictionary's new words: the engine batches reads
only), sent by a thread of that node's while this process analyses the next documents (the
engine indexes in its own process: the two overlap). One batch per node is in flight at most,
and its error, if any, is raised at the next send or at the flush."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

from bahth.analyzers import word_analysis
from bahth.index.keys import document_key
from bahth.index.planner import Write
from bahth.index.sphinx.nodes import Node
from bahth.index.sphinx.schema import (
    Row,
    column_names,
    document_row,
    shard_of,
    shard_table,
    shard_words_table,
    word_rows,
)

BATCH_ROWS = 500  # rows in one REPLACE, at most
BATCH_BYTES = 8 << 20  # bytes of one REPLACE, at most (searchd takes up to 128 MB)


class ShardWriter:
    """The rows of one run, to their shards (see the module docstring)."""

    def __init__(self, store, slot: str, layout: dict[int, Node], analysis, version: int) -> None:
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

    def write(self, step: Write) -> None:
        shard = shard_of(step.document.id, len(self.layout))
        row = document_row(step, self.words)
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
            keys = "(" + ",".join(map(str, row.facet_keys)) + ")"
            values.append("(" + ",".join(["%s"] * len(names)) + f",{keys})")
            args.append(row.key)
            args.extend(row.columns[name] for name in names[1:])
        columns = ",".join([*names, "facet_keys"])
        statements = [(f"REPLACE INTO {table} ({columns}) VALUES {','.join(values)}", args)]
        words = word_rows(rows)
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
