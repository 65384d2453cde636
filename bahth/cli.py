"""The ``bahth`` command: thin click wrappers over the library, and nothing else.

It stands above every floor (analyzers, index, search, web) and no floor imports it. Each
command calls the library and turns its errors into one clear line on stderr and an exit
status: 0 success, 1 some input was skipped or there is no index to use, 2 a usage error.
No traceback reaches the user.
"""

import sys
from pathlib import Path

import click

from bahth.analyzers import STEMMERS, AnalysisConfig, analyze
from bahth.cli_cluster import cluster_group
from bahth.cli_common import (
    QueryMayStartWithDash,
    Seconds,
    backend_option,
    fail,
    fail_on,
    index_option,
    own_rebuild_command,
    where,
)
from bahth.cli_serve import serve_command
from bahth.index.errors import AnalysisMismatch, BahthError
from bahth.index.strict_json import dumps
from bahth.search.results import MAX_PAGE, MAX_PER_PAGE


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
    except AnalysisMismatch as error:  # the rebuild command: the user's own, with --rebuild
        message = str(error)
        fail(message.replace(error.command, own_rebuild_command()) if error.command else message)
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
@click.option(
    "--no-collapse",
    is_flag=True,
    help="List every document: near-duplicates (one story) too, not the story once.",
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
    no_collapse,
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
            collapse=not no_collapse,
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
    documents = result.total_documents
    if documents is not None and documents != result.total:  # copies shown once
        noun = f"{'story' if result.total == 1 else 'stories'} of {documents} documents"
    click.echo(f"{result.total} {noun} ({result.took_ms} ms)")
    if result.partial:
        click.echo(result.warning or "Partial results: a node did not answer.")
    if result.message:
        click.echo(result.message)
    if result.suggestion:
        click.echo(f"Did you mean: {result.suggestion}")
    read_as = {(typed, searched) for typed, searched, _ in result.read_as}
    if result.total and read_as:
        said = ", ".join(
            f"{searched} (for {typed})"
            for typed, searched in result.also_searched
            if (typed, searched) in read_as
        )
        click.echo(f"Searched for: {said}")
    also = [pair for pair in result.also_searched if pair not in read_as]
    if result.total and also:
        said = ", ".join(f"{searched} (for {typed})" for typed, searched in also)
        click.echo(f"Also searched: {said}")
    for rank, hit in enumerate(result.hits, start=first + 1):
        click.echo(f"\n{rank}. {hit.title or '(untitled)'}")
        click.echo(
            f"   id: {hit.id}   score: {hit.score:.3f}" + (f"   {hit.source}" if hit.source else "")
        )
        click.echo(f"   {plain_text(hit.snippet_html)}")
        if hit.story_size > 1:
            click.echo(f"   +{hit.story_size - 1} more in this story ({hit.story_id})")
        shown = [f"{name}: {_plain_value(value)}" for name, value in hit.fields.items()]
        if shown:
            click.echo(f"   {'   '.join(shown)}"[:300])


def _plain_value(value) -> str:
    if isinstance(value, list):
        return ", ".join(_plain_value(v) for v in value)
    return dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value)


def _write_run(engine, queries_file: Path, run_file: Path, limit: int, tag: str) -> None:
    from bahth.search.runs import is_column, read_queries, write_run

    try:
        queries, bad = read_queries(queries_file)
    except UnicodeDecodeError as error:
        fail(
            f"{queries_file}: not UTF-8 text (bad byte at offset {error.start}): save it as UTF-8."
        )
    except OSError as error:
        fail(f"{queries_file}: cannot read the queries: {error.strerror or error}.")
    if not is_column(tag):
        fail(f"--tag {tag!r}: one word without spaces (a run line's last column).")
    results = list(engine.run_queries(queries, limit=limit))
    left_out: list[tuple[str, str]] = []
    try:
        write_run(run_file, results, tag, left_out)
    except OSError as error:
        fail(f"cannot write the run file {run_file}: {error.strerror or error}.", code=1)
    click.echo(f"{len(queries)} queries, run written to {run_file}", err=True)
    for qid, docid in left_out:
        click.echo(
            f"left out of query {qid}'s ranking: document {docid!r}, whose id holds whitespace "
            "(a run line's columns are split on it)",
            err=True,
        )
    for failure in bad:
        click.echo(f"skipped {failure.where}: {failure.reason}", err=True)
    if bad:
        sys.exit(1)


# ---- local clusters ---------------------------------------------------------------------


main.add_command(serve_command)
main.add_command(cluster_group)
