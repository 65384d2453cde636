"""What the ``bahth`` commands share: the options that name an index, a type for seconds, a
command whose query may start with -, and one way to fail (one line on stderr, an exit status:
1 nothing to use or a run that failed, 2 a usage error; never a traceback)."""

import shlex
import sys
from pathlib import Path

import click

from bahth.index.deadline import limit_seconds
from bahth.index.errors import (
    ArgumentError,
    BackendUnavailable,
    BahthError,
    IndexDamaged,
    IndexMissing,
    IndexWriteFailed,
    SearchTimeout,
)

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
    and -1 are (float() reads them, and ``--time-limit nan`` stopped nothing). The library's
    rule for ``time_limit`` (index/deadline.py), so the two never differ."""

    name = "seconds"

    def convert(self, value, param, ctx) -> float:
        if isinstance(value, float):
            return value
        try:
            return limit_seconds(value)
        except ArgumentError as error:
            self.fail(error.reason, param, ctx)


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


def own_rebuild_command() -> str:
    """The ``bahth index`` command line this process runs, with --rebuild: what to run to
    rebuild an index with the settings (or stemmer) that command asked for."""
    args = sys.argv[1:]
    args = args[1:] if args[:1] == ["index"] else args
    return shlex.join(["bahth", "index", "--rebuild", *args])
