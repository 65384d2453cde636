"""`bahth index` refusing a change that needs --rebuild gives the command to run: the user's
own command line with --rebuild, which rebuilds with what that command asked for. (A
rebuild without the settings file or --stem keeps the index's own analysis, so advice that
left them out rebuilt the index as it was, and the next run was refused again.)"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

NEWS = [
    {"id": "a", "title": "عاجل الحكومة تصادق", "text": "صادقت الحكومة على الميزانية", "key": "k1"},
    {"id": "b", "title": "الرجاء يفوز", "text": "فاز الرجاء في مباراة القمة عاجل", "key": "k2"},
]


def bahth(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bahth", *args], capture_output=True, text=True, timeout=120, cwd=cwd
    )


# (the settings file the index is built with, the one the next run gives or None, that run's
# other options; what `bahth stats` says of the index once the advice is followed)
CHANGES = [
    pytest.param(
        "", '[analysis]\nstopwords_add = ["عاجل"]\n', [], "stopwords+=عاجل", id="stop-word"
    ),
    pytest.param("", '[analysis]\nstem = "snowball"\n', [], "stem=snowball", id="settings-stem"),
    pytest.param("", None, ["--stem", "none"], "stem=none", id="stem-option"),
    pytest.param(
        '[analysis]\nstopwords_add = ["عاجل"]\n',
        '[analysis]\nstopwords_add = ["عاجل"]\nstem = "none"\n',
        [],
        "stem=none stopwords+=عاجل",
        id="stem-beside-stop-words",
    ),
    pytest.param("", None, ["--id-field", "key"], "stem=light", id="input-key-option"),
    pytest.param(
        "", '[fields.key]\ntype = "keyword"\n', ["--prune"], "stem=light", id="declared-field"
    ),
]


@pytest.mark.parametrize("built, asked, options, analyzer", CHANGES)
def test_the_rebuild_command_a_refusal_gives_does_what_was_asked(
    tmp_path: Path, built: str, asked: str | None, options: list[str], analyzer: str
) -> None:
    (tmp_path / "news.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in NEWS), encoding="utf-8"
    )
    (tmp_path / "built.toml").write_text(built, encoding="utf-8")
    first = bahth("index", "news.jsonl", "--settings", "built.toml", "--index", "ix", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    run = ["index", "news.jsonl", "--index", "ix", *options]
    if asked is not None:
        (tmp_path / "asked.toml").write_text(asked, encoding="utf-8")
        run += ["--settings", "asked.toml"]
    refused = bahth(*run, cwd=tmp_path)
    assert refused.returncode == 2, refused.stderr
    command = re.search(r"\(`(bahth index --rebuild [^`]*)`, with every source", refused.stderr)
    command = command.group(1)
    assert "PATH..." not in command, command
    followed = bahth(*shlex.split(command)[1:], cwd=tmp_path)
    assert followed.returncode == 0, followed.stderr
    assert analyzer in bahth("stats", "--index", "ix", cwd=tmp_path).stdout
    again = bahth(*run, cwd=tmp_path)  # what was asked is what the index now has
    assert again.returncode == 0, again.stderr
