"""`bahth index` and `bahth stats` as a user runs them: real processes, real exit codes,
kill -9 in the middle of a long run, and two runs at once on one index."""

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bahth.index.whoosh.store import IndexStore

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}


def bahth(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bahth", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env or ENV,
        timeout=120,
    )


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bahth", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=ENV,
    )


def report_of(done: subprocess.CompletedProcess) -> dict:
    return json.loads(done.stdout.strip().splitlines()[-1])


def write_jsonl(path: Path, count: int, prefix: str, seed: int = 1) -> Path:
    """``count`` Arabic documents made of the seeds' words."""
    words = " ".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))).split()
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            doc = {
                "id": f"{prefix}-{n:05d}",
                "title": " ".join(rng.choices(words, k=8)),
                "text": " ".join(rng.choices(words, k=rng.randint(40, 160))),
                "source": rng.choice(["sabq", "okaz"]),
                "date": "2015-07-21 10:00:00",
            }
            out.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return path


def document_ids(index: Path) -> list[str]:
    with IndexStore(index).open_index().reader() as reader:
        ids = reader.column_reader("id")
        return [ids[n] for n in reader.all_doc_ids()]


@pytest.fixture()
def seeds_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    return folder


def test_index_the_seeds_again_and_again(tmp_path, seeds_copy) -> None:
    index = str(tmp_path / "ix")
    first = bahth("index", str(seeds_copy), "--index", index, "--json")
    assert first.returncode == 0, first.stderr
    assert report_of(first) | {"seconds": 0, "docs_per_second": 0} == {
        "added": 5,
        "updated": 0,
        "unchanged": 0,
        "deleted": 0,
        "failed": 0,
        "failures": [],
        "warnings": [],
        "seconds": 0,
        "docs_per_second": 0,
    }
    assert "5 added, 0 updated, 0 unchanged, 0 deleted, 0 failed" in first.stderr

    again = bahth("index", str(seeds_copy), "--index", index)
    assert again.returncode == 0
    assert "0 added, 0 updated, 5 unchanged, 0 deleted, 0 failed" in again.stdout
    assert "docs/s" in again.stdout

    changed = sorted(seeds_copy.glob("*.txt"))[2]
    changed.write_text(changed.read_text(encoding="utf-8") + "\nتحديث", encoding="utf-8")
    assert report_of(bahth("index", str(seeds_copy), "--index", index, "--json"))["updated"] == 1

    sorted(seeds_copy.glob("*.txt"))[0].unlink()
    pruned = bahth("index", str(seeds_copy), "--index", index, "--prune", "--json")
    assert (report_of(pruned)["deleted"], report_of(pruned)["unchanged"]) == (1, 4)

    stats = bahth("stats", "--index", index, "--json")
    assert stats.returncode == 0 and report_of(stats)["documents"] == 4
    human = bahth("stats", "--index", index)
    assert "documents  4" in human.stdout and "stem=light" in human.stdout


def test_broken_files_are_named_and_the_rest_indexed(tmp_path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.txt").write_text("عنوان جيد\nنص جيد", encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "latin1.txt").write_bytes("Café crème\ntexte".encode("latin-1"))
    (folder / "news.jsonl").write_text(
        '{"id": "n1", "title": "خبر", "text": "نص"}\n{oops\n{"id": "n3", "text": " "}\n'
        '{"id": "n4", "text": "نص رابع"}\n',
        encoding="utf-8",
    )
    done = bahth("index", str(folder), "--index", str(tmp_path / "ix"), "--json")
    assert done.returncode == 1
    report = report_of(done)
    assert (report["added"], report["failed"]) == (3, 4)
    for where in ("empty.txt", "latin1.txt", "news.jsonl:2", "news.jsonl:3"):
        assert f"skipped {folder / where}: " in done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(document_ids(tmp_path / "ix")) == ["good", "n1", "n4"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["index", "{tmp}/no-such-folder"], "no such file or folder", id="missing"),
        pytest.param(["index"], "Missing argument", id="no-path"),
        pytest.param(["index", "{seeds}", "--stem", "porter"], "Invalid value", id="bad-stem"),
    ],
)
def test_usage_errors_exit_2_with_one_line(tmp_path, args, message) -> None:
    args = [a.format(tmp=tmp_path, seeds=SEEDS) for a in args]
    done = bahth(*args, "--index", str(tmp_path / "ix"))
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "ix" / "current").exists()


def test_stem_of_an_existing_index_changes_only_with_rebuild(tmp_path) -> None:
    index = str(tmp_path / "ix")
    assert bahth("index", str(SEEDS), "--index", index).returncode == 0
    refused = bahth("index", str(SEEDS), "--index", index, "--stem", "snowball")
    assert refused.returncode == 2 and "--rebuild" in refused.stderr
    rebuilt = bahth("index", str(SEEDS), "--index", index, "--stem", "snowball", "--rebuild")
    assert rebuilt.returncode == 0
    assert "stem=snowball" in report_of(bahth("stats", "--index", index, "--json"))["analyzer"]


