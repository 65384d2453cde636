"""Faults while indexing: a disk that fills up, a worker process killed, a read-only index.

Each run is a real `python -m bahth index` process with a timeout that turns a hang into a
failure. Each must end the same way: one line that says what happened, exit 1, no process
left behind, none of its files left in the index, and the last commit still searchable.
The full disk is a real 2 MB tmpfs when the tests run as root (as in CI); otherwise a writer
made to fail with ENOSPC in this process."""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bahth.index.errors import IndexWriteFailed
from bahth.index.whoosh import writing as store_module
from bahth.index.whoosh.store import IndexStore
from tests.test_cli_index import (
    SEEDS,
    alive,
    bahth,
    children_of,
    document_ids,
    is_worker,
    start,
    write_jsonl,
)

SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))
ROOT_USER = os.geteuid() == 0


def files_of(folder: Path) -> dict[str, int]:
    return {
        str(p.relative_to(folder)): p.lstat().st_size
        for p in sorted(folder.rglob("*"))
        if p.name != "write.lock"
    }


@contextmanager
def tmpfs(folder: Path, size: str, *options: str) -> Iterator[Path]:
    """A real tmpfs of ``size`` at ``folder`` (root only), unmounted at the end."""
    folder.mkdir()
    mount = ["mount", "-t", "tmpfs", "-o", ",".join([f"size={size}", *options]), "tmpfs"]
    subprocess.run([*mount, str(folder)], check=True, capture_output=True, timeout=30)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False, timeout=30)


def assert_undone(done: subprocess.CompletedProcess, index: Path, before: dict, what: str):
    """One line, exit 1, nothing of the run left, the last commit whole and searchable."""
    assert done.returncode == 1, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert what in done.stderr and "nothing of this run was committed" in done.stderr
    assert files_of(index) == before, "the run's files are removed"
    assert sorted(document_ids(index)) == SEED_IDS
    search = bahth("search", "الحموشي", "--index", str(index))
    assert search.returncode == 0 and "documents" in search.stdout


@pytest.mark.skipif(not ROOT_USER, reason="mounting a tmpfs needs root; see the ENOSPC twin")
@pytest.mark.parametrize(
    "documents",
    [
        pytest.param(3000, id="in-worker-processes"),  # past PARALLEL_FROM
        pytest.param(600, id="in-the-main-process"),
    ],
)
def test_a_full_disk_undoes_the_run_and_says_so(tmp_path, documents) -> None:
    data = write_jsonl(tmp_path / "big.jsonl", documents, "new", seed=2)
    with tmpfs(tmp_path / "disk", "2m") as disk:
        index = disk / "ix"
        assert bahth("index", str(SEEDS), "--index", str(index)).returncode == 0
        before = files_of(index)

        done = bahth("index", str(data), "--index", str(index))  # times out on a hang
        assert_undone(done, index, before, f"bahth: disk full while writing {index}")
        when, after = free_space_said(done.stderr)
        assert when < 0.1 < after, "full when it failed; the undoing freed the run's files"

        # the space is back: the next small run works
        one = tmp_path / "one.jsonl"
        one.write_text('{"id": "one", "title": "عنوان", "text": "نص"}\n', encoding="utf-8")
        assert bahth("index", str(one), "--index", str(index)).returncode == 0


def test_a_writer_failing_with_enospc_undoes_the_run(tmp_path, monkeypatch) -> None:
    """The same without root: a segment writer whose disk is full (no worker processes)."""
    from whoosh.filedb.structfile import StructFile

    index = tmp_path / "ix"
    IndexStore(index).index_paths([SEEDS])
    before = files_of(index)
    written = {"bytes": 0}
    original = StructFile.write

    def write_until_full(self, data, *args, **kwargs):
        written["bytes"] += len(data)
        if written["bytes"] > 200_000:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return original(self, data, *args, **kwargs)

    monkeypatch.setattr(StructFile, "write", write_until_full)
    data = write_jsonl(tmp_path / "big.jsonl", 300, "new", seed=2)
    with pytest.raises(IndexWriteFailed, match="disk full while writing .* MB free"):
        IndexStore(index, procs=1).index_paths([data])
    monkeypatch.setattr(StructFile, "write", original)
    assert files_of(index) == before
    assert sorted(document_ids(index)) == SEED_IDS
    assert IndexStore(index).add_documents([{"id": "x", "text": "نص"}]).added == 1


def free_space_said(message: str) -> tuple[float, float]:
    """The MB a disk-full message says were free when the write failed, and after."""
    found = re.search(
        r"\(([\d.,]+) MB free when it failed, ([\d.,]+) MB once this run's files were removed\)",
        message,
    )
    assert found, message
    return float(found[1].replace(",", "")), float(found[2].replace(",", ""))


