"""Sphinx/Manticore clusters for bahth: writing the nodes' configuration, and running local
nodes (``bahth cluster init|start|stop|status``).

``init DIR --nodes N`` lays out N nodes on 127.0.0.1 (ports the system says are free, or
``--port-base``): ``DIR/cluster.json`` and, per node, ``DIR/node-K/sphinx.conf`` with its
data, logs and pid file beside it. ``init DIR --node HOST:PORT ...`` writes one
configuration per host instead (to copy there; its data under ``--data-dir``). Either way
the cluster has S shards (``--shards``, one per node by default), shard k on node k mod N +
1, each in two slots (a and b, for ``--rebuild``), and every node has the distributed
tables that fan a query out to all shards (its own locally, the others as agents), so any
node answers for the cluster. Manticore reads the same configuration.

``start``/``stop``/``status`` run the real ``searchd`` found on PATH, all nodes or one.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bahth.index.errors import BahthError
from bahth.index.sphinx.nodes import ClusterUrl, Node
from bahth.index.sphinx.schema import (
    SLOTS,
    dictionary_table,
    documents_table,
    meta_table,
    meta_table_name,
    rt_table,
    shard_table,
    shard_words_table,
    words_table,
)

CLUSTER_FILE = "cluster.json"
DEFAULT_TABLE = "bahth"
START_TIMEOUT = 20.0  # seconds for a node to answer after searchd returns
STOP_TIMEOUT = 30.0
INSTALL_HINT = (
    "install Debian's sphinxsearch (apt-get install --no-install-recommends sphinxsearch) "
    "or Manticore Search, or put its searchd on PATH"
)


@dataclass(frozen=True)
class NodeSpec:
    """One node of a cluster folder: its addresses and where its files are."""

    number: int
    host: str
    port: int  # SphinxQL
    api_port: int  # the binary protocol the distributed tables use between nodes
    folder: str  # on this machine: its sphinx.conf (and, for a local node, its data)
    data: str  # on the node's host: its data folder

    @property
    def node(self) -> Node:
        return Node(self.number, self.host, self.port)

    @property
    def config(self) -> Path:
        return Path(self.folder) / "sphinx.conf"

    @property
    def pid_file(self) -> Path:
        return Path(self.data) / "searchd.pid"


@dataclass(frozen=True)
class Cluster:
    """A cluster folder's description (DIR/cluster.json)."""

    folder: str
    table: str
    shards: int
    local: bool
    nodes: tuple[NodeSpec, ...]

    @property
    def url(self) -> str:
        return str(ClusterUrl(tuple(spec.node for spec in self.nodes), self.table))

    def node_of_shard(self, shard: int) -> NodeSpec:
        return self.nodes[shard % len(self.nodes)]

    def pick(self, number: int | None) -> list[NodeSpec]:
        """All nodes, or node ``number`` (a BahthError naming the range when there is none)."""
        if number is None:
            return list(self.nodes)
        if not 1 <= number <= len(self.nodes):
            raise BahthError(f"{self.folder} has nodes 1 to {len(self.nodes)}, not {number}.")
        return [self.nodes[number - 1]]

    @classmethod
    def load(cls, folder: str | os.PathLike) -> Cluster:
        path = Path(folder) / CLUSTER_FILE
        try:
            facts = json.loads(path.read_text(encoding="utf-8"))
            nodes = tuple(NodeSpec(**spec) for spec in facts["nodes"])
            return cls(str(Path(folder)), facts["table"], facts["shards"], facts["local"], nodes)
        except FileNotFoundError:
            raise BahthError(
                f"{folder} is not a cluster folder (no {CLUSTER_FILE}): make one with "
                f"`bahth cluster init {folder} --nodes 2`."
            ) from None
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise BahthError(f"{path} cannot be read: {error}") from None


def api_port(port: int) -> int:
    """The port a node's distributed tables reach it on: the one after its SphinxQL port
    (a convention of bahth's configurations, by which a reader names a silent agent)."""
    return port + 1


