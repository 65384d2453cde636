"""TREC run files: the batch mode's output (``bahth search --queries F --run OUT``) and the
benchmarks' input. One writer, so the CLI and bench/ write the same file for the same run.

A run line is ``qid Q0 docid rank score tag``. Equal scores are ordered by document id,
descending, as trec_eval and ranx order them, so a file's ranks are the ranks it is scored by.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from os import PathLike
from pathlib import Path

from bahth.index.sources import Failure

Run = dict[str, dict[str, float]]  # qid -> {docid: score}


def ranked(scores: Mapping[str, float]) -> list[tuple[str, float]]:
    """Documents best first; equal scores ordered by id, descending (trec_eval's rule)."""
    return sorted(scores.items(), key=lambda item: (item[1], item[0]), reverse=True)


def is_column(text: str) -> bool:
    """Whether ``text`` can stand as one column of a run line, which readers split on
    whitespace: not empty, and none in it (a query id, a document id, the tag)."""
    return bool(text) and len(text.split()) == 1 and text.strip() == text


def write_run(
    path: str | PathLike,
    results: Iterable[tuple[str, list[tuple[str, float]]]],
    tag: str,
    left_out: list[tuple[str, str]] | None = None,
) -> Run:
    """Write ``(qid, [(docid, score), ...])`` pairs as a TREC run file; returns the run. A hit
    whose document id a run line cannot carry (it holds whitespace: every reader would take
    the wrong columns) is left out, the hits after it ranked up, and ``(qid, docid)`` added
    to ``left_out`` for the caller to name; a tag that is not one column is a ValueError."""
    if not is_column(tag):
        raise ValueError(f"the run tag {tag!r} must be one word without whitespace")
    run: Run = {}
    lines = []
    for qid, hits in results:
        run[qid] = {}
        kept = [(docid, score) for docid, score in hits if is_column(docid)]
        if left_out is not None:
            left_out += [(qid, docid) for docid, _ in hits if not is_column(docid)]
        for rank, (docid, score) in enumerate(ranked(dict(kept)), start=1):
            run[qid][docid] = score
            lines.append(f"{qid} Q0 {docid} {rank} {score:.6f} {tag}\n")
    Path(path).write_text("".join(lines), encoding="utf-8")
    return run


def read_run(path: str | PathLike) -> Run:
    """A TREC run file as {qid: {docid: score}}."""
    run: Run = defaultdict(dict)
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            qid, _, docid, _rank, score, *_ = line.split()
            run[qid][docid] = float(score)
    return dict(run)


def read_queries(path: str | PathLike) -> tuple[list[tuple[str, str]], list[Failure]]:
    """``{"id", "text"}`` JSON lines as (id, text) pairs, and a Failure (``file:line``, why)
    for each line skipped, for the caller to name: one that is not such an object, and one
    whose id a run file cannot carry: an id with whitespace in it, or none, would shift the
    run's space-separated columns, and an id given twice would give one query two rankings
    (so the second is skipped, naming the first)."""
    queries, bad = [], []
    first: dict[str, str] = {}
    lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
            qid, text = str(record["id"]), str(record["text"])
        except (ValueError, KeyError, TypeError):
            bad.append(Failure(where, "not a JSON object with id and text"))
            continue
        if not is_column(qid):
            reason = "has no query id" if not qid else f"query id {qid!r} holds whitespace"
            bad.append(Failure(where, f"{reason}: a run file's columns are split on spaces"))
        elif qid in first:
            bad.append(Failure(where, f"query id {qid!r} is given again (first at {first[qid]})"))
        else:
            first[qid] = where
            queries.append((qid, text))
    return queries, bad
