"""What a request reads once: the ranked order asked deeper and deeper (collapsing stories)
runs the second stage once per depth it goes past, and a shallower ask is the same head."""

from __future__ import annotations

import pytest

from bahth.search.once import prefixes

HITS = [(float(100 - n), n) for n in range(50)]  # (score, handle), 50 hits in all

# (depths asked in turn, the depths fetch must have been asked for)
ROWS = [
    pytest.param([10, 10, 10], [10], id="the-same-depth-is-read-once"),
    pytest.param([20, 10, 5], [20], id="a-shallower-depth-is-the-head"),
    pytest.param([10, 40, 20], [10, 40], id="a-deeper-depth-is-fetched"),
    pytest.param([80, 320], [80], id="every-hit-read-asks-no-more"),
    pytest.param([0, 10], [10], id="nothing-asked-reads-nothing"),
]


@pytest.mark.parametrize(("asks", "fetched"), ROWS)
def test_each_depth_is_fetched_once(asks: list[int], fetched: list[int]) -> None:
    calls: list[int] = []

    def fetch(depth: int):
        calls.append(depth)
        return HITS[:depth]

    first = prefixes(fetch)
    for depth in asks:
        assert first(depth) == HITS[:depth]
    assert calls == fetched
