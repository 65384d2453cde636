"""`[stories] enabled` switched between runs of `bahth index` (no --rebuild): a run writes
with the settings it was given, as a cluster does, so a document indexed while stories are
off is alone (README: "documents indexed while it is off are each alone until a
--rebuild"), and one written by the run that turns them on is grouped. Turning them on says
what it cannot do by itself."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import SEEDS

from bahth.index.settings import Settings
from bahth.index.whoosh.store import IndexStore
from bahth.search.engine import SearchEngine

FIRST = "000_0777507a1eab11fb.txt"
QUERY = "الحموشي السفير الأمريكي"


def folders(tmp_path: Path) -> dict[str, Path]:
    """seeds, and two copies of the first article (each with a line of its own) in
    folders of their own."""
    made = {"seeds": tmp_path / "seeds"}
    shutil.copytree(SEEDS, made["seeds"])
    for name, line in (("copy1", "المصدر: وكالة"), ("copy2", "سطر آخر مختلف")):
        made[name] = tmp_path / name
        made[name].mkdir()
        text = (SEEDS / FIRST).read_text(encoding="utf-8")
        (made[name] / f"{name}.txt").write_text(f"{text}\n{line}\n", encoding="utf-8")
    return made


# (runs: stories on or off, the folders indexed; then stories and documents the query finds,
# and whether the last run warns that documents indexed while stories were off stay alone)
RUNS = [
    pytest.param(
        [(True, ["seeds", "copy1"]), (False, ["seeds", "copy1", "copy2"]), (True, ["seeds"])],
        (6, 7),
        True,
        id="a-copy-indexed-while-off-stays-alone",
    ),
    pytest.param(
        [(True, ["seeds"]), (False, ["seeds"]), (True, ["seeds", "copy1"])],
        (5, 6),
        True,
        id="a-copy-the-run-turning-them-on-writes-joins",
    ),
    pytest.param(
        [(True, ["seeds"]), (True, ["seeds", "copy1"])],
        (5, 6),
        False,
        id="never-off-says-nothing",
    ),
]


@pytest.mark.parametrize("runs, found, warned", RUNS)
def test_stories_switched_between_runs(tmp_path: Path, runs, found, warned: bool) -> None:
    made, index = folders(tmp_path), tmp_path / "ix"
    for enabled, names in runs:
        store = IndexStore(index, settings=Settings(stories=enabled))
        report = store.index_paths([made[name] for name in names])
        assert not report.failures
    page = SearchEngine(index).search(QUERY)
    assert (page.total, page.total_documents) == found
    said = [w for w in report.warnings if "stories were off until this run" in w]
    assert bool(said) == warned, report.warnings
