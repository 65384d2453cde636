"""The arwiki retrieval benchmark: stock Whoosh, Whoosh + Snowball, and bahth with each stemmer
and each part of its pipeline switched off, side by side in one run.

    .venv/bin/python -m bench.arwiki                 # every configuration (a few minutes)
    .venv/bin/python -m bench.arwiki --only default  # bahth's default configuration only

Each configuration indexes the 1,542 paragraphs (title + text) into a temporary index, runs the
3,506 questions (top 100) and is scored with bench/evaluate.py against qrels.txt. bahth runs go
through ``SearchEngine.run_queries``, the batch path ``bahth search --queries`` uses. Run files
and a JSON summary are written to bench/out/arwiki/ (git-ignored).

Ablations change one thing at a time against the default: an ``AnalysisConfig`` switch (the
index is rebuilt) or a ``Ranking`` value (the default index is reused).
"""

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bahth.search.runs import write_run
from bench.arwiki_data import DATA_DIR, Arwiki, load
from bench.evaluate import evaluate

OUT_DIR = Path(__file__).resolve().parent / "out" / "arwiki"
SPLIT_COLUMNS = ("arcd-train", "xquad", "arcd-test", "tydi", "tuning", "held-out")


@dataclass(frozen=True)
class Config:
    """One row of the table. ``baseline`` names a bench/baselines.py analyzer; otherwise
    bahth runs with ``analysis`` (AnalysisConfig keyword arguments) and ``ranking``
    (Ranking fields changed from the default)."""

    name: str
    baseline: str | None = None
    analysis: dict = field(default_factory=dict)
    ranking: dict = field(default_factory=dict)
    note: str = ""


CONFIGS = (
    Config("whoosh-stock", baseline="stock", note="Whoosh 2.7.4 StandardAnalyzer, BM25F"),
    Config("whoosh+snowball", baseline="whoosh+snowball", note="+ Snowball Arabic stemmer only"),
    Config("default", note="bahth default: light stemmer"),
    Config("stem=snowball", analysis={"stem": "snowball"}),
    Config("stem=none", analysis={"stem": "none"}),
    Config("no-normalize", analysis={"normalize": False}, note="no Arabic normalization"),
    Config("no-stopwords", analysis={"stopwords": False}, note="stop words kept"),
    Config("no-exact", ranking={"use_exact": False}, note="no exact-form fields (nor proximity)"),
    Config("no-proximity", ranking={"proximity_boost": 0.0}),
    Config("all-words=1", ranking={"all_words_boost": 1.0}, note="with the all-words bonus"),
    Config("idf=whoosh", ranking={"idf": "whoosh"}, note="Whoosh's idf instead of BM25's"),
    Config("no-rerank", ranking={"rerank_depth": 0}, note="no second stage (BM25 only)"),
    Config("no-window", ranking={"window_boost": 0.0}, note="second stage: lead only"),
    Config("no-lead", ranking={"lead_boost": 0.0}, note="second stage: window only"),
    Config("title-boost=2", ranking={"title_boost": 2.0}),
    Config("no-variants", ranking={"variant_boost": 0.0}, note="no name variants (issue 12)"),
    Config("no-title-share", ranking={"title_share_boost": 0.0}, note="second stage: no title"),
    Config("no-phrase-bonus", ranking={"phrase_boost": 0.0}, note="quotes: words only"),
    # The default Ranking of 2026-11-22, before the second stage and the retune that came
    # with it (bench/tune.py on the tuning split): what those two are worth together.
    Config(
        "ranking-2026-11-22",
        ranking={
            "idf": "whoosh",
            "title_boost": 0.5,
            "all_words_boost": 1.0,
            "proximity_boost": 1.0,
            "rerank_depth": 0,
        },
        note="the previous default ranking",
    ),
)


@dataclass
class Row:
    config: Config
    metrics: dict[str, dict[str, float]]  # group -> metric -> value
    index_seconds: float
    query_seconds: float
    queries: int
    run_file: Path | None = None
    error: str | None = None

    @property
    def mrr(self) -> float:
        return self.metrics["all"]["mrr@10"]


