"""The ``bahth`` command: thin click wrappers over the library.

Every command turns library errors into one clear line on stderr and an exit status:
0 success, 1 some input was skipped, 2 a usage error. No traceback reaches the user.
"""

import json

import click

from analyzers import STEMMERS, analyze


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
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    if not tokens:
        click.echo("(no terms: the text has no indexable words)")
        return
    width = max(len(t.surface) for t in tokens)
    click.echo(f"{'surface'.ljust(width)}  {'term':<12} start  end")
    for t in tokens:
        click.echo(f"{t.surface.ljust(width)}  {t.term:<12} {t.start:>5} {t.end:>4}")


if __name__ == "__main__":
    main()