def free_ports(count: int) -> list[int]:
    """``count`` SphinxQL ports on 127.0.0.1, each with the next port free too (a node's
    agents talk on PORT+1: see api_port), none listened on now (the system's choice)."""
    ports: list[int] = []
    for _ in range(200):
        if len(ports) == count:
            break
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port + 1 > 65535 or port in ports or port + 1 in ports or port - 1 in ports:
            continue
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", port))
                b.bind(("127.0.0.1", port + 1))
        except OSError:
            continue
        ports.append(port)
    if len(ports) < count:
        raise BahthError("could not find free ports on 127.0.0.1: give --port-base")
    return ports


def init_cluster(
    folder: str | os.PathLike,
    *,
    nodes: int | None = None,
    hosts: list[str] | None = None,
    shards: int | None = None,
    port_base: int | None = None,
    table: str = DEFAULT_TABLE,
    data_dir: str | None = None,
) -> Cluster:
    """Write the configuration of a new cluster into ``folder`` (which must be new or
    empty): ``nodes`` local nodes, or one per ``hosts`` entry (HOST:PORT, the SphinxQL port;
    the nodes talk to each other on PORT+1)."""
    root = Path(folder).absolute()
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise BahthError(f"{root} is not an empty folder: choose a new one for the cluster.")
    ClusterUrl.parse(f"sphinx://127.0.0.1:1/{table}")  # the table name's rules, one place
    specs: list[NodeSpec] = []
    if hosts:
        for number, entry in enumerate(hosts, start=1):
            node = ClusterUrl.parse(f"sphinx://{entry}/{table}").nodes[0]
            specs.append(
                NodeSpec(
                    number,
                    node.host,
                    node.port,
                    api_port(node.port),
                    str(root / f"node-{number}"),
                    data_dir or f"/var/lib/bahth/{table}",
                )
            )
        _check_addresses(specs)
        local = False
    else:
        count = nodes or 1
        if not 1 <= count <= 64:
            raise BahthError("--nodes must be from 1 to 64.")
        if port_base is not None:
            if not 1024 <= port_base <= 65535 - 2 * count:
                raise BahthError(f"--port-base must leave room for {2 * count} ports.")
            ports = list(range(port_base, port_base + 2 * count, 2))
        else:
            ports = free_ports(count)
        for number, sql in enumerate(ports, start=1):
            folder_k = str(root / f"node-{number}")
            specs.append(NodeSpec(number, "127.0.0.1", sql, api_port(sql), folder_k, folder_k))
        local = True
    shards = shards or len(specs)
    if not len(specs) <= shards <= 256:
        raise BahthError(f"--shards must be from {len(specs)} (one per node) to 256.")
    cluster = Cluster(str(root), table, shards, local, tuple(specs))
    for spec in specs:
        Path(spec.folder).mkdir(parents=True, exist_ok=True)
        if local:
            (Path(spec.data) / "data").mkdir(parents=True, exist_ok=True)
        spec.config.write_text(node_config(cluster, spec), encoding="utf-8")
    facts = {
        "table": table,
        "shards": shards,
        "local": local,
        "url": cluster.url,
        "nodes": [asdict(spec) for spec in specs],
    }
    text = json.dumps(facts, indent=1)
    (root / CLUSTER_FILE).write_text(text + "\n", encoding="utf-8")
    return cluster


def _check_addresses(specs: list[NodeSpec]) -> None:
    """Each node listens on its PORT and on PORT+1 (for the other nodes): two --node entries
    that share one of them on one host cannot both run."""
    seen: dict[tuple[str, int], NodeSpec] = {}
    for spec in specs:
        if spec.api_port > 65535:
            raise BahthError(
                f"--node {spec.host}:{spec.port}: a node also listens on its port + 1 (for "
                "the other nodes), which must be 65535 or below: choose a lower port."
            )
        for port in (spec.port, spec.api_port):
            other = seen.get((spec.host.lower(), port))
            if other is not None:
                raise BahthError(
                    f"--node {other.host}:{other.port} and --node {spec.host}:{spec.port} both "
                    f"need {spec.host}:{port} (a node listens on its port and its port + 1): "
                    "give each node of one host ports at least 2 apart."
                )
            seen[(spec.host.lower(), port)] = spec


