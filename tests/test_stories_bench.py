"""bench/stories.py measures every goal figure, on a small corpus made here (the benchmark
itself runs on SaudiNewsNet), and says so when the data is missing."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from bench import stories
from tests.test_stories import article


def corpus(path: Path) -> Path:
    """Copies of three dispatches (two copies each, lightly edited) and ten other articles,
    with titles a known-item query can use."""
    docs = []
    for n in range(3):
        for copy in range(3):
            docs.append((f"d{n}-{copy}", f"خبر الوكالة رقم {n} نسخة {copy}", article(n, copy)))
    docs += [(f"o{n}", f"مقال آخر مختلف {n}", article(50 + n)) for n in range(10)]
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for doc_id, title, text in docs:
            record = {"id": doc_id, "title": title, "text": text, "source": "s", "date": "2015"}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def test_every_goal_figure_is_printed(tmp_path: Path, capsys) -> None:
    data = corpus(tmp_path / "docs.jsonl.gz")
    assert stories.main(["--data", str(data), "--queries", "8", "--workdir", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    for figure in (
        "near-duplicate slots",
        "alike their hit",
        "sharing a story: 100.0%",
        "known-item MRR@10",
        "query p50 ms",
        "indexing:",
    ):
        assert figure in printed, printed


def test_missing_data_is_said_and_exits_2(tmp_path: Path, capsys) -> None:
    assert stories.main(["--data", str(tmp_path / "none.jsonl.gz")]) == 2
    assert "not shipped with bahth" in capsys.readouterr().err
