"""The vendored arwiki QA passage set (bench/data/arwiki/): documents, questions, qrels, and
the query groups every table reports.

Groups: by source (arcd, xquad, tydi), and by split. ``tuning`` = ARCD train + XQuAD is what
analysis and ranking may be tuned on; ``held-out`` = ARCD test + TyDi checks that a gain is
not an artefact of tuning.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from bench.evaluate import Qrels, read_qrels

DATA_DIR = Path(__file__).resolve().parent / "data" / "arwiki"

GROUPS = ("arcd", "xquad", "tydi", "arcd-train", "arcd-test", "tuning", "held-out")


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    source: str
    split: str | None


@dataclass(frozen=True)
class Arwiki:
    docs: list[dict]  # {"id", "title", "text", "source"}
    questions: list[Question]
    qrels: Qrels
    groups: dict[str, list[str]]


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _groups(questions: list[Question]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {name: [] for name in GROUPS}
    for q in questions:
        groups[q.source].append(q.id)
        if q.source == "arcd":
            groups[f"arcd-{q.split}"].append(q.id)
        tuning = (q.source == "arcd" and q.split == "train") or q.source == "xquad"
        groups["tuning" if tuning else "held-out"].append(q.id)
    return groups


def load(data_dir: str | Path = DATA_DIR, qrels_file: str = "qrels.txt") -> Arwiki:
    data_dir = Path(data_dir)
    docs = _read_jsonl(data_dir / "docs.jsonl")
    questions = [
        Question(q["id"], q["text"], q["source"], q.get("split"))
        for q in _read_jsonl(data_dir / "queries.jsonl")
    ]
    return Arwiki(docs, questions, read_qrels(data_dir / qrels_file), _groups(questions))