def node_config(cluster: Cluster, spec: NodeSpec) -> str:
    """One node's searchd configuration. (Sphinx 2.2 wants each ``}`` on a line of its own.)"""
    data = Path(spec.data) / "data"
    own = [k for k in range(cluster.shards) if cluster.node_of_shard(k) == spec]
    blocks = []
    for slot in SLOTS:
        for k in own:
            blocks.append(rt_table(shard_table(cluster.table, slot, k), f"{data}/{slot}_{k}"))
            words = shard_words_table(cluster.table, slot, k)
            blocks.append(words_table(words, f"{data}/{slot}_w{k}"))
        for name, part in (
            (documents_table(cluster.table, slot), shard_table),
            (dictionary_table(cluster.table, slot), shard_words_table),
        ):
            lines = [f"index {name}", "{", "    type = distributed"]
            lines += [f"    local = {part(cluster.table, slot, k)}" for k in own]
            for other in cluster.nodes:
                theirs = [k for k in range(cluster.shards) if cluster.node_of_shard(k) == other]
                if other != spec and theirs:
                    names = ",".join(part(cluster.table, slot, k) for k in theirs)
                    lines.append(f"    agent = {other.host}:{other.api_port}:{names}")
            lines += ["    agent_connect_timeout = 1000", "    agent_query_timeout = 30000", "}"]
            blocks.append("\n".join(lines))
    blocks.append(meta_table(meta_table_name(cluster.table), f"{data}/meta"))
    listen_host = spec.host if cluster.local else "0.0.0.0"
    blocks.append(
        "\n".join(
            [
                "searchd",
                "{",
                f"    listen = {listen_host}:{spec.api_port}",
                f"    listen = {listen_host}:{spec.port}:mysql41",
                f"    log = {spec.data}/searchd.log",
                f"    query_log = {spec.data}/query.log",
                f"    pid_file = {spec.pid_file}",
                f"    binlog_path = {data}",
                "    workers = threads",
                "    max_packet_size = 128M",
                "    read_timeout = 30",
                "    client_timeout = 300",
                "    dist_threads = 2",
                "    seamless_rotate = 1",
                "}",
            ]
        )
    )
    header = (
        f"# bahth cluster {cluster.table!r}: node {spec.number} of {len(cluster.nodes)} "
        f"({spec.host}:{spec.port}), {cluster.shards} shards. Written by bahth cluster init.\n"
    )
    return header + "\n\n".join(blocks) + "\n"


# ---- running local nodes ----------------------------------------------------------------


def searchd_path() -> str:
    """The ``searchd`` to run; a BahthError saying how to get one when there is none."""
    found = shutil.which("searchd")
    if not found:
        raise BahthError(f"searchd was not found on PATH: {INSTALL_HINT}.")
    return found


@dataclass(frozen=True)
class NodeState:
    spec: NodeSpec
    running: bool  # a searchd of ours holds the pid file
    answering: bool  # its SphinxQL port accepts connections
    pid: int | None = None
    local: bool = False  # a node this machine runs: its pid file says whether it is ours

    @property
    def stranger(self) -> bool:
        """A local node's port answers, but no searchd of this cluster runs: another
        process (another cluster's node?) holds it, and would take this node's traffic."""
        return self.local and self.answering and not self.running

    @property
    def up(self) -> bool:
        return self.answering and not self.stranger

    def describe(self) -> str:
        if self.stranger:
            return (
                f"{self.spec.node.label}: not this cluster's: its port answers, but no searchd "
                f"of this cluster runs ({self.spec.pid_file} names none)"
            )
        state = "up" if self.answering else ("starting or stuck" if self.running else "down")
        pid = f", pid {self.pid}" if self.pid else ""
        return f"{self.spec.node.label}: {state}{pid}"


