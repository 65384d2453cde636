"""What bahth asks of the environment it is installed into: ranges in setup.cfg (an app that
embeds bahth keeps its own Flask and numpy), the exact versions CI runs in constraints.txt,
and pymysql only with the cluster extra, missing it being one line that names the extra.
(tests/test_package.py installs bahth beside an app's own Flask and numpy.)"""

from __future__ import annotations

import configparser
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from packaging.requirements import Requirement

from bahth.cli import main
from bahth.index.errors import BahthError, ExtraMissing

ROOT = Path(__file__).resolve().parent.parent
SETUP = configparser.ConfigParser()
SETUP.read(ROOT / "setup.cfg", encoding="utf-8")
EXACT = {"whoosh"}  # the engine and its index format (setup.cfg says why)


def requirements(value: str) -> list[Requirement]:
    return [Requirement(line) for line in value.splitlines() if line.strip()]


def declared() -> list[tuple[str, Requirement]]:
    """(where, requirement) for install_requires and every extra's, bahth[...] aside."""
    rows = [("install_requires", r) for r in requirements(SETUP["options"]["install_requires"])]
    for extra, value in SETUP["options.extras_require"].items():
        rows += [(extra, r) for r in requirements(value) if r.name != "bahth"]
    return rows


def pinned() -> dict[str, str]:
    """constraints.txt as {canonical name: exact version}."""
    versions = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not NAME==VERSION"
            versions[canonical(name)] = version
    return versions


def canonical(name: str) -> str:
    return name.lower().replace("_", "-")


DECLARED = [pytest.param(r, id=f"{where}: {r.name}") for where, r in declared()]


@pytest.mark.parametrize("requirement", DECLARED)
def test_a_requirement_is_a_range_with_both_ends_or_whoosh_pinned(requirement) -> None:
    operators = {spec.operator for spec in requirement.specifier}
    if canonical(requirement.name) in EXACT:
        assert operators == {"=="}, f"{requirement}: pinned exactly"
    else:
        assert operators == {">=", "<"}, f"{requirement}: a range, >= and <"


@pytest.mark.parametrize("requirement", DECLARED)
def test_constraints_pin_each_requirement_inside_its_range(requirement) -> None:
    version = pinned().get(canonical(requirement.name))
    assert version, f"constraints.txt does not pin {requirement.name}"
    assert requirement.specifier.contains(version), f"{requirement.name}=={version}: {requirement}"


def test_the_tests_install_the_cluster_extra() -> None:
    """tests/test_sphinx_backend.py runs a real cluster."""
    test_extra = requirements(SETUP["options.extras_require"]["test"])
    assert Requirement("bahth[cluster]") in test_extra
    cluster = requirements(SETUP["options.extras_require"]["cluster"])
    assert [canonical(r.name) for r in cluster] == ["pymysql"]
    core = requirements(SETUP["options"]["install_requires"])
    assert "pymysql" not in [canonical(r.name) for r in core]


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
