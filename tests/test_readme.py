"""The README is the front door: its library example runs, and every CLI command is in it."""

import re
import shutil
from pathlib import Path

from bahth.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_library_example_runs(tmp_path, monkeypatch) -> None:
    section = README.split("## The library", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    assert namespace["page"].total >= 1
    assert namespace["engine"].stats()["documents"] == 4


def test_every_cli_command_is_documented() -> None:
    commands = list(main.commands)
    assert commands, "the CLI has commands"
    for name in commands:
        assert f"bahth {name}" in README, f"`bahth {name}` is missing from README.md"