def _pid(spec: NodeSpec) -> int | None:
    try:
        pid = int(spec.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def _answers(spec: NodeSpec, timeout: float = 0.5) -> bool:
    try:
        socket.create_connection((spec.host, spec.port), timeout).close()
        return True
    except OSError:
        return False


def node_state(spec: NodeSpec, cluster: Cluster) -> NodeState:
    pid = _pid(spec) if cluster.local else None
    return NodeState(spec, pid is not None, _answers(spec), pid, cluster.local)


def _taken(spec: NodeSpec) -> list[int]:
    """The node's ports (SphinxQL, and the one nodes talk on) another process listens on:
    searchd would wait for them for ever, retrying."""
    taken = []
    for port in (spec.port, spec.api_port):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((spec.host, port))
            except OSError:
                taken.append(port)
    return taken


def _local_only(cluster: Cluster) -> None:
    if not cluster.local:
        raise BahthError(
            f"the nodes of {cluster.folder} run on other hosts: on each, run "
            "`searchd --config sphinx.conf` with the configuration written for it."
        )


def start_nodes(cluster: Cluster, number: int | None = None) -> list[NodeState]:
    """Start the cluster's searchd processes (all, or node ``number``) and wait until each
    answers; those already running are left alone."""
    _local_only(cluster)
    searchd = searchd_path()
    started = []
    for spec in cluster.pick(number):
        state = node_state(spec, cluster)
        if not state.running:
            taken = _taken(spec)
            if taken:
                ports = " and ".join(f"{spec.host}:{port}" for port in taken)
                raise BahthError(
                    f"{spec.node.label} cannot start: another process listens on {ports} "
                    "(another cluster's node?). Stop it, or make this cluster again on free "
                    f"ports (bahth cluster init DIR --nodes {len(cluster.nodes)}, without "
                    "--port-base, picks free ones)."
                )
            (Path(spec.data) / "data").mkdir(parents=True, exist_ok=True)
            try:
                done = subprocess.run(
                    [searchd, "--config", str(spec.config)],
                    capture_output=True,
                    text=True,
                    stdin=subprocess.DEVNULL,
                    timeout=START_TIMEOUT,
                )
            except subprocess.TimeoutExpired:
                raise BahthError(
                    f"{spec.node.label} did not start within {START_TIMEOUT:.0f} s: see "
                    f"{spec.data}/searchd.log"
                ) from None
            if done.returncode != 0:
                said = _last_lines(done.stdout + done.stderr)
                raise BahthError(f"{spec.node.label} did not start: {said}")
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(spec):
            if time.monotonic() > deadline:
                raise BahthError(
                    f"{spec.node.label} started but does not answer: see {spec.data}/searchd.log"
                )
            time.sleep(0.05)
        started.append(node_state(spec, cluster))
    return started


def stop_nodes(cluster: Cluster, number: int | None = None) -> list[NodeState]:
    """Stop the cluster's searchd processes (all, or node ``number``) and wait for each to
    exit (its RAM chunks saved); nodes not running are left alone."""
    _local_only(cluster)
    stopped = []
    for spec in cluster.pick(number):
        pid = _pid(spec)
        if pid is not None:
            try:
                subprocess.run(
                    [searchd_path(), "--config", str(spec.config), "--stopwait"],
                    capture_output=True,
                    stdin=subprocess.DEVNULL,
                    timeout=STOP_TIMEOUT,
                )
            except subprocess.TimeoutExpired:
                pass
            if _pid(spec) is not None:  # --stopwait gave up: ask the process itself
                os.kill(pid, signal.SIGTERM)
                deadline = time.monotonic() + STOP_TIMEOUT
                while _pid(spec) is not None and time.monotonic() < deadline:
                    time.sleep(0.05)
        stopped.append(node_state(spec, cluster))
    return stopped


def cluster_status(cluster: Cluster, number: int | None = None) -> list[NodeState]:
    return [node_state(spec, cluster) for spec in cluster.pick(number)]


def _last_lines(text: str, count: int = 3) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    interesting = [line for line in lines if "ERROR" in line or "FATAL" in line or "WARN" in line]
    return " / ".join((interesting or lines)[-count:]) or "no output"
