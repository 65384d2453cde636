"""No data loss, whatever happened to an index folder: one test per way it can be damaged.

A lost ``current`` link (a backup tool that skips symbolic links) is put back and nothing is
deleted; a generation whose files are empty, cut short or gone is named in one line with the
command that rebuilds it, by every command that reads it, and no writer touches it; a build
that was killed is removed by the next writer; leftovers of a failed run are removed."""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from bahth.index.errors import BahthError, IndexDamaged
from bahth.index.whoosh.store import IndexStore
from bahth.search.engine import SearchEngine
from bahth.web import create_app
from tests.test_cli_index import (
    SEEDS,
    bahth,
    children_of,
    document_ids,
    is_worker,
    start,
    write_jsonl,
)

SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))
ONE = {"id": "one", "title": "عنوان", "text": "نص واحد"}


@pytest.fixture()
def index(tmp_path: Path) -> Path:
    """An index of the seeds (gen-0001), as `bahth index seeds/` leaves it."""
    path = tmp_path / "ix"
    IndexStore(path).index_paths([SEEDS])
    assert os.readlink(path / "current") == "gen-0001"
    return path


def files_of(folder: Path) -> dict[str, int]:
    """Every file under ``folder`` and its size: what "nothing was touched" compares."""
    return {
        str(p.relative_to(folder)): p.lstat().st_size
        for p in sorted(folder.rglob("*"))
        if p.name != "write.lock"
    }


# ---- a lost link ---------------------------------------------------------------------------


def test_the_issue_case_cp_a_then_rm_current_keeps_every_document(tmp_path, index) -> None:
    copy = tmp_path / "c4"
    shutil.copytree(index, copy, symlinks=True)
    (copy / "current").unlink()
    one = tmp_path / "one.jsonl"
    one.write_text('{"id": "one", "title": "عنوان", "text": "نص"}\n', encoding="utf-8")

    done = bahth("index", str(one), "--index", str(copy))
    assert done.returncode == 0, done.stderr
    assert f"bahth: warning: {copy / 'current'} was missing" in done.stderr
    assert "gen-0001" in done.stderr
    assert sorted(document_ids(copy)) == sorted([*SEED_IDS, "one"])
    assert os.readlink(copy / "current") == "gen-0001"


@pytest.mark.parametrize(
    "lose",
    [
        pytest.param(lambda link: link.unlink(), id="link-removed"),
        pytest.param(
            lambda link: (link.unlink(), link.symlink_to("gen-0009")), id="link-points-nowhere"
        ),
    ],
)
def test_a_lost_link_is_read_through_and_put_back_by_the_next_writer(index, lose) -> None:
    lose(index / "current")
    assert IndexStore(index).stats()["documents"] == 5, "readers use the newest complete one"

    report = IndexStore(index).add_documents([ONE])
    assert (report.added, report.failed) == (1, 0)
    assert len(report.warnings) == 1 and "points to gen-0001 again" in report.warnings[0]
    assert os.readlink(index / "current") == "gen-0001"
    assert sorted(document_ids(index)) == sorted([*SEED_IDS, "one"])


def test_a_rebuild_never_deletes_a_generation_it_did_not_replace(index) -> None:
    (index / "current").unlink()
    IndexStore(index).add_documents([ONE])  # relinks gen-0001
    (index / "current").unlink()
    report = IndexStore(index).index_paths([SEEDS], rebuild=True)
    assert report.added == 5
    assert sorted(p.name for p in index.glob("gen-*")) == ["gen-0001", "gen-0002"]
    assert os.readlink(index / "current") == "gen-0002"
    # the next rebuild replaces gen-0002; gen-0001 was replaced before it: removed
    IndexStore(index).index_paths([SEEDS], rebuild=True)
    assert sorted(p.name for p in index.glob("gen-*")) == ["gen-0002", "gen-0003"]


# ---- damaged generation files --------------------------------------------------------------


def segment_file(index: Path) -> Path:
    (segment,) = (index / "gen-0001").glob("MAIN_*.seg")
    return segment


def truncate(path: Path, size: int) -> None:
    with path.open("r+b") as stream:
        stream.truncate(size)


