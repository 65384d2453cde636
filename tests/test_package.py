"""bahth as a new user installs it: ``pip install <checkout>`` (not editable) into a fresh
virtualenv, then used from a folder that holds the user's own index.py, search.py,
analyzers.py and web/ package, which must not shadow anything of bahth's; and into the
virtualenv of an app that already has its own Flask and numpy, which it keeps."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

import bahth

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
NOT_SHIPPED = shutil.ignore_patterns(
    ".venv", ".git", "instance", "build", "*.egg-info", "__pycache__", ".pytest_cache",
    ".ruff_cache", ".hypothesis", "test-artifacts", "out",
)  # fmt: skip


def test_the_package_face_exports_what_it_lists() -> None:
    for name in bahth.__all__:
        assert getattr(bahth, name) is not None, name
    assert sorted(bahth.__all__) == sorted([*bahth._EXPORTS, "__version__"])


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the checkout, as a user downloads it."""
    source = tmp_path_factory.mktemp("checkout") / "bahth"
    shutil.copytree(ROOT, source, ignore=NOT_SHIPPED)
    return source


def new_venv(env_dir: Path) -> Path:
    """The python of a fresh virtualenv at ``env_dir``."""
    venv.create(env_dir, with_pip=True)
    return env_dir / "bin" / "python"


def pip_install(python: Path, *args: str) -> None:
    result = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *args],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, checkout: Path) -> tuple[Path, Path]:
    """(python of a fresh virtualenv with bahth installed from a copy of the checkout, a
    user's folder whose own modules have bahth's old generic names)."""
    base = tmp_path_factory.mktemp("install")
    python = new_venv(base / "venv")
    pip_install(python, str(checkout))
    user = base / "project"
    (user / "web").mkdir(parents=True)
    for name in ("index.py", "search.py", "analyzers.py"):
        (user / name).write_text(f"raise SystemExit('the user\\'s own {name} was imported')\n")
    (user / "web" / "__init__.py").write_text("raise SystemExit('the user web/ was imported')\n")
    shutil.copytree(ROOT / "seeds", user / "seeds")
    return python, user


def run(python: Path, user: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "BAHTH_INDEX")}
    return subprocess.run(
        [str(python), *args], cwd=user, capture_output=True, text=True, timeout=300, env=env
    )


def test_imports_work_beside_the_users_own_modules(installed) -> None:
    python, user = installed
    result = run(python, user, "-c", "from bahth import SearchEngine, create_app; print('ok')")
    assert result.returncode == 0 and result.stdout == "ok\n", result.stderr


def test_python_dash_m_bahth_runs_the_cli(installed) -> None:
    python, user = installed
    result = run(python, user, "-m", "bahth", "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"bahth, version {bahth.__version__}"


def test_the_readme_library_example_runs(installed) -> None:
    python, user = installed
    code = re.search(r"```python\n(.*?)```", README.split("## The library", 1)[1], re.S).group(1)
    script = code + "\nassert page.total >= 1 and page.hits\nprint(engine.stats()['documents'])\n"
    result = run(python, user, "-c", script)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "4"


def test_site_packages_gained_only_bahth(installed) -> None:
    python, user = installed
    listing = run(
        python, user, "-c",
        "import importlib.metadata as m; print('\\n'.join(str(f) for f in m.files('bahth')))",
    )  # fmt: skip
    assert listing.returncode == 0, listing.stderr
    top = {
        Path(line).parts[0]
        for line in listing.stdout.splitlines()
        if not line.startswith("..")  # the console script, outside site-packages
    }
    assert top == {"bahth", f"bahth-{bahth.__version__}.dist-info"}
    files = listing.stdout.splitlines()
    assert "bahth/py.typed" in files
    assert "bahth/analyzers/arabic_stopwords.txt" in files
    assert any(f.startswith("bahth/web/templates/") for f in files)
    assert sys.prefix not in listing.stdout


# An app's own Flask and numpy, older than constraints.txt's, and what pip offers besides.
APPS = [
    pytest.param(("Flask==3.0.3", "numpy==1.26.4"), id="an app on Flask 3.0 and numpy 1.26"),
    pytest.param(("Flask==3.1.0", "numpy==2.0.2"), id="an app on Flask 3.1 and numpy 2.0"),
]
QUERIES = ["تمارة", "المغرب", "وزير الخارجية", '"الشراكة الاستراتيجية"', "ارهاب"]
SEARCH_SEEDS = """
import json, sys
from bahth import SearchEngine
engine = SearchEngine("ix")
engine.index_paths(["seeds"])
pages = {q: engine.search(q, per_page=10) for q in sys.argv[1:]}
print(json.dumps({q: [p.total, [[h.id, h.score] for h in p.hits]] for q, p in pages.items()}))
"""


def search_seeds(python: Path, folder: Path) -> dict:
    """{query: [total, [[id, score], ...]]} from indexing seeds/ in ``folder`` with
    ``python``'s bahth."""
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    result = run(python, folder, "-c", SEARCH_SEEDS, *QUERIES)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


@pytest.mark.parametrize("app", APPS)
def test_pip_install_beside_an_apps_flask_and_numpy_keeps_them(
    app: tuple[str, ...], checkout: Path, tmp_path: Path
) -> None:
    """setup.cfg's ranges take the app's versions as they are: pip changes neither, and
    bahth indexes and ranks the seeds as it does here."""
    python = new_venv(tmp_path / "venv")
    pip_install(python, *app)
    pip_install(python, str(checkout))
    names = [pin.split("==")[0] for pin in app]
    shown = run(
        python, tmp_path, "-c",
        "import importlib.metadata as m, sys; print(*(m.version(n) for n in sys.argv[1:]))",
        *names,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert [f"{n}=={v}" for n, v in zip(names, shown.stdout.split(), strict=True)] == list(app)
    (tmp_path / "there").mkdir()
    (tmp_path / "here").mkdir()
    there = search_seeds(python, tmp_path / "there")
    here = search_seeds(Path(sys.executable), tmp_path / "here")
    assert there.keys() == here.keys() == set(QUERIES)
    for query in QUERIES:
        (total, hits), (expected_total, expected_hits) = there[query], here[query]
        assert total == expected_total and total > 0, query
        assert [h[0] for h in hits] == [h[0] for h in expected_hits], query
        assert [h[1] for h in hits] == pytest.approx([h[1] for h in expected_hits]), query
