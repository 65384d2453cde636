"""The ``bahth`` command: thin click wrappers over the library, and nothing else.

It stands above every floor (analyzers, index, search, web) and no floor imports it. Each
command calls the library and turns its errors into one clear line on stderr and an exit
status: 0 success, 1 some input was skipped or there is no index to use, 2 a usage error.
No traceback reaches the user.
"""

import math
import sys
from pathlib import Path

import click

from bahth.analyzers import STEMMERS, AnalysisConfig, analyze
from bahth.index.errors import (
    BackendUnavailable,
    BahthError,
    IndexDamaged,
    IndexMissing,
    IndexWriteFailed,
    SearchTimeout,
)
from bahth.index.strict_json import dumps
from bahth.search.results import MAX_PAGE, MAX_PER_PAGE
from bahth.web import DEFAULTS as WEB_DEFAULTS
from bahth.web.server import CONNECTION_LIMIT, HEADER_TIMEOUT, default_workers

index_option = click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="BAHTH_INDEX",
    default=None,
    help="Index folder (default: $BAHTH_INDEX, else ./instance/index).",
)
backend_option = click.option(
    "--backend",
    envvar="BAHTH_BACKEND",
    default=None,
    metavar="URL",
    help="A Sphinx/Manticore cluster instead of a folder: sphinx://HOST:PORT[,HOST:PORT...]/TABLE "
    "(bahth cluster init prints it; default: $BAHTH_BACKEND).",
)


class Seconds(click.ParamType):
    """A number of seconds greater than 0 and finite: ``nan`` and ``inf`` are refused as 0
    and -1 are (float() reads them, and ``--time-limit nan`` stopped nothing)."""

    name = "seconds"

    def convert(self, value, param, ctx) -> float:
        if isinstance(value, float):
            return value
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            seconds = float("nan")
        if not math.isfinite(seconds) or seconds <= 0:
            self.fail(f"give a finite number of seconds greater than 0, not {value!r}", param, ctx)
        return seconds