def _bahth_engine(config: Config, data: Arwiki, workdir: Path, indexes: dict):
    """A SearchEngine for ``config``; one index per distinct analysis, shared by rankings."""
    from bahth.analyzers import AnalysisConfig
    from bahth.search.engine import SearchEngine
    from bahth.search.ranking import DEFAULT_RANKING

    analysis = AnalysisConfig(**config.analysis)
    ranking = dataclasses.replace(DEFAULT_RANKING, **config.ranking)
    key = json.dumps(analysis.as_dict(), sort_keys=True)
    index_seconds = 0.0
    if key not in indexes:
        path = workdir / f"index-{len(indexes)}"
        started = time.perf_counter()
        SearchEngine(path, analysis=analysis).add_documents(data.docs)
        index_seconds = time.perf_counter() - started
        indexes[key] = path
    return SearchEngine(indexes[key], analysis=analysis, ranking=ranking), index_seconds


def run_config(
    config: Config, data: Arwiki, workdir: Path, indexes: dict, out_dir: Path | None = None
) -> Row:
    """Index, run every question, score. ``out_dir`` (optional) receives the run file."""
    from bench.baselines import BaselineSearcher, build_index

    queries = [(q.id, q.text) for q in data.questions]
    if config.baseline:
        indexed = build_index(config.baseline, data.docs, str(workdir / config.name))
        searcher, index_seconds = BaselineSearcher(indexed), indexed.seconds
    else:
        try:
            searcher, index_seconds = _bahth_engine(config, data, workdir, indexes)
        except TypeError as error:  # a Ranking field this version does not have
            return Row(config, {}, 0.0, 0.0, 0, error=str(error))
    started = time.perf_counter()
    results = list(searcher.run_queries(queries, limit=100))
    query_seconds = time.perf_counter() - started
    searcher.close()
    run_file = None
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        run_file = out_dir / f"{config.name}.trec"
        run = write_run(run_file, results, tag=config.name)
    else:
        run = {qid: dict(hits) for qid, hits in results}
    metrics = evaluate(data.qrels, run, data.groups)
    return Row(config, metrics, index_seconds, query_seconds, len(queries), run_file)


def run_all(
    configs: Iterable[Config], data: Arwiki, out_dir: Path | None = None, progress: bool = False
) -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="bahth-arwiki-") as tmp:
        indexes: dict = {}
        for config in configs:
            if progress:
                print(f"... {config.name}", file=sys.stderr, flush=True)
            rows.append(run_config(config, data, Path(tmp), indexes, out_dir))
    return rows


def format_table(rows: list[Row]) -> str:
    """A Markdown table: overall figures, MRR@10 per split, and the time it took."""
    split_heads = " | ".join(f"MRR {s}" for s in SPLIT_COLUMNS)
    lines = [
        f"| configuration | MRR@10 | nDCG@10 | R@100 | {split_heads} | index s | ms/query |",
        "|---" * (6 + len(SPLIT_COLUMNS)) + "|",
    ]
    for row in rows:
        if row.error:
            lines.append(f"| {row.config.name} | skipped: {row.error} |")
            continue
        m = row.metrics
        splits = " | ".join(f"{m[s]['mrr@10']:.3f}" for s in SPLIT_COLUMNS)
        ms = 1000 * row.query_seconds / max(1, row.queries)
        index_s = f"{row.index_seconds:.1f}" if row.index_seconds else "(shared)"
        lines.append(
            f"| {row.config.name} | {m['all']['mrr@10']:.3f} | {m['all']['ndcg@10']:.3f} "
            f"| {m['all']['recall@100']:.3f} | {splits} | {index_s} | {ms:.1f} |"
        )
    return "\n".join(lines)


def format_sources(rows: list[Row]) -> str:
    """All three metrics per source, for bahth's default and the baselines."""
    lines = ["| configuration | source | MRR@10 | nDCG@10 | R@100 |", "|---|---|---|---|---|"]
    for row in rows:
        if row.error or not (row.config.baseline or row.config.name == "default"):
            continue
        for source in ("arcd", "xquad", "tydi"):
            m = row.metrics[source]
            lines.append(
                f"| {row.config.name} | {source} | {m['mrr@10']:.3f} | {m['ndcg@10']:.3f} "
                f"| {m['recall@100']:.3f} |"
            )
    return "\n".join(lines)


