"""The house's rules, read from the code's own imports: floors import downwards only, the
query side never imports the writer, and what a word becomes is decided in analyzers/ alone.

Floors, bottom up: analyzers < index < search < web < bahth (the CLI and the package face).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLOORS = ["analyzers", "index", "search", "web", "bahth"]
OLD_TOP_LEVEL = {"analyzers", "index", "search", "web"}
# The analysis pipeline's parts: only analyzers/ composes them (pipeline.py writes the order).
PIPELINE_PARTS = {
    "ArabicTokenizer",
    "ArabicNormalizeFilter",
    "ArabicStopFilter",
    "ArabicStemFilter",
    "arabic_analyzer",
    "exact_analyzer",
    "stems_for",
    "stop_words",
    "light_stems",
    "snowball_stem",
}


def modules() -> list[tuple[str, Path]]:
    return [(floor, path) for floor in FLOORS for path in sorted((ROOT / floor).rglob("*.py"))]


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, [names]) of every import in ``path``, wherever it stands in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
    return found


def floor_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "bahth":
        return None
    if len(parts) > 1 and parts[1] in OLD_TOP_LEVEL:
        return parts[1]
    return "bahth"


@pytest.mark.parametrize(("floor", "path"), modules(), ids=lambda v: str(v).split("main/")[-1])
def test_imports_point_down(floor: str, path: Path) -> None:
    for module, _ in imports(path):
        assert module.split(".")[0] not in OLD_TOP_LEVEL, f"{module}: import bahth.{module}"
        target = floor_of(module)
        if target is None or floor == "bahth":
            continue
        assert FLOORS.index(target) <= FLOORS.index(floor), f"{path.name} imports {module}"


@pytest.mark.parametrize(("floor", "path"), modules(), ids=lambda v: str(v).split("main/")[-1])
def test_only_analyzers_compose_the_pipeline(floor: str, path: Path) -> None:
    if floor == "analyzers":
        return
    for module, names in imports(path):
        if module.startswith("bahth.analyzers"):
            assert not PIPELINE_PARTS & set(names), f"{path.name} re-derives analysis: {names}"
            assert module == "bahth.analyzers" or (
                module == "bahth.analyzers.normalizer" and path.name == "query.py"
            ), f"{path.name} reaches into {module}: ask WordAnalysis instead"


def test_the_query_side_never_imports_the_writer() -> None:
    for path in sorted((ROOT / "search").glob("*.py")):
        for module, _ in imports(path):
            assert module != "bahth.index.whoosh.writer", path.name
            if module == "bahth.index.whoosh.store":
                assert path.name == "engine.py", f"{path.name}: the store is the engine's"


def test_nothing_imports_the_cli_but_python_dash_m() -> None:
    users = [
        path.relative_to(ROOT)
        for _, path in modules()
        if any(module == "bahth.cli" for module, _ in imports(path))
    ]
    assert users == [Path("bahth/__main__.py")]


# The Sphinx/Manticore backend stays behind its seam: its modules (index/sphinx/) are imported
# by the factories (index/backends.py, search/backends.py), by each other and by the CLI's
# cluster commands; only index/sphinx/nodes.py talks SphinxQL (pymysql).
SPHINX_SEAM = {
    Path("index/backends.py"),
    Path("search/backends.py"),
    Path("bahth/cli.py"),
}


def test_the_sphinx_backend_stays_behind_its_seam() -> None:
    for _, path in modules():
        relative = path.relative_to(ROOT)
        inside = relative.parts[:2] == ("index", "sphinx") or relative in SPHINX_SEAM
        for module, _ in imports(path):
            if module.startswith("bahth.index.sphinx"):
                assert inside, f"{relative} imports {module}: go through index/search backends"
            if module.split(".")[0] == "pymysql":
                assert relative == Path("index/sphinx/nodes.py"), f"{relative} imports pymysql"
