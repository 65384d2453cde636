"""The Sphinx/Manticore backend beside the Whoosh backend, in one run, on local searchd nodes.

    .venv/bin/python -m bench.sphinx_backend --arwiki      # quality: MRR@10, 1 and 2 shards
    .venv/bin/python -m bench.sphinx_backend --news        # SaudiNewsNet: indexing, latency

--arwiki indexes the 1,542 paragraphs into a Whoosh folder and into clusters of 1 and 2
nodes (one shard each), runs the 3,506 questions (top 100) on each and scores them; it also
measures what a shard's own statistics would do: the share of queries whose top 10 by
Sphinx's own ranking (bm25, each shard's idf) differs between 1 and 2 shards, against
bahth's scores, which use the cluster's idf. With ``--candidates N`` bahth scores only the
engine's N best matches of each query (the backend URL's option; 1000 by default): how well
the engine's own ranking chooses them.

--news indexes SaudiNewsNet's 31,030 articles (text only, as bench/news.py does) into each
backend, timing it (docs/s), then times title queries and 1-3 word queries (top 100, the
batch path) and a page of 10 with snippets and facets (``search()``): p50/p95 ms, warm.
It reads the corpus from ../shared (it may not be copied into the project).

Nodes are started in a temporary folder and stopped at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.evaluate import evaluate
from bench.known_item import bahth_documents, known_item_qrels, known_items, read_articles
from bench.news import DEFAULT_DATA, percentiles, short_queries, timed


class Nodes:
    """A local cluster of ``count`` nodes, started now and stopped by ``stop()``."""

    def __init__(self, folder: Path, count: int) -> None:
        from bahth.index.sphinx.cluster import init_cluster, start_nodes

        self.cluster = init_cluster(folder, nodes=count)
        self.url = self.cluster.url
        start_nodes(self.cluster)

    def stop(self) -> None:
        from bahth.index.sphinx.cluster import stop_nodes

        stop_nodes(self.cluster)

    def memory_mb(self) -> list[float]:
        """Each node's resident memory (searchd), MB."""
        from bahth.index.sphinx.cluster import cluster_status

        sizes = []
        for state in cluster_status(self.cluster):
            try:
                status = Path(f"/proc/{state.pid}/status").read_text()
                kb = next(int(line.split()[1]) for line in status.splitlines() if "VmRSS" in line)
                sizes.append(kb / 1024)
            except (OSError, StopIteration, TypeError):
                sizes.append(float("nan"))
        return sizes

    def disk_mb(self) -> float:
        return (
            sum(f.stat().st_size for f in Path(self.cluster.folder).rglob("*") if f.is_file()) / 1e6
        )

    def table_mb(self) -> tuple[float, float]:
        """(RAM, disk) MB of every real-time table of the cluster, as searchd reports them
        (SHOW INDEX STATUS) after FLUSH RTINDEX wrote each RAM chunk out (and let the
        binlog go): what the documents themselves cost, for the projection to more."""
        from bahth.index.sphinx.nodes import ClusterUrl, Connections

        connections = Connections(ClusterUrl.parse(self.url))
        ram = disk = 0
        for node in connections.url.nodes:
            for name, kind in connections.query(node, "SHOW TABLES"):
                if kind != "rt":
                    continue
                connections.query(node, f"FLUSH RTINDEX {name}")
                status = dict(connections.query(node, f"SHOW INDEX {name} STATUS"))
                ram += int(status.get("ram_bytes", 0))
                disk += int(status.get("disk_bytes", 0))
        return ram / 1e6, disk / 1e6


def backends(
    workdir: Path, shards: tuple[int, ...], candidates: int | None = None
) -> tuple[dict[str, str | Path], list[Nodes]]:
    """{name: location}: a Whoosh folder and one cluster per shard count (``candidates``:
    how many of the engine's matches bahth scores, the URL's option)."""
    locations: dict[str, str | Path] = {"whoosh": workdir / "index"}
    clusters = []
    option = f"?candidates={candidates}" if candidates else ""
    for count in shards:
        nodes = Nodes(workdir / f"cluster-{count}", count)
        clusters.append(nodes)
        locations[f"sphinx-{count}"] = nodes.url + option
    return locations, clusters


def arwiki(workdir: Path, candidates: int | None) -> None:
    from bahth.search.engine import SearchEngine
    from bench.arwiki_data import load

    data = load()
    queries = [(q.id, q.text) for q in data.questions]
    locations, clusters = backends(workdir, (1, 2), candidates)
    try:
        runs, tops = {}, {}
        for name, location in locations.items():
            engine = SearchEngine(location)
            started = time.perf_counter()
            engine.add_documents(data.docs)
            indexed = time.perf_counter() - started
            started = time.perf_counter()
            results = list(engine.run_queries(queries, limit=100))
            took = time.perf_counter() - started
            runs[name] = {qid: dict(hits) for qid, hits in results}
            tops[name] = {qid: [d for d, _ in hits[:10]] for qid, hits in results}
            mrr = evaluate(data.qrels, runs[name])["all"]["mrr@10"]
            print(
                f"{name:10} MRR@10 {mrr:.4f}  indexed in {indexed:.1f} s, "
                f"{len(queries)} queries in {took:.1f} s",
                flush=True,
            )
        for name in ("sphinx-1", "sphinx-2"):
            same = sum(tops[name][q] == tops["whoosh"][q] for q, _ in queries)
            print(f"{name}: top 10 identical to Whoosh's for {same} of {len(queries)} queries")
        native = [own_ranking(nodes, queries) for nodes in clusters]
        differ = sum(native[0][q] != native[1][q] for q, _ in queries)
        print(
            f"Sphinx's own ranking (bm25, each shard's idf): the top 10 differs between 1 and "
            f"2 shards for {differ} of {len(queries)} queries; bahth's: for "
            f"{sum(tops['sphinx-1'][q] != tops['sphinx-2'][q] for q, _ in queries)}"
        )
    finally:
        for nodes in clusters:
            nodes.stop()