def format_query_kinds(rows: list[Row], data: Arwiki) -> str:
    """MRR@10 per kind of query (bench/kinds.py) for each row with a run file; a question is
    "variant" when the default configuration searched another spelling of one of its words."""
    from bahth.search.engine import SearchEngine
    from bahth.search.runs import read_run
    from bench.kinds import format_kinds, kind_groups

    queries = [(q.id, q.text) for q in data.questions]
    with tempfile.TemporaryDirectory(prefix="bahth-arwiki-kinds-") as tmp:
        engine = SearchEngine(Path(tmp) / "index")
        engine.add_documents(data.docs)
        groups = kind_groups(queries, lambda text: bool(engine.parse(text).variants))
        engine.close()
    results = {
        row.config.name: evaluate(data.qrels, read_run(row.run_file), groups)
        for row in rows
        if row.run_file is not None and not row.error
    }
    return format_kinds(results, groups)


def check_cli_run(data_dir: Path, out_dir: Path) -> str:
    """Index with the CLI's engine and compare ``bahth search --queries --run`` with the
    library's run for the default configuration: same documents, same order, same scores."""
    import subprocess

    from bahth.search.runs import read_run

    library = read_run(out_dir / "default.trec")
    cli_run = out_dir / "default-cli.trec"
    with tempfile.TemporaryDirectory(prefix="bahth-arwiki-cli-") as tmp:
        from bahth.search.engine import SearchEngine

        SearchEngine(Path(tmp) / "index").add_documents(load(data_dir).docs)
        bahth = Path(sys.executable).with_name("bahth")
        subprocess.run(
            [
                str(bahth),
                "search",
                "--index",
                str(Path(tmp) / "index"),
                "--queries",
                str(data_dir / "queries.jsonl"),
                "--run",
                str(cli_run),
                "--limit",
                "100",
            ],
            check=True,
            capture_output=True,
        )
    cli = read_run(cli_run)

    # Both files are written by bahth.search.runs.write_run, so scores are compared exactly.
    # The two indexes were built apart (documents reach the worker processes in any order),
    # so documents with equal scores may have other docnums, and a tie at rank 100 may keep
    # either: compare the score at each rank, and the score of every document in both.
    def scores(run: dict, qid: str) -> list[float]:
        return sorted(run.get(qid, {}).values(), reverse=True)

    differs = [qid for qid in set(library) | set(cli) if scores(library, qid) != scores(cli, qid)]
    differs += [
        qid
        for qid in library
        if any(cli.get(qid, {}).get(doc, score) != score for doc, score in library[qid].items())
    ]
    return (
        f"bahth search --queries/--run vs SearchEngine.run_queries: {len(cli)} vs {len(library)} "
        f"queries, {len(set(differs))} differ (beyond the order of ties): "
        f"{'SAME' if not differs else 'DIFFERENT'}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="arwiki data folder")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="run files and results.json")
    parser.add_argument("--only", nargs="*", help="configuration names to run (default: all)")
    parser.add_argument(
        "--check-cli",
        action="store_true",
        help="also check that `bahth search --queries --run` gives the same run",
    )
    args = parser.parse_args(argv)
    if not (args.data / "docs.jsonl").exists():
        print(f"no arwiki data in {args.data} (expected docs.jsonl there)", file=sys.stderr)
        return 2
    configs = [c for c in CONFIGS if not args.only or c.name in args.only]
    if not configs:
        names = ", ".join(c.name for c in CONFIGS)
        print(f"no configuration named {args.only}: use {names}", file=sys.stderr)
        return 2
    data = load(args.data)
    rows = run_all(configs, data, args.out, progress=True)
    print(
        f"\narwiki: {len(data.docs)} paragraphs, {len(data.questions)} questions, top 100, "
        "qrels.txt; MRR per split (tuning = ARCD train + XQuAD; held-out = ARCD test + TyDi)\n"
    )
    print(format_table(rows))
    print()
    print(format_sources(rows))
    print()
    print(format_query_kinds(rows, data))
    summary = {
        row.config.name: {
            "metrics": row.metrics,
            "index_seconds": row.index_seconds,
            "query_seconds": row.query_seconds,
            "error": row.error,
        }
        for row in rows
    }
    (args.out / "results.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    if args.check_cli and any(r.config.name == "default" and not r.error for r in rows):
        print()
        print(check_cli_run(args.data, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
