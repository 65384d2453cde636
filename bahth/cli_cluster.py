"""``bahth cluster``: write a Sphinx/Manticore cluster's configuration, run its local nodes."""

import sys
from pathlib import Path

import click

from bahth.cli_common import fail, fail_on
from bahth.index.errors import BahthError


@click.group("cluster")
def cluster_group() -> None:
    """Sphinx/Manticore clusters: write their configuration, run local nodes."""


@cluster_group.command("init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--nodes", type=click.IntRange(1, 64), default=None, help="Local nodes on 127.0.0.1.")
@click.option(
    "--node",
    "hosts",
    multiple=True,
    metavar="HOST:PORT",
    help="A node on a real host (its SphinxQL port; nodes talk on PORT+1). Repeat per host.",
)
@click.option("--shards", type=click.IntRange(1, 256), default=None, help="Default: one per node.")
@click.option("--port-base", type=click.IntRange(1024, 65535), default=None)
@click.option("--table", default="bahth", show_default=True, help="The cluster's table name.")
@click.option("--data-dir", default=None, help="Data folder on real hosts (/var/lib/bahth/TABLE).")
def cluster_init(folder, nodes, hosts, shards, port_base, table, data_dir) -> None:
    """Write the configuration of a new cluster into FOLDER and print its backend URL."""
    from bahth.index.sphinx.cluster import init_cluster

    if nodes and hosts:
        fail("give --nodes N (local nodes) or --node HOST:PORT entries, not both")
    try:
        cluster = init_cluster(
            folder,
            nodes=nodes or (None if hosts else 2),
            hosts=list(hosts) or None,
            shards=shards,
            port_base=port_base,
            table=table,
            data_dir=data_dir,
        )
    except BahthError as error:
        fail_on(error)
    for spec in cluster.nodes:
        click.echo(f"bahth: {spec.node.label}: {spec.config}", err=True)
    if not cluster.local:
        click.echo("bahth: copy each sphinx.conf to its host and run searchd there", err=True)
    click.echo(cluster.url)


def _run_on_nodes(folder, node, action_name: str, must_answer: bool) -> None:
    from bahth.index.sphinx import cluster as sphinx_cluster

    try:
        cluster = sphinx_cluster.Cluster.load(folder)
        states = getattr(sphinx_cluster, action_name)(cluster, node)
    except BahthError as error:
        fail_on(error)
    for state in states:
        click.echo(state.describe())
    if must_answer and not all(state.up for state in states):
        sys.exit(1)


node_number_option = click.option("--node", type=int, default=None, help="Only node K (from 1).")
folder_argument = click.argument("folder", type=click.Path(file_okay=False, path_type=Path))


@cluster_group.command("start")
@folder_argument
@node_number_option
def cluster_start(folder, node) -> None:
    """Start the cluster's searchd processes (all, or --node K) and wait until they answer."""
    _run_on_nodes(folder, node, "start_nodes", must_answer=True)


@cluster_group.command("stop")
@folder_argument
@node_number_option
def cluster_stop(folder, node) -> None:
    """Stop the cluster's searchd processes (all, or --node K)."""
    _run_on_nodes(folder, node, "stop_nodes", must_answer=False)


@cluster_group.command("status")
@folder_argument
@node_number_option
def cluster_status(folder, node) -> None:
    """Say which nodes answer (exit status 1 when one does not)."""
    _run_on_nodes(folder, node, "cluster_status", must_answer=True)
