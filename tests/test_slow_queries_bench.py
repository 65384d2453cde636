"""bench/slow_queries.py makes requests of every shape and sends them without breaking, on a
small corpus made of the seeds (the benchmark itself runs on SaudiNewsNet)."""

import subprocess
import sys
from pathlib import Path

import pytest

from bahth.search.engine import SearchEngine
from bench import slow_queries
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def articles() -> list[dict]:
    """60 articles cut from the seeds' texts, with sources: enough words for every shape."""
    texts = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    out = []
    for n in range(60):
        text = texts[n % len(texts)]
        start = (n * 97) % (len(text) // 2)
        body = text[start : start + 2500]
        out.append({"id": f"a{n}", "title": body[:60], "text": body, "source": f"s{n % 3}"})
    return out


def test_every_shape_makes_requests(articles) -> None:
    todo = slow_queries.requests(articles, giant="giant-1mb")
    made = {request.shape for request in todo}
    assert set(slow_queries.SHAPES) <= made and "giant document" in made
    assert all(request.text for request in todo)


def test_each_shape_is_sent_and_reported(articles, seeds_index: Path, capsys) -> None:
    engine = SearchEngine(seeds_index)
    try:
        first = {}
        for request in slow_queries.requests(articles):
            first.setdefault(request.shape, request)
        timings = list(slow_queries.timed(engine, list(first.values())))
    finally:
        engine.close()
    assert not [t for t in timings if t.outcome.startswith("RAISED")]
    slow_queries.report(timings)
    printed = capsys.readouterr().out
    assert all(f"| {name} |" in printed for name in first) and "The ten slowest" in printed


def test_the_report_names_the_slowest_first_and_says_whether_the_goal_is_met(capsys) -> None:
    """Timings made up here, so the report's figures are known: the slowest first, each
    shape's median and maximum, the goal's verdict, the requests that raised."""
    request = slow_queries.Request
    timings = [
        slow_queries.Timing(request("prefix", "search", "ال*"), 120.0, "40 hits"),
        slow_queries.Timing(request("prefix", "search", "الم*"), 80.0, "12 hits"),
        slow_queries.Timing(request("fuzzy", "search", "امير~2"), 9000.0, "RAISED Boom"),
    ]
    assert slow_queries.report(timings) == 9000.0
    printed = capsys.readouterr().out
    assert "| prefix | 2 | 100.0 |" in printed and "| 120.0 |" in printed
    rows = [line for line in printed.splitlines() if line.startswith("| 9000.0 |")]
    assert rows and "امير~2" in rows[0]
    assert printed.index("| 9000.0 | fuzzy") < printed.index("| 120.0 | prefix")
    assert "NOT met" in printed and "1 raised an exception" in printed


def test_missing_data_exits_2_with_a_message(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.slow_queries", "--data", str(tmp_path / "none.jsonl.gz")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert result.returncode == 2 and "SaudiNewsNet not found" in result.stderr