def test_a_full_disk_says_the_space_free_when_it_failed(tmp_path, monkeypatch) -> None:
    """Measured after the run was undone, the free space counted the run's own files as
    free: a run that filled a 20 MB disk said "21.0 MB free". Here the disk is the index
    folder's files on a 20 MB disk, and the writer fails with ENOSPC once it has written
    1 MB (without root: see the tmpfs test above)."""
    from whoosh.filedb.structfile import StructFile

    from bahth.index.whoosh import faults

    index = tmp_path / "ix"
    IndexStore(index).index_paths([SEEDS])
    disk = 20_000_000

    def usage(path):
        used = sum(p.stat().st_size for p in index.rglob("*") if p.is_file())
        return shutil._ntuple_diskusage(disk, used, disk - used)

    written = {"bytes": 0}
    write = StructFile.write

    def write_until_full(self, data, *args, **kwargs):
        written["bytes"] += len(data)
        if written["bytes"] > 1_000_000:
            self.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return write(self, data, *args, **kwargs)

    monkeypatch.setattr(faults.shutil, "disk_usage", usage)
    monkeypatch.setattr(StructFile, "write", write_until_full)
    data = write_jsonl(tmp_path / "big.jsonl", 600, "new", seed=2)
    with pytest.raises(IndexWriteFailed) as failed:
        IndexStore(index, procs=1).index_paths([data])
    when, after = free_space_said(str(failed.value))
    assert after == round((disk - sum(files_of(index).values())) / 1e6, 1)
    assert when < after, "the run's files were still there when it failed"


def test_a_killed_worker_undoes_the_run_and_says_so(tmp_path) -> None:
    index = tmp_path / "ix"
    assert bahth("index", str(SEEDS), "--index", str(index)).returncode == 0
    before = files_of(index)
    big = write_jsonl(tmp_path / "big.jsonl", 10_000, "new", seed=2)

    run = start("index", str(big), "--index", str(index))
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while time.monotonic() < deadline and run.poll() is None and len(workers) < 2:
        workers = [p for p in children_of(run.pid) if is_worker(p)]
        time.sleep(0.05)
    assert run.poll() is None and workers, "the run never started its worker processes"
    time.sleep(0.5)  # the workers are indexing
    os.kill(workers[0], signal.SIGKILL)  # as the out-of-memory killer would
    try:
        _, stderr = run.communicate(timeout=60)  # a hang fails here
    finally:
        if run.poll() is None:
            run.kill()
            run.communicate()
    done = subprocess.CompletedProcess(run.args, run.returncode, "", stderr)
    what = "an indexing worker process was killed (signal 9, out of memory?)"
    assert_undone(done, index, before, what)
    assert not [p for p in workers if alive(p)], "the other worker was stopped too"


@pytest.mark.skipif(not ROOT_USER, reason="remounting read-only needs root")
def test_a_read_only_index_is_read_and_its_writes_refused_in_one_line(tmp_path) -> None:
    with tmpfs(tmp_path / "disk", "4m") as disk:
        index = disk / "ix"
        assert bahth("index", str(SEEDS), "--index", str(index)).returncode == 0
        before = files_of(index)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True, timeout=30)

        for extra in ([], ["--rebuild"]):
            done = bahth("index", str(SEEDS), "--index", str(index), *extra)
            assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
            assert "the file system is read-only" in done.stderr and "Traceback" not in done.stderr
        assert files_of(index) == before
        stats = bahth("stats", "--index", str(index), "--json")
        assert stats.returncode == 0 and '"documents": 5' in stats.stdout


def test_a_worker_failure_stops_the_others_and_nothing_hangs(tmp_path, monkeypatch) -> None:
    """A worker raising (here: it cannot open the index folder) ends the run at once."""
    monkeypatch.setattr(store_module, "PARALLEL_FROM", 40)
    index = tmp_path / "ix"
    IndexStore(index).index_paths([SEEDS])
    before = files_of(index)
    docs = [{"id": f"d{n}", "title": "عنوان", "text": "نص " * 50} for n in range(400)]

    real = store_module.ParallelAdder

    def adder_on_a_missing_folder(folder, *args, **kwargs):
        return real(str(Path(folder) / "gone"), *args, **kwargs)

    monkeypatch.setattr(store_module, "ParallelAdder", adder_on_a_missing_folder)
    with pytest.raises(IndexWriteFailed, match="an indexing worker failed: .*nothing of this run"):
        IndexStore(index, procs=2).add_documents(docs)  # (a hang is pytest-timeout's to catch)
    assert not [p for p in children_of(os.getpid()) if is_worker(p)], "no worker left"
    assert files_of(index) == before
