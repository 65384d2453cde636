"""Stories on a cluster (real searchd nodes, as tests/test_sphinx_backend.py starts them):
the same stories as a folder for the same documents, and the same collapsed pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bahth.cli import main
from bahth.index.sphinx import cluster as cluster_module
from bahth.index.sphinx import schema, store, writer
from bahth.search.engine import SearchEngine
from tests.test_sphinx_backend import LocalCluster
from tests.test_stories import QUERY, copies_and_others, doc, form_split_rebuild


@pytest.fixture
def cluster(tmp_path) -> Iterator[LocalCluster]:
    local = LocalCluster(tmp_path / "cluster")
    try:
        yield local
    finally:
        local.stop()


def test_a_story_forms_splits_and_survives_a_rebuild_as_on_a_folder(cluster, tmp_path) -> None:
    on_cluster = form_split_rebuild(SearchEngine(cluster.url), tmp_path / "cluster-docs")
    on_folder = form_split_rebuild(SearchEngine(tmp_path / "ix"), tmp_path / "folder-docs")
    assert on_cluster == on_folder


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({}, id="collapsed"),
        pytest.param({"collapse": False}, id="every document"),
        pytest.param({"page": 2}, id="the second page of stories"),
        pytest.param({"sort": "-date"}, id="by date, past the candidates' order"),
    ],
)
def test_pages_of_stories_are_a_folders(cluster, tmp_path: Path, options: dict) -> None:
    docs = [*copies_and_others(copies=15, others=12), doc("late", "")]
    folder, sphinx = SearchEngine(tmp_path / "ix"), SearchEngine(cluster.url)
    for engine in (folder, sphinx):
        engine.add_documents(docs)
        engine.delete("copy-00")  # the founder leaves: the copies keep its story
    pages = [engine.search(QUERY, **options) for engine in (folder, sphinx)]
    shown = [[(h.id, h.story_id, h.story_size) for h in page.hits] for page in pages]
    assert shown[0] == shown[1]
    assert [(p.total, p.total_documents) for p in pages] == [(pages[0].total, 26)] * 2
    story = next(h.story_id for h in folder.search(QUERY).hits if h.story_size > 1)
    assert (
        sphinx.story(story)
        == folder.story(story)
        == [f"copy-{n:02d}" for n in reversed(range(1, 15))]
    )


def test_a_cluster_made_before_stories_is_named_with_the_commands_that_fix_it(
    tmp_path: Path, monkeypatch
) -> None:
    """Tables of layout 2 (no story, no fingerprint), written as the bahth of then wrote them:
    a search and an indexing run each say, in one line, how to make the cluster again."""
    table = schema.rt_table

    def older(name: str, path: str) -> str:
        lines = table(name, path).splitlines()
        return "\n".join(
            line for line in lines if "story" not in line and "fingerprint" not in line
        )

    columns = schema.column_names
    monkeypatch.setattr(cluster_module, "rt_table", older)
    monkeypatch.setattr(writer, "column_names", lambda: columns()[:-2])
    check = store.SphinxStore._check_layout
    monkeypatch.setattr(store.SphinxStore, "_check_layout", lambda self, layout: None)
    local = LocalCluster(tmp_path / "cluster")
    try:
        SearchEngine(local.url).add_documents([doc("a", f"{QUERY} خبر")])
        monkeypatch.setattr(store.SphinxStore, "_check_layout", check)
        for args in (["search", QUERY], ["index", str(Path(__file__).parent.parent / "seeds")]):
            result = CliRunner().invoke(main, [*args, "--backend", local.url])
            assert result.exit_code == 2
            lines = result.output.strip().splitlines()
            assert len(lines) == 1 and "bahth cluster init" in lines[0] and "--rebuild" in lines[0]
    finally:
        local.stop()
