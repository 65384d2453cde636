"""Known-item search, shared by the news benchmarks: a collection's articles are indexed (their
text only, or title and text), each chosen headline is a query, and its own article is the one
relevant answer (with any article of the very same text, which no engine can tell apart).

Results are reported per kind of query (bench/kinds.py), so that a loss on one kind (pasted
headlines with quotes, say) cannot hide in the mean.
"""

from __future__ import annotations

import gzip
import json
import random
import shutil
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.evaluate import evaluate
from bench.kinds import format_kinds, kind_groups, without_quotes

RunQueries = Callable[[Iterable[tuple[str, str]]], Iterator]


def data_missing(path: Path) -> bool:
    """True, said on stderr, when SaudiNewsNet is not at ``path``: the benchmarks read it from
    ../shared beside the repository, and it may not be copied into the project."""
    if path.exists():
        return False
    print(
        f"SaudiNewsNet not found at {path}: this benchmark reads it from ../shared "
        "beside the repository (it may not be copied into the project); pass --data PATH",
        file=sys.stderr,
    )
    return True


@dataclass(frozen=True)
class KnownItem:
    qid: str
    title: str
    doc_id: str


def read_articles(path: Path) -> list[dict]:
    """A JSON-lines collection, gzipped or not."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def known_items(
    articles: list[dict],
    n: int | None = None,
    seed: int = 42,
    min_words: int = 3,
    min_chars: int = 200,
    prefix: str = "title",
) -> list[KnownItem]:
    """Headlines of ``min_words``+ words whose text has ``min_chars``+ characters and which
    appear once in the collection; ``n`` of them sampled with ``seed`` (all when None)."""
    count = Counter((a.get("title") or "").strip() for a in articles)
    eligible = [
        a
        for a in articles
        if len((a.get("title") or "").split()) >= min_words
        and len((a.get("text") or "").strip()) >= min_chars
        and count[(a.get("title") or "").strip()] == 1
    ]
    chosen = eligible if n is None else random.Random(seed).sample(eligible, n)
    return [
        KnownItem(f"{prefix}-{i:04d}", a["title"].strip(), a["id"]) for i, a in enumerate(chosen)
    ]


def known_item_qrels(articles: list[dict], items: list[KnownItem]) -> dict[str, dict[str, int]]:
    """Each headline's article, plus any article with exactly the same text."""
    by_text: dict[str, list[str]] = defaultdict(list)
    text_of = {}
    for a in articles:
        text = (a.get("text") or "").strip()
        by_text[text].append(a["id"])
        text_of[a["id"]] = text
    return {item.qid: {d: 1 for d in by_text[text_of[item.doc_id]]} for item in items}


def bahth_documents(articles: Iterable[dict], with_title: bool) -> Iterator[dict]:
    for a in articles:
        title = (a.get("title") or "") if with_title else ""
        yield {
            "id": a["id"],
            "title": title,
            "text": a.get("text") or "",
            "source": a.get("source"),
        }


def bahth_engine(folder: Path, articles: list[dict], with_title: bool):
    """A SearchEngine over ``folder``, indexed now unless an index is already there."""
    from bahth.search.engine import SearchEngine

    engine = SearchEngine(folder)
    if not engine.store.exists():
        engine.add_documents(bahth_documents(articles, with_title))
    return engine


def baseline_engine(name: str, folder: Path, articles: list[dict], with_title: bool):
    """A bench/baselines.py searcher over ``folder`` (built now unless already there)."""
    from whoosh import index as whoosh_index

    from bench.baselines import BaselineSearcher, Indexed, build_index

    if whoosh_index.exists_in(str(folder)):
        ix = whoosh_index.open_dir(str(folder))
        if ix.doc_count() == len(articles):
            return BaselineSearcher(Indexed(name, ix, 0.0))
        ix.close()  # a build that was stopped half way (create_in commits an empty index first)
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    docs = ({"id": a["id"], "title": a.get("title") or "", "text": a.get("text") or ""}
            for a in articles)  # fmt: skip
    return BaselineSearcher(build_index(name, docs, str(folder), with_title=with_title))


def evaluate_known_items(
    title: str,
    engines: dict[str, RunQueries],
    items: list[KnownItem],
    qrels: dict[str, dict[str, int]],
    touched: Callable[[str], bool] | None = None,
    darija: Callable[[str], bool] | None = None,
) -> dict[str, dict[str, dict[str, float]]]:
    """Run every engine on every headline; print MRR@10, nDCG@10, R@100, then MRR@10 per
    kind of query; return {engine: {group: metrics}}."""
    queries = [(i.qid, i.title) for i in items]
    groups = kind_groups(queries, touched, darija)
    # The quoted headlines again with their quotation marks deleted: quotes must not cost
    # a headline anything (issue 12), so the two columns should agree.
    unquoted = [
        (qid, without_quotes(text)) for qid, text in queries if qid in set(groups["quoted"])
    ]
    results = {}
    for name, run_queries in engines.items():
        started = time.perf_counter()
        run = {qid: dict(hits) for qid, hits in run_queries(queries)}
        results[name] = evaluate(qrels, run, groups)
        results[name]["all"]["seconds"] = time.perf_counter() - started
        if unquoted:
            again = {qid: dict(hits) for qid, hits in run_queries(unquoted)}
            marks_removed = evaluate(qrels, again, {"quoted": groups["quoted"]})["quoted"]
            results[name]["quoted, marks deleted"] = marks_removed
    if unquoted:
        groups = {**groups, "quoted, marks deleted": groups["quoted"]}
    print(f"\n{title}\n")
    print("| engine | MRR@10 | nDCG@10 | R@100 |\n|---|---|---|---|")
    for name, metrics in results.items():
        m = metrics["all"]
        print(f"| {name} | {m['mrr@10']:.3f} | {m['ndcg@10']:.3f} | {m['recall@100']:.3f} |")
    print()
    print(format_kinds(results, groups))
    return results
