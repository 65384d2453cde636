"""What bahth asks of the environment it is installed into: pymysql only with the cluster
extra, and missing it is one line that names the extra."""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner

from bahth.cli import main
from bahth.index.errors import BahthError, ExtraMissing

# ---- a cluster without the cluster extra ---------------------------------------------------

URL = "sphinx://127.0.0.1:9/t"


def needs_extra(url: str) -> str:
    return f'{url}: a Sphinx/Manticore cluster needs pymysql: pip install "bahth[cluster]"'


@pytest.fixture
def no_pymysql(monkeypatch: pytest.MonkeyPatch) -> None:
    """pymysql as a venv without the cluster extra has it: not importable."""
    monkeypatch.setitem(sys.modules, "pymysql", None)


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["search", "--backend", URL, "x"], id="search"),
        pytest.param(["search", "--backend", "manticore://h:9/t", "x"], id="a manticore URL"),
        pytest.param(["stats", "--backend", URL], id="stats"),
        pytest.param(["index", "seeds", "--backend", URL], id="index"),
        pytest.param(["index", "--rebuild", "seeds", "--backend", URL], id="index --rebuild"),
        pytest.param(["serve", "--backend", URL], id="serve"),
    ],
)
def test_a_cluster_without_pymysql_is_one_line_naming_the_extra(no_pymysql, command) -> None:
    """A usage error (2), as a missing searchd is: the command cannot run as set up."""
    url = command[command.index("--backend") + 1]
    result = CliRunner().invoke(main, command)
    assert result.output == f"bahth: {needs_extra(url)}\n"
    assert result.exit_code == 2


def test_a_search_engine_on_a_cluster_without_pymysql_raises_bahths_error(no_pymysql) -> None:
    from bahth import SearchEngine

    with pytest.raises(ExtraMissing) as raised:
        SearchEngine(URL)
    assert isinstance(raised.value, BahthError)
    assert (str(raised.value), raised.value.package, raised.value.extra) == (
        needs_extra(URL),
        "pymysql",
        "cluster",
    )
