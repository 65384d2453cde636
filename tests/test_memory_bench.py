"""bench/memory.py runs end to end (server, clients, commits, stock Whoosh beside it) on a
small corpus cut from the seeds, so it cannot break unnoticed; the benchmark itself runs on
SaudiNewsNet."""

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench import memory
from tests.conftest import SEEDS

ROOT = Path(__file__).resolve().parent.parent


def _corpus(path: Path, count: int = 120) -> Path:
    """``count`` articles with distinct three-word titles and long enough texts."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    words = " ".join(texts).split()
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for n in range(count):
            title = " ".join(words[n * 3 : n * 3 + 3] + [f"رقم{n}"])
            text = texts[n % len(texts)][(n * 53) % 800 :][:1500]
            doc = {"id": f"a{n}", "title": title, "text": text, "source": f"s{n % 3}"}
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return path


def test_a_short_run_prints_every_figure(tmp_path: Path) -> None:
    data = _corpus(tmp_path / "docs.jsonl.gz")
    command = [sys.executable, "-m", "bench.memory", "--data", str(data), "--sizes", "120"]
    command += ["--workdir", str(tmp_path / "work"), "--seconds", "4", "--commit-every", "1.5"]
    command += ["--clients", "2", "--threads", "2"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "| bahth serve, 4 threads, 8 clients |" not in out, "says the threads it ran"
    assert "| bahth serve, 2 threads, 2 clients |" in out
    assert "(0 failed)" in out, "every request answered (the access log must not block it)"
    assert "| stock Whoosh, 1 searcher, 1 thread |" in out
    assert "requests started within 2 s after a commit" in out
    assert "0 descriptors of deleted index files" in out
    assert "peak RSS bahth / stock Whoosh" in out


def test_requests_after_a_commit_are_told_apart() -> None:
    result = {
        "commits": [10.0],
        "requests": [
            (1.0, 0, 0.1, True),
            (2.0, 0, 0.1, True),
            (10.5, 0, 0.3, True),  # within 2 s of the commit: three times its median
            (13.0, 0, 0.1, True),
            (14.0, 1, 5.0, False),  # failed requests are not timed
        ],
    }
    near, other = memory.after_commits(result)
    assert near == pytest.approx([3.0]) and other == pytest.approx([1.0, 1.0, 1.0])


def test_missing_data_exits_2_with_a_message(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.memory", "--data", str(tmp_path / "none.jsonl.gz")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 2 and "SaudiNewsNet not found" in done.stderr
