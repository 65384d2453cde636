"""Worker processes that write segments of a long indexing run side by side: one per core,
started once a run has PARALLEL_FROM documents to write (index/whoosh/writing.py), each with
its own BulkSegmentWriter (index/whoosh/writer.py); the parent commits their segments with
its own in one table of contents.

Workers are started with ``spawn`` (no fork of a process that may hold other threads'
locks), and without the caller's script (``_main_module_hidden``); each dies with its parent,
and the parent looks at them once per batch of documents, so a dead worker stops the run at
once (WorkerFailed) rather than at its end.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
import sys
import traceback
import types
from collections.abc import Iterator
from contextlib import contextmanager

from bahth.analyzers import AnalysisConfig, word_analysis
from bahth.index.whoosh.writer import BulkSegmentWriter

log = logging.getLogger("bahth.index")


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this worker when its parent dies (kill -9 included)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)


def _work(folder: str, analysis: AnalysisConfig, jobs, results, limitmb: int, parent: int):
    _die_with_parent(parent)
    import whoosh.index

    try:
        ix = whoosh.index.open_dir(folder)
        writer = BulkSegmentWriter(ix, word_analysis(analysis), limitmb=limitmb)
        while True:
            batch = jobs.get()
            if batch is None:
                break
            for fields in batch:
                writer.add_document(**fields)
        results.put(("ok", writer.finish()))
    except OSError as error:  # a full disk, a read-only folder: the parent says it in words
        results.put(("oserror", (error.errno, error.strerror or str(error), error.filename)))
    except BaseException:
        results.put(("error", traceback.format_exc()))


@contextmanager
def _main_module_hidden() -> Iterator[None]:
    """Start worker processes without the caller's script. multiprocessing's spawn runs the
    parent's ``__main__`` again in each child before the child's work, unguarded top level
    included: a script that indexes without ``if __name__ == "__main__":`` (the README's
    example, say) had each worker index again, wait for the write lock its parent holds, and
    both waited forever. The workers need nothing from that script, and spawn leaves
    ``__main__`` alone when it has neither ``__spec__`` nor ``__file__``, so for the moment
    of starting them ``sys.modules["__main__"]`` is a blank module (the caller's own module
    object is not touched)."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is None:
            del sys.modules["__main__"]
        else:
            sys.modules["__main__"] = main


class WorkerFailed(RuntimeError):
    """An indexing worker process died or raised. ``signal_number`` is the signal that
    killed it (9, SIGKILL, is what the out-of-memory killer sends), else None."""

    def __init__(self, message: str, signal_number: int | None = None) -> None:
        super().__init__(message)
        self.signal_number = signal_number


class ParallelAdder:
    """Send documents' fields to ``procs`` worker processes in batches; ``finish()`` returns
    the segments they wrote (not yet in any table of contents: the caller commits them)."""

    def __init__(
        self,
        folder: str,
        analysis: AnalysisConfig,
        procs: int = 2,
        batch: int = 100,
        limitmb: int = 128,
    ) -> None:
        context = multiprocessing.get_context("spawn")
        self.jobs = context.Queue(maxsize=procs * 2)
        self.results = context.Queue()
        self.batch_size = batch
        self.buffer: list[dict] = []
        self._segments: list = []
        self._finished = 0  # workers that sent their segments
        self.workers = [
            context.Process(
                target=_work,
                args=(folder, analysis, self.jobs, self.results, limitmb, os.getpid()),
                daemon=True,
            )
            for _ in range(procs)
        ]
        with _main_module_hidden():
            for worker in self.workers:
                worker.start()

    def add(self, fields: dict) -> None:
        self.buffer.append(fields)
        if len(self.buffer) >= self.batch_size:
            self._put(self.buffer)
            self.buffer = []

    def _put(self, item) -> None:
        self._check_alive()  # once a batch: a failed worker stops the run now, not at the end
        while True:
            try:
                self.jobs.put(item, timeout=1.0)
                return
            except queue.Full:
                self._check_alive()

    def _check_alive(self) -> None:
        """Raise what went wrong if a worker has reported an error or stopped before its
        time (a worker that reports an error exits with status 0)."""
        while True:
            try:
                status, value = self.results.get_nowait()
            except queue.Empty:
                break
            self._take(status, value)
        if any(worker.exitcode not in (None, 0) for worker in self.workers):
            raise self._died()

    def _take(self, status: str, value) -> None:
        """One worker's report: its segments, or the exception its failure stands for."""
        if status == "ok":
            self._segments.extend(value)
            self._finished += 1
        elif status == "oserror":  # as the worker met it
            raise OSError(*value) if value[2] is not None else OSError(*value[:2])
        else:
            detail = value.strip().splitlines()[-1] if value.strip() else status
            log.debug("an indexing worker failed:\n%s", value)
            raise WorkerFailed(f"an indexing worker failed: {detail}")

    def _died(self) -> WorkerFailed:
        """A worker is gone without a report: say how it ended."""
        try:  # a report may still be on its way
            self._take(*self.results.get(timeout=1.0))
        except queue.Empty:
            pass
        for worker in self.workers:
            if worker.exitcode is not None and worker.exitcode < 0:
                number = -worker.exitcode
                return WorkerFailed(f"an indexing worker was killed (signal {number})", number)
        codes = [worker.exitcode for worker in self.workers if worker.exitcode]
        if codes:
            return WorkerFailed(f"an indexing worker exited with status {codes[0]}")
        return WorkerFailed("an indexing worker exited without its segments")

    def finish(self) -> list:
        """Wait for every worker's segments; raise if one fails (``cancel`` stops the rest)."""
        if self.buffer:
            self._put(self.buffer)
            self.buffer = []
        for _ in self.workers:
            self._put(None)
        while self._finished < len(self.workers):
            done = all(worker.exitcode is not None for worker in self.workers)
            try:
                status, value = self.results.get(timeout=1.0)
            except queue.Empty:
                if done or any(worker.exitcode not in (None, 0) for worker in self.workers):
                    raise self._died() from None  # (done: all exited before this wait)
                continue
            self._take(status, value)
        for worker in self.workers:
            worker.join()
        return self._segments

    def cancel(self) -> None:
        """Stop every worker and let this process exit: a queue's feeder thread blocked on a
        pipe nobody reads any more would otherwise hold it at exit forever."""
        for worker in self.workers:
            if worker.is_alive():
                worker.terminate()
        for worker in self.workers:
            worker.join(timeout=5)
            if worker.is_alive():
                worker.kill()
                worker.join(timeout=5)
        for channel in (self.jobs, self.results):
            channel.cancel_join_thread()
            channel.close()