def own_ranking(nodes: Nodes, queries: list[tuple[str, str]]) -> dict[str, list[int]]:
    """Each query's top 10 by the engine's own ranking over the same terms bahth sends."""
    from bahth.index.sphinx.query import NothingMatches, plan
    from bahth.index.sphinx.selection import CANDIDATE_RANKER
    from bahth.search.engine import SearchEngine

    engine = SearchEngine(nodes.url)
    searcher = engine._reader()
    builder = engine._builder(searcher)
    tops = {}
    for qid, text in queries:
        parsed = builder.parse(text)
        try:
            match = " | ".join(plan(parsed.query).tokens) if parsed.query is not None else ""
        except NothingMatches:
            match = ""
        if not match:
            tops[qid] = []
            continue
        (rows,) = searcher.run(
            [
                (
                    f"SELECT id FROM {searcher.table} WHERE MATCH(%s) ORDER BY WEIGHT() DESC, "
                    f"id ASC LIMIT 10 OPTION {CANDIDATE_RANKER}",
                    (match,),
                )
            ]
        )[0]
        tops[qid] = [row[0] for row in rows]
    return tops


def news(workdir: Path, data: Path, titles: int, limit_docs: int | None) -> None:
    from bahth.search.engine import SearchEngine

    articles = read_articles(data)
    if limit_docs:
        articles = articles[:limit_docs]
    items = known_items(articles, n=titles)
    qrels = known_item_qrels(articles, items)
    title_queries = [(item.qid, item.title) for item in items]
    shorts = [(f"short-{n:03d}", q) for n, q in enumerate(short_queries(articles))]
    pages = [q for _, q in title_queries[:200]] + [q for _, q in shorts[:100]]
    random.Random(42).shuffle(pages)
    locations, clusters = backends(workdir, (1, 2))
    rows, sizes = [], []
    try:
        for name, location in locations.items():
            engine = SearchEngine(location)
            started = time.perf_counter()
            report = engine.add_documents(bahth_documents(articles, with_title=False))
            seconds = time.perf_counter() - started
            run = {qid: dict(hits) for qid, hits in engine.run_queries(title_queries, limit=100)}
            mrr = evaluate(qrels, run)["all"]["mrr@10"]  # (this pass warms the title queries)
            titles_ms = percentiles(timed(engine.run_queries(title_queries, limit=100))[1])
            list(engine.run_queries(shorts, limit=100))
            shorts_ms = percentiles(timed(engine.run_queries(shorts, limit=100))[1])
            for q in pages:
                engine.search(q)
            page_ms = percentiles(timed(iter(engine.search(q) for q in pages))[1])
            nodes = next((c for c in clusters if str(location).startswith(c.url)), None)
            memory = " + ".join(f"{m:.0f}" for m in nodes.memory_mb()) if nodes else "-"
            disk = nodes.disk_mb() if nodes else engine.stats()["size_bytes"] / 1e6
            rows.append(
                (name, report.processed / seconds, mrr, titles_ms, shorts_ms, page_ms, memory, disk)
            )
            if nodes:
                ram_mb, disk_mb = nodes.table_mb()
                after = " + ".join(f"{m:.0f}" for m in nodes.memory_mb())
                per_doc = (ram_mb + disk_mb) * 1e6 / len(articles)
                sizes.append(
                    f"{name}: tables {ram_mb:.1f} MB in RAM chunks + {disk_mb:.1f} MB on disk "
                    f"after FLUSH RTINDEX ({per_doc:,.0f} bytes a document); searchd RSS after "
                    f"it {after} MB"
                )
            print(f"{name} done", flush=True)
    finally:
        for nodes in clusters:
            nodes.stop()
    print(
        f"\n{len(articles):,} articles; {len(title_queries)} title queries, {len(shorts)} "
        f"short ones (top 100, warm); {len(pages)} pages of 10 with snippets and facets"
    )
    print(
        f"{'backend':10} {'docs/s':>7} {'MRR@10':>7} {'titles p50/p95':>15} "
        f"{'short p50/p95':>14} {'page p50/p95':>14} {'searchd RSS MB':>15} {'disk MB':>8}"
    )
    for name, rate, mrr, t, s, p, memory, disk in rows:
        print(
            f"{name:10} {rate:7.0f} {mrr:7.3f} {t[0]:7.1f} /{t[1]:6.1f} {s[0]:6.1f} /{s[1]:6.1f} "
            f"{p[0]:6.1f} /{p[1]:6.1f} {memory:>15} {disk:8.1f}"
        )
    print("\n".join(["", *sizes]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--arwiki", action="store_true")
    parser.add_argument("--news", action="store_true")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="docs.jsonl.gz")
    parser.add_argument("--titles", type=int, default=1000, help="title queries timed")
    parser.add_argument("--limit-docs", type=int, help="index only the first N articles")
    parser.add_argument(
        "--candidates", type=int, help="arwiki: matches bahth scores itself (default 1000)"
    )
    args = parser.parse_args(argv)
    if shutil.which("searchd") is None:
        print("searchd not found: apt-get install sphinxsearch (make sphinx)", file=sys.stderr)
        return 2
    if args.news and not args.data.exists():
        print(f"SaudiNewsNet not found at {args.data}: pass --data PATH", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bahth-sphinx-bench-") as tmp:
        if args.arwiki:
            arwiki(Path(tmp) / "arwiki", args.candidates)
        if args.news:
            news(Path(tmp) / "news", args.data, args.titles, args.limit_docs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
