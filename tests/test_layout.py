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


# ---- two stores behind one contract (index/contract.py) -------------------------------------

STORES = {"whoosh": ROOT / "index" / "whoosh", "sphinx": ROOT / "index" / "sphinx"}
# Who may open a store's folder: the opener (index/backends.py), the package's own face
# (index/__init__.py re-exports the folder store for `from bahth import IndexStore`), and the
# CLI's cluster commands (init, start, stop, status: a cluster's nodes, not its index).
OPENERS = {
    Path("index/backends.py"),
    Path("index/__init__.py"),
    Path("bahth/cli_common.py"),
    Path("bahth/cli_cluster.py"),
}


def _store_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[:2] == ["bahth", "index"] and len(parts) > 2 and parts[2] in STORES:
        return parts[2]
    return None


@pytest.mark.parametrize(("floor", "path"), modules(), ids=lambda v: str(v).split("main/")[-1])
def test_the_stores_stay_behind_the_contract(floor: str, path: Path) -> None:
    """search/ and web/ never import a store's folder; the stores never import each other."""
    relative = path.relative_to(ROOT)
    mine = (
        relative.parts[1] if relative.parts[:1] == ("index",) and len(relative.parts) > 2 else None
    )
    for module, _ in imports(path):
        store = _store_of(module)
        if store is None:
            continue
        if mine is not None:
            assert store == mine, f"{relative} (the {mine} store) imports the {store} store"
        else:
            assert relative in OPENERS, f"{relative} imports {module}: read through the contract"


def test_only_the_cluster_talks_sphinxql() -> None:
    for _, path in modules():
        relative = path.relative_to(ROOT)
        for module, _ in imports(path):
            if module.split(".")[0] == "pymysql":
                assert relative == Path("index/sphinx/nodes.py"), f"{relative} imports pymysql"


def test_search_and_web_know_no_store_s_library() -> None:
    """Whoosh is the folder's library: the query side and the web do not use it (the query
    tree is bahth's own, index/nodes.py); only the edit-distance function of its support
    package is borrowed by search/expansion.py."""
    for floor in ("search", "web"):
        for path in sorted((ROOT / floor).rglob("*.py")):
            for module, _ in imports(path):
                if module.split(".")[0] == "whoosh":
                    assert module == "whoosh.support.levenshtein", f"{path.name}: {module}"


def _graph() -> dict[str, set[str]]:
    """module -> the bahth modules it imports (by dotted name)."""

    def name(floor: str, path: Path) -> str:
        relative = path.relative_to(ROOT / floor).with_suffix("")
        parts = [] if floor == "bahth" else [floor]
        return ".".join(["bahth", *parts, *relative.parts]).removesuffix(".__init__")

    known = {name(floor, path): path for floor, path in modules()}
    graph: dict[str, set[str]] = {}
    for module, path in known.items():
        targets = set()
        for target, names in imports(path):
            submodules = [f"{target}.{n}" for n in names if f"{target}.{n}" in known]
            # ``from P import m`` of a submodule m imports m (P's __init__ runs, but P is
            # only m's package); ``from P import name`` of anything else imports P itself
            if len(submodules) < len(names) or not names:
                submodules.append(target)
            targets.update(m for m in submodules if m in known and m != module)
        graph[module] = targets
    return graph


def test_no_import_cycle() -> None:
    graph = _graph()
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in graph[node]:
            if state.get(target) == 1:
                cycle = trail[trail.index(target) :] if target in trail else [target]
                pytest.fail(f"import cycle: {' -> '.join([*cycle, node, target])}")
            if target not in state:
                visit(target, [*trail, node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])


MAX_LINES = 500  # the house keeps modules near 400 lines; past 500, one job has become two


@pytest.mark.parametrize(("floor", "path"), modules(), ids=lambda v: str(v).split("main/")[-1])
def test_no_module_is_over_500_lines(floor: str, path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)}: {lines} lines"


STORE_CLASSES = {
    "whoosh": ("bahth.index.whoosh.store", "IndexStore"),
    "sphinx": ("bahth.index.sphinx.store", "SphinxStore"),
}


@pytest.mark.parametrize("store", sorted(STORE_CLASSES))
def test_both_stores_keep_the_whole_write_side_contract(store: str) -> None:
    """Everything the engine, the CLI and the web ask of a store (index/contract.py
    Store) is on both, taking at least the contract's keywords: a method one store lacks
    would make a feature work on one only."""
    import importlib
    import inspect

    from bahth.index.contract import Store

    module, name = STORE_CLASSES[store]
    cls = getattr(importlib.import_module(module), name)
    asked = [n for n in vars(Store) if not n.startswith("_")] + list(Store.__annotations__)
    assert "add_documents" in asked and "readers" in asked
    for member in asked:
        assert hasattr(cls, member) or member in _instance_attributes(cls), (name, member)
        wanted = getattr(Store, member, None)
        if inspect.isfunction(wanted):
            got = inspect.signature(getattr(cls, member)).parameters
            params = inspect.signature(wanted).parameters
            for param in params.values():
                if param.kind is inspect.Parameter.VAR_KEYWORD:
                    continue
                assert param.name in got, (name, member, param.name)


def _instance_attributes(cls) -> set[str]:
    """The attributes ``cls.__init__`` sets (``self.x = ...``)."""
    import inspect
    import re

    return set(re.findall(r"self\.([a-z_]+)\s*=", inspect.getsource(cls.__init__)))
