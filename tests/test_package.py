"""bahth as a new user installs it: ``pip install <checkout>`` (not editable) into a fresh
virtualenv, then used from a folder that holds the user's own index.py, search.py,
analyzers.py and web/ package, which must not shadow anything of bahth's."""

from __future__ import annotations

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
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(python of a fresh virtualenv with bahth installed from a copy of the checkout, a
    user's folder whose own modules have bahth's old generic names)."""
    base = tmp_path_factory.mktemp("install")
    source = base / "checkout"
    shutil.copytree(ROOT, source, ignore=NOT_SHIPPED)
    env_dir = base / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    result = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         str(source)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
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
