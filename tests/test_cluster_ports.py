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


# (the --node entries of `bahth cluster init`; what it says, or None: it writes the cluster)
NODE_ENTRIES = [
    pytest.param(["127.0.0.1:9306", "127.0.0.1:9306"], "both need 127.0.0.1:9306", id="twice"),
    pytest.param(
        ["127.0.0.1:9306", "127.0.0.1:9307"], "both need 127.0.0.1:9307", id="port-is-others-plus-1"
    ),
    pytest.param(["h.example:9306", "H.EXAMPLE:9306"], "both need", id="host-in-another-case"),
    pytest.param(["127.0.0.1:65535"], "must be 65535 or below", id="no-room-for-port-plus-1"),
    pytest.param(["a.example:9306", "b.example:9306"], None, id="one-port-on-two-hosts"),
    pytest.param(["127.0.0.1:9306", "127.0.0.1:9308"], None, id="two-apart-on-one-host"),
]


@pytest.mark.parametrize("entries, said", NODE_ENTRIES)
def test_init_refuses_nodes_whose_ports_clash(tmp_path: Path, entries, said) -> None:
    folder = tmp_path / "c"
    made = bahth("init", str(folder), *(arg for entry in entries for arg in ("--node", entry)))
    assert "Traceback" not in made.stderr
    if said is None:
        assert made.returncode == 0 and made.stdout.strip() == Cluster.load(folder).url
        return
    assert made.returncode == 2 and said in made.stderr, made.stderr
    assert not folder.exists() or not any(folder.iterdir())  # nothing written