class QueryMayStartWithDash(click.Command):
    """A command whose QUERY may start with -, as the query language allows (``-word``:
    without that word). Click reads such an argument as an unknown option (``No such option
    '-و'``), so one that starts with a single - and names none of the command's options,
    where no option is waiting for its value, is moved behind ``--`` before click reads
    the line. ``--`` given by the user leaves the line as it is."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if "--" not in args:
            options = [p for p in self.get_params(ctx) if isinstance(p, click.Option)]
            names = {name for p in options for name in (*p.opts, *p.secondary_opts)}
            valued = {name for p in options if not p.is_flag for name in p.opts}
            kept: list[str] = []
            queries: list[str] = []
            waiting = False
            for arg in args:
                dash = arg.startswith("-") and not arg.startswith("--") and len(arg) > 1
                if dash and not waiting and arg not in names:
                    queries.append(arg)
                else:
                    kept.append(arg)
                waiting = not waiting and arg in valued
            if queries:
                args = [*kept, "--", *queries]
        return super().parse_args(ctx, args)


def where(index_dir, backend):
    """The index the command works on: --backend URL, else --index DIR (giving both on the
    command line is a usage error)."""
    ctx = click.get_current_context()
    if backend and index_dir is not None:
        from click.core import ParameterSource

        if ctx.get_parameter_source("index_dir") == ParameterSource.COMMANDLINE:
            fail("give --index DIR or --backend URL, not both")
    if backend:
        from bahth.index.sphinx.nodes import ClusterUrl

        try:
            ClusterUrl.parse(backend)  # a malformed URL is a usage error, not a folder name
        except BahthError as error:
            fail(str(error))
    return backend or index_dir


def fail(message: str, code: int = 2) -> None:
    """Print one clear line on stderr and exit: no traceback reaches the user."""
    click.echo(f"bahth: {message}", err=True)
    sys.exit(code)


def fail_on(error: BahthError) -> None:
    """A library error as one line: no index to use, a damaged one, a write the system
    refused (a full disk, a killed worker), a search past its time limit or a cluster with no
    node answering is 1; anything else a usage error, 2."""
    failed = isinstance(
        error,
        IndexMissing | IndexDamaged | IndexWriteFailed | SearchTimeout | BackendUnavailable,
    )
    fail(str(error), code=1 if failed else 2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="bahth")
def main() -> None:
    """bahth (بحث): full-text search for Arabic text."""


@main.command("analyze")
@click.option("--stem", type=click.Choice(STEMMERS), default="light", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of tokens.")
@click.argument("text")
def analyze_command(text: str, stem: str, as_json: bool) -> None:
    """Show the terms bahth would index for TEXT, with their place in TEXT."""
    tokens = analyze(text, stem=stem)
    if as_json:
        rows = [
            {"term": t.term, "surface": t.surface, "start": t.start, "end": t.end} for t in tokens
        ]
        click.echo(dumps(rows, ensure_ascii=False))
        return
    if not tokens:
        click.echo("(no terms: the text has no indexable words)")
        return
    width = max(len(t.surface) for t in tokens)
    click.echo(f"{'surface'.ljust(width)}  {'term':<12} start  end")
    for t in tokens:
        click.echo(f"{t.surface.ljust(width)}  {t.term:<12} {t.start:>5} {t.end:>4}")


@main.command("index")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@index_option
@backend_option
@click.option("--prune", is_flag=True, help="Also delete documents whose files are gone.")
@click.option("--rebuild", is_flag=True, help="Build a fresh index and swap it in when done.")
@click.option(
    "--stem",
    type=click.Choice(STEMMERS),
    default=None,
    help="Stemmer of a new index (or with --rebuild); default light.",
)
@click.option(
    "--settings",
    "settings_file",
    type=click.Path(path_type=Path),  # Settings.load says what is wrong, in one line
    default=None,
    help="A TOML settings file: the fields, input keys and analysis of a new index (or "
    "with --rebuild); an index keeps its settings.",
)
@click.option("--id-field", default=None, help="The input key holding the id (default id).")
@click.option("--title-field", default=None, help="The input key holding the title.")
@click.option("--text-field", default=None, help="The input key holding the text.")
@click.option("--strict", is_flag=True, help="A key no field declares is bad input.")
@click.option(
    "--format",
    "stdin_format",
    type=click.Choice(["jsonl", "csv"]),
    default=None,
    help="The format of standard input, read when a PATH is -.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (last line).")
def index_command(
    paths,
    index_dir,
    backend,
    prune,
    rebuild,
    stem,
    settings_file,
    id_field,
    title_field,
    text_field,
    strict,
    stdin_format,
    as_json,
) -> None:
    """Index PATHS (.txt, .jsonl, .jsonl.gz, .csv files and folders of them; - for
    standard input, with --format): add new documents, update changed ones, leave unchanged
    ones alone.

    Exit status: 0 all input indexed, 1 some input skipped (each one named on stderr),
    2 usage error (e.g. a path that does not exist, a settings file that cannot be used).
    """
    from bahth.index.backends import open_store
    from bahth.index.settings import Settings

    try:
        location = where(index_dir, backend)
        settings = open_store(location).settings_for_run(
            Settings.load(settings_file) if settings_file is not None else None,
            stem=stem,
            id_key=id_field,
            title_key=title_field,
            text_key=text_field,
            strict=strict,
        )
        store = open_store(
            location,
            AnalysisConfig(stem=stem) if stem and settings is None else None,
            on_wait=lambda message: click.echo(f"bahth: {message}", err=True),
            settings=settings,
        )
        report = store.index_paths(
            paths,
            prune=prune,
            rebuild=rebuild,
            progress=sys.stderr.isatty() and not as_json,
            format=stdin_format,
        )
    except BahthError as error:
        fail_on(error)
    for warning in report.warnings:
        click.echo(f"bahth: warning: {warning}", err=True)
    for failure in report.failures:
        click.echo(f"bahth: skipped {failure.where}: {failure.reason}", err=True)
    click.echo(f"bahth: {store.path}: {report.summary()}", err=as_json)
    if as_json:
        click.echo(dumps(report.to_dict(), ensure_ascii=False))
    sys.exit(1 if report.failed else 0)


@main.command("stats")
@index_option
@backend_option
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
def stats_command(index_dir, backend, as_json) -> None:
    """Show the index's documents, terms, size, analyzer and last update.

    Exit status 1 when there is no index, saying how to build one.
    """
    from bahth.search.engine import SearchEngine

    engine = None
    try:
        # counted on the view a search opens (in place): a reader of Whoosh's own would copy
        # every segment into memory first (600 MB for SaudiNewsNet's 31,030 articles)
        engine = SearchEngine(where(index_dir, backend))
        stats = engine.stats()
    except BahthError as error:
        fail_on(error)
    finally:
        if engine is not None:
            engine.close()
    if as_json:
        click.echo(dumps(stats, ensure_ascii=False))
        return
    rows = [
        ("index", stats["path"]),
        ("documents", f"{stats['documents']:,}"),
        ("terms", f"{stats['terms']:,}" if stats["terms"] is not None else "not counted"),
        ("size", f"{stats['size_bytes'] / 1e6:,.1f} MB"),
        ("analyzer", f"{stats['analyzer']} (version {stats['analyzer_version']})"),
        ("updated", stats["last_update"] or "unknown"),
    ]
    if stats.get("nodes"):
        up = sum(1 for node in stats["nodes"] if node["up"])
        rows.append(("nodes", f"{up} of {len(stats['nodes'])} answer, {stats['shards']} shards"))
    for name, value in rows:
        click.echo(f"{name:<10} {value}")


@main.command("search", cls=QueryMayStartWithDash)
@click.argument("query", required=False)
@index_option
@backend_option
@click.option("--json", "as_json", is_flag=True, help="Print the result page as JSON.")
@click.option("--limit", type=click.IntRange(1, MAX_PER_PAGE), default=10, show_default=True)
@click.option("--page", type=click.IntRange(1, MAX_PAGE), default=1, show_default=True)
@click.option(
    "--sort",
    default="relevance",
    show_default=True,
    help="relevance, or a date or number field: FIELD oldest/smallest first, -FIELD the other "
    "way (documents without it last).",
)
@click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Keep documents whose FIELD is VALUE (a keyword), or in a range A..B (a date or "
    "number); repeat for more.",
)
@click.option(
    "--queries",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Batch mode: a JSONL file of {id, text} queries (with --run).",
)
@click.option("--run", "run_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--tag", default="bahth", show_default=True, help="Run tag in the TREC file.")
@click.option(
    "--time-limit",
    type=Seconds(),
    default=None,
    help="Stop a search still at work after SECONDS (exit status 1).",
)
def search_command(
    query,
    index_dir,
    backend,
    as_json,
    limit,
    page,
    sort,
    filters,
    queries,
    run_file,
    tag,
    time_limit,
) -> None:
    """Search the index for QUERY and print ranked hits.

    Batch mode for evaluation: --queries FILE.jsonl --run OUT.trec writes a TREC run file
    (qid Q0 docid rank score tag) with the top --limit documents of each query.

    Exit status: 0 hits printed (or none found), 1 no index, or the search ran past
    --time-limit, 2 usage error.
    """
    from bahth.search.engine import SearchEngine
    from bahth.search.filters import FilterError

    if (queries is None) != (run_file is None):
        fail("--queries and --run go together: --queries FILE.jsonl --run OUT.trec")
    if queries is None and not query:
        fail("give a QUERY to search for, or --queries FILE.jsonl --run OUT.trec")
    try:
        engine = SearchEngine(where(index_dir, backend))
        if queries is not None:
            _write_run(engine, queries, run_file, limit, tag)
            return
        result = engine.search(
            query,
            page=page,
            per_page=limit,
            sort=sort,
            filters=_filters(filters),
            time_limit=time_limit,
        )
    except BahthError as error:
        fail_on(error)
    except FilterError as error:
        fail(str(error))
    if as_json:
        click.echo(dumps(result.to_dict(), ensure_ascii=False))
        return
    _print_page(result)


def _filters(given: tuple[str, ...]) -> dict[str, str]:
    """``--filter FIELD=VALUE`` options as the library's ``filters``; a usage error for one
    without ``=`` or a field given twice."""
    filters: dict[str, str] = {}
    for option in given:
        name, equals, value = option.partition("=")
        name = name.strip()
        if not equals or not name:
            fail(f"--filter {option!r}: write FIELD=VALUE, e.g. --filter section=sport")
        if name in filters:
            fail(f"--filter {name} is given twice: give one value or one range A..B")
        filters[name] = value
    return filters


def _print_page(result) -> None:
    from bahth.search.highlight import plain_text

    first = (result.page - 1) * result.per_page
    noun = "document" if result.total == 1 else "documents"
    click.echo(f"{result.total} {noun} ({result.took_ms} ms)")
    if result.partial:
        click.echo(result.warning or "Partial results: a node did not answer.")
    if result.message:
        click.echo(result.message)
    if result.suggestion:
        click.echo(f"Did you mean: {result.suggestion}")
    if result.total and result.also_searched:
        also = ", ".join(f"{searched} (for {typed})" for typed, searched in result.also_searched)
        click.echo(f"Also searched: {also}")
    for rank, hit in enumerate(result.hits, start=first + 1):
        click.echo(f"\n{rank}. {hit.title or '(untitled)'}")
        click.echo(
            f"   id: {hit.id}   score: {hit.score:.3f}" + (f"   {hit.source}" if hit.source else "")
        )
        click.echo(f"   {plain_text(hit.snippet_html)}")
        shown = [f"{name}: {_plain_value(value)}" for name, value in hit.fields.items()]
        if shown:
            click.echo(f"   {'   '.join(shown)}"[:300])


def _plain_value(value) -> str:
    if isinstance(value, list):
        return ", ".join(_plain_value(v) for v in value)
    return dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value)


def _write_run(engine, queries_file: Path, run_file: Path, limit: int, tag: str) -> None:
    from bahth.search.runs import read_queries, write_run

    queries, bad = read_queries(queries_file)
    write_run(run_file, engine.run_queries(queries, limit=limit), tag)
    click.echo(f"{len(queries)} queries, run written to {run_file}", err=True)
    for where in bad:
        click.echo(f"skipped {where}: not a JSON object with id and text", err=True)
    if bad:
        sys.exit(1)


def _origins(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]):
    from bahth.web.cors import BadOrigin, check_origin

    try:
        return tuple(check_origin(value) for value in values)
    except BadOrigin as error:
        raise click.BadParameter(str(error)) from None


def _open_once(index_dir: Path | str | None) -> None:
    """Open the index as a search would (every segment, read in place), then close it: a
    damaged segment is named before the server starts, not at its first request."""
    from bahth.search.engine import SearchEngine

    engine = SearchEngine(index_dir)
    try:
        engine.state()
    finally:
        engine.close()


@main.command("serve")
@index_option
@backend_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="0: any free."
)
@click.option(
    "--workers",
    type=click.IntRange(1, 256),
    default=default_workers,
    show_default="one per CPU",
    help="Processes serving on the one port (more than 1: gunicorn, POSIX only).",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="Threads of each process.",
)
@click.option(
    "--time-limit",
    type=Seconds(),
    default=WEB_DEFAULTS["REQUEST_TIME_LIMIT"],
    show_default=True,
    help="Seconds a search may run; past it the answer is a 503 that says so.",
)
@click.option(
    "--header-timeout",
    type=Seconds(),
    default=HEADER_TIMEOUT,
    show_default=True,
    help="Seconds a client has to send a request's headers; then it is disconnected.",
)
@click.option(
    "--connection-limit",
    type=click.IntRange(1, 1_000_000),
    default=CONNECTION_LIMIT,
    show_default=True,
    help="Open connections at most, per process (each costs an open file, not a thread).",
)
@click.option(
    "--cors",
    "cors_origins",
    multiple=True,
    callback=_origins,
    metavar="ORIGIN",
    help="Let pages from ORIGIN (https://host[:port], or *) read the JSON API. Repeatable.",
)
@click.option(
    "--log-queries/--no-log-queries",
    default=True,
    show_default=True,
    help="Show query strings in the access log (one line per request on stderr).",
)
def serve_command(
    index_dir: Path | None,
    backend: str | None,
    host: str,
    port: int,
    workers: int,
    threads: int,
    time_limit: float,
    header_timeout: float,
    connection_limit: int,
    cors_origins: tuple[str, ...],
    log_queries: bool,
) -> None:
    """Serve the search page and its JSON API until Ctrl+C or SIGTERM.

    --workers processes serve on one port (gunicorn's arbiter over waitress in each; with
    --workers 1, waitress alone). Each picks up a reindex by itself. Slow clients cannot shut
    others out: a connection whose request's headers are --header-timeout late is closed,
    and up to --connection-limit connections stay open (they cost no thread). A search that
    runs past --time-limit is answered with a 503. One access-log line per request goes to
    stderr.
    """
    import signal

    from bahth.index.backends import open_store
    from bahth.web.access_log import log_to_stderr
    from bahth.web.server import create_server, multiprocess_supported, server_url

    if workers > 1 and not multiprocess_supported():
        fail("--workers above 1 needs gunicorn, which runs on POSIX systems only: use --workers 1")
    location = where(index_dir, backend)
    try:
        store = open_store(location)
        documents = store.require_documents()
        _open_once(location)
        shown = store.location  # (stats() would open a reader: a copy of every segment)
    except BahthError as error:
        fail_on(error)
    options = dict(
        threads=threads,
        header_timeout=header_timeout,
        connection_limit=connection_limit,
        time_limit=time_limit,
        cors_origins=cors_origins,
        log_queries=log_queries,
    )
    try:
        if workers == 1:
            server = create_server(location, host=host, port=port, **options)
            url = server_url(server, host, port)
        else:
            from bahth.web.workers import create_multiprocess_server

            server, url = create_multiprocess_server(
                location,
                host=host,
                port=port,
                workers=workers,
                on_stop=lambda: click.echo("bahth: stopped."),
                **options,
            )
    except BahthError as error:
        fail_on(error)
    except OSError as error:
        fail(f"cannot listen on {host}:{port}: {error.strerror or error}", code=1)
    log_to_stderr()
    how = "waitress" if workers == 1 else f"{workers} processes (gunicorn, waitress in each)"
    click.echo(f"bahth: serving {documents} documents from {shown} with {how}")
    click.echo(f"Open {url} in a browser (Ctrl+C to stop).")
    if workers > 1:
        server.run()  # the arbiter: exits the process when stopped (workers never return)
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.run()
    except KeyboardInterrupt:
        click.echo("bahth: stopped.")
    finally:
        server.close()


# ---- local clusters ---------------------------------------------------------------------


@main.group("cluster")
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
    if must_answer and not all(state.answering for state in states):
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