def test_environment_variable_chooses_the_index(tmp_path) -> None:
    env = {**ENV, "BAHTH_INDEX": str(tmp_path / "from-env")}
    assert bahth("index", str(SEEDS), env=env).returncode == 0
    assert report_of(bahth("stats", "--json", env=env))["documents"] == 5


def test_stats_without_an_index_says_how_to_build_one(tmp_path) -> None:
    done = bahth("stats", "--index", str(tmp_path / "none"))
    assert done.returncode == 1
    assert "There is no index" in done.stderr and "bahth index" in done.stderr
    assert done.stderr.count("\n") == 1


def children_of(pid: int) -> list[int]:
    """Live (not zombie) child processes of ``pid``, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                state, parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:2]
            except OSError:
                continue
            if int(parent) == pid and state != "Z":
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def is_worker(pid: int) -> bool:
    try:
        return "spawn_main" in (Path("/proc") / str(pid) / "cmdline").read_text()
    except OSError:
        return False


BIG_RUN = 10_000


def test_kill_9_in_a_long_run_leaves_the_last_commit(tmp_path) -> None:
    index = str(tmp_path / "ix")
    small = write_jsonl(tmp_path / "small.jsonl", 50, "old")
    # Long enough that the kill below lands mid-run: with 3,000 documents the run sometimes
    # committed within the second after its workers started (CI saw "new-" documents).
    big = write_jsonl(tmp_path / "big.jsonl", BIG_RUN, "new", seed=2)
    assert bahth("index", str(small), "--index", index).returncode == 0

    run = start("index", str(big), str(small), "--index", index)
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while time.monotonic() < deadline and run.poll() is None:
        workers = [p for p in children_of(run.pid) if is_worker(p)]
        if len(workers) >= 2:
            break
        time.sleep(0.05)
    assert run.poll() is None, "the run ended before it could be killed: make it longer"
    assert workers, "the run never started its worker processes"
    time.sleep(0.5)  # the workers are now indexing
    os.kill(run.pid, signal.SIGKILL)
    run.wait(timeout=10)
    run.stdout.close()
    run.stderr.close()

    assert sorted(document_ids(Path(index))) == [f"old-{n:05d}" for n in range(50)]
    # A worker still starting up (imports) when the parent died exits as soon as it gets to
    # check its parent; give a loaded machine a few seconds for that.
    deadline = time.monotonic() + 10
    while [p for p in workers if alive(p)] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in workers if alive(p)], "workers outlived the kill"

    rerun = bahth("index", str(big), str(small), "--index", index, "--json")
    assert rerun.returncode == 0, rerun.stderr
    assert (report_of(rerun)["added"], report_of(rerun)["unchanged"]) == (BIG_RUN, 50)
    ids = document_ids(Path(index))
    assert len(ids) == len(set(ids)) == BIG_RUN + 50
    live = Path(index, "current")
    assert not list(live.glob("*.tmp")), "temporary files cleaned up"
    segments = {s.segid for s in IndexStore(index).open_index()._segments()}
    left = {f.name.split("_")[1].split(".")[0] for f in live.glob("MAIN_*.*")}
    assert left == segments, "files of the killed run's segments cleaned up"


def test_two_runs_at_once_both_finish_with_the_right_count(tmp_path) -> None:
    from bahth.index.lock import WriteLock

    index = tmp_path / "ix"
    one = write_jsonl(tmp_path / "one.jsonl", 300, "shared", seed=3)
    two = write_jsonl(tmp_path / "two.jsonl", 200, "other", seed=4)
    with WriteLock(index / "write.lock"):  # hold the index so that both runs must wait
        runs = [
            start("index", str(one), "--index", str(index), "--json"),
            start("index", str(two), str(one), "--index", str(index), "--json"),
        ]
        for run in runs:
            line = run.stderr.readline()
            assert "waiting for another bahth index" in line, line
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [err for _, err in outputs]
    reports = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    assert sum(r["added"] for r in reports) == 500
    assert sum(r["unchanged"] for r in reports) == 300, "the second run saw the first's work"
    ids = document_ids(index)
    assert len(ids) == len(set(ids)) == 500


def test_stats_count_on_the_view_a_search_opens(tmp_path, monkeypatch) -> None:
    """`bahth stats` counted with a Whoosh reader of its own, which copies every segment into
    memory first (600 MB on SaudiNewsNet); it counts on the search view's reader."""
    from click.testing import CliRunner

    from bahth.cli import main

    IndexStore(tmp_path / "ix").add_documents([{"id": "a", "title": "عنوان", "text": "نص"}])
    counted_on = []
    real = IndexStore.stats

    def stats(self, reader=None):
        counted_on.append(reader)
        return real(self, reader)

    monkeypatch.setattr(IndexStore, "stats", stats)
    result = CliRunner().invoke(main, ["stats", "--index", str(tmp_path / "ix"), "--json"])
    assert result.exit_code == 0 and json.loads(result.output)["documents"] == 1
    assert counted_on and all(reader is not None for reader in counted_on)
