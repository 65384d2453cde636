"""A --rebuild holds only the documents it reads: one given fewer sources than the index was
built from drops the others. Its report says so (``deleted`` and a warning) on a folder and
on a cluster, where it said "0 deleted" over an index that had lost them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SEEDS

from bahth.index.sphinx.cluster import init_cluster, start_nodes, stop_nodes
from bahth.search.engine import SearchEngine
from tests.test_sphinx_backend import need_searchd

NEWS = [{"id": f"n{k}", "title": f"خبر {k}", "text": "نص عن الرباط"} for k in range(3)]


@pytest.fixture(scope="module")
def cluster_url(tmp_path_factory) -> Iterator[str]:
    need_searchd()
    made = init_cluster(tmp_path_factory.mktemp("left-out") / "cluster", nodes=2)
    start_nodes(made)
    try:
        yield made.url
    finally:
        stop_nodes(made)


# (the sources of the first run, of the rebuild; documents the rebuild reports deleted)
RUNS = [
    pytest.param(["seeds", "news"], ["news"], 5, id="seeds-left-out"),
    pytest.param(["seeds", "news"], ["seeds"], 3, id="a-file-left-out"),
    pytest.param(["seeds", "news"], ["news", "seeds"], 0, id="every-source-again"),
    pytest.param(["news"], ["seeds", "news"], 0, id="more-sources-than-before"),
]


@pytest.mark.parametrize("backend", ["folder", "cluster"])
@pytest.mark.parametrize("first, rebuilt, gone", RUNS)
def test_a_rebuild_reports_the_documents_it_left_out(
    tmp_path: Path, request, backend: str, first, rebuilt, gone: int
) -> None:
    news = tmp_path / "news.jsonl"
    news.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in NEWS), "utf-8")
    sources = {"seeds": SEEDS, "news": news}
    where = tmp_path / "ix" if backend == "folder" else request.getfixturevalue("cluster_url")
    engine = SearchEngine(where)
    engine.index_paths([sources[name] for name in first], rebuild=True)
    report = engine.index_paths([sources[name] for name in rebuilt], rebuild=True)
    kept = sum(5 if name == "seeds" else len(NEWS) for name in rebuilt)
    assert (report.added, report.deleted) == (kept, gone)
    assert engine.stats()["documents"] == kept
    said = [w for w in report.warnings if "a rebuild holds only the documents it reads" in w]
    assert bool(said) == bool(gone), report.warnings
    if gone:
        assert f"{gone:,} of the" in said[0]
