"""`bahth cluster start` and `status` when another process listens on a node's port (another
cluster's node, say): searchd would retry its bind for ever, and the port would answer for
a node this cluster does not run. Start refuses in one line, status does not call it up."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bahth.index.sphinx.cluster import Cluster, init_cluster
from tests.test_sphinx_backend import need_searchd


def bahth(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bahth", "cluster", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


# (which port of node 1 another process listens on: None for none; what start says)
HELD = [
    pytest.param("port", "cannot start: another process listens on", id="its-sphinxql-port"),
    pytest.param("api_port", "cannot start: another process listens on", id="the-port-nodes-use"),
    pytest.param(None, None, id="free-ports-start"),
]


@pytest.mark.parametrize("held, said", HELD)
def test_a_node_whose_port_another_process_holds(tmp_path: Path, held, said) -> None:
    need_searchd()
    folder = tmp_path / "c"
    cluster = init_cluster(folder, nodes=1)
    spec = cluster.nodes[0]
    squatter = socket.socket()
    try:
        if held:
            squatter.bind((spec.host, getattr(spec, held)))
            squatter.listen()
        started = bahth("start", str(folder))
        status = bahth("status", str(folder))
        assert "Traceback" not in started.stderr + status.stderr
        if said is None:
            assert started.returncode == 0 and ": up, pid" in started.stdout
            assert status.returncode == 0
            return
        assert started.returncode == 2 and said in started.stderr, started.stderr
        assert f"{spec.host}:{getattr(spec, held)}" in started.stderr
        assert not spec.pid_file.exists() or not spec.pid_file.read_text().strip()
        assert status.returncode == 1
        if held == "port":  # it answers, but for someone else
            assert "not this cluster's" in status.stdout and ": up" not in status.stdout
    finally:
        squatter.close()
        bahth("stop", str(folder))
    assert Cluster.load(folder).url == cluster.url
