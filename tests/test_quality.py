"""Retrieval quality as a regression test: the arwiki benchmark (vendored in bench/data/arwiki/)
with bahth's default configuration must keep the MRR@10 it reached.

This is the benchmark itself (bench/arwiki.py), not a copy: same paragraphs, same 3,506
questions, same evaluator. A change to the analyzer or the ranking that costs more than 0.01
of MRR@10 fails here, with the per-split figures in the message.
"""

import pytest

from bench.arwiki import Config, run_config
from bench.arwiki_data import load

# Reached by the default configuration on 2026-12-01 (issue 12: quotes, name variants, the
# title share, then the light stemmer's tanween ا and repeated suffix stripping; before:
# 0.860, then 0.865): `python -m bench.arwiki --only default` printed MRR@10 0.868 (see
# bench/README.md); 0.869 since a final ى typed for ي is read as the collection writes it
# (search/final_ya.py, 2026-12-08).
# The run is deterministic; the 0.01 of slack lets harmless reorderings through.
# Raise this when the default gets better.
DEFAULT_MRR_AT_10 = 0.869
ALLOWED_DROP = 0.01


@pytest.fixture(scope="module")
def default_row(tmp_path_factory):
    data = load()
    return run_config(Config("default"), data, tmp_path_factory.mktemp("arwiki"), indexes={})


def test_vendored_data_is_complete():
    data = load()
    assert (len(data.docs), len(data.questions), len(data.qrels)) == (1542, 3506, 3506)
    assert len(data.groups["tuning"]) + len(data.groups["held-out"]) == 3506


def test_default_configuration_keeps_its_mrr(default_row):
    m = default_row.metrics
    splits = {g: round(m[g]["mrr@10"], 3) for g in ("arcd", "xquad", "tydi", "held-out")}
    assert default_row.error is None
    assert default_row.mrr >= DEFAULT_MRR_AT_10 - ALLOWED_DROP, (
        f"MRR@10 fell to {default_row.mrr:.3f} (was {DEFAULT_MRR_AT_10}); per split {splits}"
    )


def test_default_configuration_keeps_recall(default_row):
    # Whoosh + Snowball Arabic reaches 0.973 and Lucene's ArabicAnalyzer 0.980 on this set.
    assert default_row.metrics["all"]["recall@100"] >= 0.97