DAMAGE = [
    pytest.param(
        lambda ix: truncate(ix / "gen-0001" / "_MAIN_1.toc", 0),
        "table of contents gen-0001/_MAIN_1.toc is empty",
        id="empty-table-of-contents",
    ),
    pytest.param(
        lambda ix: truncate(ix / "gen-0001" / "_MAIN_1.toc", 1500),
        "table of contents gen-0001/_MAIN_1.toc is cut short or garbled",
        id="truncated-table-of-contents",
    ),
    pytest.param(
        lambda ix: (ix / "gen-0001" / "_MAIN_1.toc").write_bytes(b"\x05" * 900),
        "table of contents gen-0001/_MAIN_1.toc is cut short or garbled",
        id="garbled-table-of-contents",
    ),
    pytest.param(
        lambda ix: (ix / "gen-0001" / "_MAIN_1.toc").unlink(),
        "gen-0001 has no table of contents",
        id="missing-table-of-contents",
    ),
    pytest.param(
        lambda ix: truncate(segment_file(ix), segment_file(ix).stat().st_size // 2),
        "is cut short or garbled",
        id="truncated-segment",
    ),
    pytest.param(lambda ix: truncate(segment_file(ix), 0), "is empty", id="empty-segment"),
    pytest.param(lambda ix: segment_file(ix).unlink(), "is missing", id="missing-segment"),
    pytest.param(
        lambda ix: (ix / "gen-0001" / "bahth.json").unlink(),
        "gen-0001/bahth.json is missing",
        id="missing-bahth.json",
    ),
    pytest.param(
        lambda ix: truncate(ix / "gen-0001" / "bahth.json", 0),
        "gen-0001/bahth.json cannot be read",
        id="empty-bahth.json",
    ),
]


@pytest.mark.parametrize(("damage", "what"), DAMAGE)
def test_a_damaged_index_is_named_and_never_written_over(index, damage, what) -> None:
    damage(index)
    before = files_of(index)
    reads = [
        lambda: IndexStore(index).stats(),
        lambda: SearchEngine(index).search("الحموشي"),
        lambda: SearchEngine(index).document(SEED_IDS[0]),
        lambda: IndexStore(index).add_documents([ONE]),
    ]
    for read in reads:
        with pytest.raises(IndexDamaged) as raised:
            read()
        message = str(raised.value)
        assert f"The index at {index} is damaged: " in message and what in message
        assert message.endswith(f"bahth index --rebuild PATH... --index {index}")
    assert files_of(index) == before, "a damaged index is left as it is"

    assert IndexStore(index).index_paths([SEEDS], rebuild=True).added == 5
    assert sorted(document_ids(index)) == SEED_IDS
    assert (index / "gen-0001").is_dir(), "the damaged generation is kept (it was live)"


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["stats"], id="stats"),
        pytest.param(["search", "الحموشي"], id="search"),
        pytest.param(["search", "--queries", "{queries}", "--run", "{run}"], id="search-batch"),
        pytest.param(["index", str(SEEDS)], id="index"),
        pytest.param(["serve", "--port", "0"], id="serve"),
    ],
)
def test_every_command_says_damaged_in_one_line(tmp_path, index, command) -> None:
    segment = segment_file(index)
    truncate(segment, segment.stat().st_size // 2)  # once a bare "Aborted!"
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"id": "1", "text": "الحموشي"}\n', encoding="utf-8")
    args = [a.format(queries=queries, run=tmp_path / "run.trec") for a in command]
    done = bahth(*args, "--index", str(index))
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert f"bahth: The index at {index} is damaged: segment file gen-0001/" in done.stderr
    assert f"bahth index --rebuild PATH... --index {index}" in done.stderr


@pytest.mark.parametrize("path", ["/", "/search?q=x", "/api/search?q=x", "/doc/x"])
def test_the_web_answers_a_damaged_index_with_503_and_the_rebuild_command(index, path) -> None:
    truncate(index / "gen-0001" / "_MAIN_1.toc", 0)
    response = create_app({"BAHTH_INDEX": str(index)}).test_client().get(path)
    assert response.status_code == 503
    body = response.get_data(as_text=True)
    said = "index_damaged" if path.startswith("/api/") else "هذا الفهرس تالف"
    assert said in body and f"bahth index --rebuild PATH... --index {index}" in body


# ---- what dead runs leave behind -----------------------------------------------------------


def test_a_killed_rebuild_is_removed_by_the_next_write(tmp_path, index) -> None:
    big = write_jsonl(tmp_path / "big.jsonl", 10_000, "new", seed=2)
    run = start("index", str(big), "--index", str(index), "--rebuild")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and run.poll() is None:
        if [p for p in children_of(run.pid) if is_worker(p)]:
            break
        time.sleep(0.05)
    assert run.poll() is None, "the rebuild ended before it could be killed: make it longer"
    time.sleep(0.5)
    os.kill(run.pid, signal.SIGKILL)
    run.wait(timeout=10)
    run.stdout.close()
    run.stderr.close()
    assert (index / "gen-0002").is_dir(), "the killed rebuild left its generation"
    assert sorted(document_ids(index)) == SEED_IDS, "readers never see it"

    one = tmp_path / "one.jsonl"
    one.write_text('{"id": "one", "title": "عنوان", "text": "نص"}\n', encoding="utf-8")
    done = bahth("index", str(one), "--index", str(index))
    assert done.returncode == 0, done.stderr
    assert f"warning: removed {index / 'gen-0002'}, left by an indexing run" in done.stderr
    assert sorted(p.name for p in index.glob("gen-*")) == ["gen-0001"]
    assert sorted(document_ids(index)) == sorted([*SEED_IDS, "one"])


def test_a_failed_runs_leftovers_are_removed_by_the_next_write(index) -> None:
    live = index / "gen-0001"
    committed = files_of(live)
    (live / "MAIN.tmp").mkdir()
    (live / "MAIN.tmp" / "abc.ctmp").write_bytes(b"x" * 1000)  # Whoosh's temporary folder
    (live / "MAIN_leftover123456789.seg").write_bytes(b"x" * 1000)  # a segment no TOC names
    (live / "_MAIN_2.toc.1733045000.5").write_bytes(b"x" * 10)  # a TOC before its rename
    (live / ".bahth.json.4242").write_text("{}")  # bahth.json before its rename
    IndexStore(index).add_documents([ONE])
    left = set(files_of(live)) - set(committed)
    assert all(name.startswith(("MAIN_", "_MAIN_2.toc")) for name in left), left
    assert not [n for n in left if "leftover" in n or "tmp" in n or n.startswith(".")], left
    assert sorted(document_ids(index)) == sorted([*SEED_IDS, "one"])


def test_a_folder_that_is_not_an_index_is_refused_before_anything_is_written(tmp_path) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    (folder / "passwd").write_text("root:x:0:0")
    with pytest.raises(BahthError, match="not a bahth index folder"):
        IndexStore(folder).add_documents([ONE])
    assert sorted(os.listdir(folder)) == ["passwd"], "not even write.lock"
    done = bahth("index", str(SEEDS), "--index", str(folder))
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert sorted(os.listdir(folder)) == ["passwd"]
