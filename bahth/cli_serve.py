"""``bahth serve``: the search page and its JSON API, on one port (web/serving.py runs it)."""

from pathlib import Path

import click

from bahth.cli_common import Seconds, backend_option, fail, fail_on, index_option, where
from bahth.index.errors import BahthError
from bahth.web import DEFAULTS as WEB_DEFAULTS
from bahth.web.server import CONNECTION_LIMIT, HEADER_TIMEOUT, default_workers


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


@click.command("serve")
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
    from bahth.index.backends import open_store
    from bahth.web.serving import serve

    location = where(index_dir, backend)
    try:
        store = open_store(location)
        documents = store.require_documents()
        _open_once(location)
        shown = store.location  # (stats() would open a reader: a copy of every segment)
    except BahthError as error:
        fail_on(error)

    def ready(url: str, how: str) -> None:
        click.echo(f"bahth: serving {documents} documents from {shown} with {how}")
        click.echo(f"Open {url} in a browser (Ctrl+C to stop).")

    try:
        serve(
            location,
            host=host,
            port=port,
            workers=workers,
            on_ready=ready,
            on_stop=lambda: click.echo("bahth: stopped."),
            threads=threads,
            header_timeout=header_timeout,
            connection_limit=connection_limit,
            time_limit=time_limit,
            cors_origins=cors_origins,
            log_queries=log_queries,
        )
    except BahthError as error:
        fail_on(error)
    except OSError as error:
        fail(f"cannot listen on {host}:{port}: {error.strerror or error}", code=1)
