"""A cluster URL that leaves nodes out: searches may read through it (every node's
distributed table covers every shard), but a write routed by it would put documents in the
wrong shards, where a later delete or update through the whole URL never finds them. On
real searchd nodes on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bahth.index.errors import BahthError
from bahth.index.sphinx.cluster import init_cluster, start_nodes, stop_nodes
from bahth.search.engine import SearchEngine
from tests.conftest import SEEDS
from tests.test_sphinx_backend import need_searchd


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator:
    need_searchd()
    made = init_cluster(tmp_path_factory.mktemp("urls") / "cluster", nodes=2)
    start_nodes(made)
    try:
        SearchEngine(made.url).index_paths([SEEDS])
        yield made
    finally:
        stop_nodes(made)


def url_of(cluster, numbers: list[int]) -> str:
    nodes = ",".join(f"{cluster.nodes[k - 1].host}:{cluster.nodes[k - 1].port}" for k in numbers)
    return f"sphinx://{nodes}/{cluster.table}"


# (the nodes the URL lists, in its order; whether a write through it is refused; a word of
# the row's own documents, so that the rows stay apart)
URLS = [
    pytest.param([1], True, "طنجة", id="node-2-left-out-holds-shard-1"),
    pytest.param([2], True, "وجدة", id="node-1-left-out-holds-shard-0"),
    pytest.param([2, 1], False, "مكناس", id="every-node-in-another-order"),
    pytest.param([1, 2], False, "تطوان", id="every-node"),
]


@pytest.mark.parametrize("numbers, refused, word", URLS)
def test_a_write_through_a_url_that_leaves_nodes_out_is_refused(
    cluster, numbers: list[int], refused: bool, word: str
) -> None:
    whole = SearchEngine(cluster.url)
    partial = SearchEngine(url_of(cluster, numbers))
    before = whole.stats()["documents"]
    # Ids that hash to both shards, so that any misrouting shows.
    tag = "".join(map(str, numbers))
    docs = [{"id": f"u{tag}-{k}", "title": "عنوان", "text": f"نص عن {word}"} for k in range(8)]
    if refused:
        with pytest.raises(BahthError, match="list every node of the cluster"):
            partial.add_documents(docs)
        with pytest.raises(BahthError, match="list every node of the cluster"):
            partial.delete("000_0777507a1eab11fb")
        assert whole.stats()["documents"] == before
        return
    assert partial.add_documents(docs).added == len(docs)
    assert whole.stats()["documents"] == before + len(docs)
    for doc in docs:  # deleted through the whole URL: none is left behind in another shard
        assert whole.delete(doc["id"]) is True
    assert whole.search(word, collapse=False).total == 0
    assert whole.stats()["documents"] == before
