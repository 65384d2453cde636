"""The Sphinx/Manticore backend on real searchd nodes on 127.0.0.1 (Debian's sphinxsearch):
the same answers as the Whoosh backend, writes routed to shards, incremental runs, a
rebuild no search notices, a node that stops and comes back.

Under CI a missing searchd is a failure, not a skip (.ci/run installs it)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from bahth.index.errors import BackendUnavailable
from bahth.index.sphinx.cluster import Cluster, init_cluster, start_nodes, stop_nodes
from bahth.search.engine import SearchEngine
from tests.conftest import SEEDS, generated_news, hostile_document, odd_id_documents

# Outlets that spell a name each their own way (search/variants.py finds the other spelling).
VARIANT_NEWS = [
    {"id": "v1", "title": "ترامب يزور الرياض", "text": "وصل الرئيس ترامب إلى الرياض في زيارة."},
    {"id": "v2", "title": "ترمب في الخليج", "text": "قال ترمب إن الزيارة ناجحة وإن غوغل ستستثمر."},
    {"id": "v3", "title": "جوجل تفتح مكتبا", "text": "أعلنت شركة جوجل افتتاح مكتب جديد في الرياض."},
]
CORPUS = [*generated_news(), hostile_document(), *odd_id_documents(), *VARIANT_NEWS]
QUERIES = [
    "تمارة",
    "الحموشي واشنطن",
    "مكافحة الإرهاب",
    '"الشراكة الأمنية"',
    '+"مكافحة الإرهاب" الرباط',
    "الأمري*",
    "بومبيوو~",
    "title:حموشي",
    "source:le360 الإرهاب",
    "year:2021",
    "date:2020-01..2022-12 الأمن",
    "الرباط +صباحا",
    "المغرب -الرباط",
    "المغرب AND (واشنطن OR تمارة) NOT الإرهاب",
    "من هم؟",
    "FBI",
    "alfa",
    "الأمن الوطني",
    "كلمةلاتوجد",
    "الارهاب في المغرب والتعاون الامني مع الولايات المتحدة",
    "ترامب",
    "زيارة ترمب",
    "غوغل",
]
VARIANT_QUERIES = ["ترامب", "زيارة ترمب", "غوغل"]
# Words in the other script (search/scripts.py), one a mechanism: (query, how it is read)
CROSS_SCRIPT_QUERIES = [
    pytest.param("hglyvf ,hak'k", "keyboard", id="arabic-typed-on-the-latin-layout"),
    pytest.param("ةخلاهمث", "keyboard", id="mobile-typed-on-the-arabic-layout"),
    pytest.param("lmghrib", "latin", id="darija-in-latin-letters"),
    pytest.param("Pompeo", "latin", id="a-name-in-latin-letters"),
]


def need_searchd() -> None:
    if shutil.which("searchd") is None:
        message = "searchd is not installed (apt-get install sphinxsearch; .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


class LocalCluster:
    """A cluster of real searchd processes in a temporary folder, stopped at the end."""

    def __init__(self, folder: Path, nodes: int = 2) -> None:
        need_searchd()
        self.cluster = init_cluster(folder, nodes=nodes)
        self.folder = folder
        self.url = self.cluster.url
        start_nodes(self.cluster)

    def stop(self, number: int | None = None) -> None:
        stop_nodes(self.cluster, number)

    def start(self, number: int | None = None) -> None:
        start_nodes(self.cluster, number)


@pytest.fixture(scope="module")
def twin(tmp_path_factory) -> Iterator[tuple[SearchEngine, SearchEngine, LocalCluster]]:
    """The same documents in a Whoosh folder and in a two-node cluster: (whoosh, sphinx)."""
    root = tmp_path_factory.mktemp("twin")
    local = LocalCluster(root / "cluster")
    try:
        whoosh, sphinx = SearchEngine(root / "index"), SearchEngine(local.url)
        for engine in (whoosh, sphinx):
            engine.index_paths([SEEDS])
            report = engine.add_documents(CORPUS)
            assert report.added == len(CORPUS), report.failures
        yield whoosh, sphinx, local
    finally:
        local.stop()


@pytest.fixture
def cluster(tmp_path) -> Iterator[LocalCluster]:
    local = LocalCluster(tmp_path / "cluster")
    try:
        yield local
    finally:
        local.stop()


def page_of(engine: SearchEngine, q: str, **options) -> dict:
    page = engine.search(q, **options).to_dict()
    page.pop("took_ms")
    return page


def assert_same_page(whoosh: dict, sphinx: dict) -> None:
    assert sphinx["partial"] is False
    for hit_w, hit_s in zip(whoosh["hits"], sphinx["hits"], strict=True):
        assert hit_s["score"] == pytest.approx(hit_w["score"], rel=1e-6, abs=1e-4)
        hit_s["score"] = hit_w["score"]
    assert sphinx == whoosh


@pytest.mark.parametrize("q", QUERIES)
def test_same_hits_marks_order_facets_as_whoosh(twin, q: str) -> None:
    whoosh, sphinx, _ = twin
    assert_same_page(page_of(whoosh, q), page_of(sphinx, q))


@pytest.mark.parametrize("q", VARIANT_QUERIES)
def test_other_spellings_of_a_name_are_found_as_over_whoosh(twin, q: str) -> None:
    """Both backends find the same other spellings (the co-occurrence guard asks each its own
    way), so the pages above agree on them too."""
    whoosh, sphinx, _ = twin
    found = whoosh.parse(q).variants
    assert found, "the corpus has another spelling of this name"
    assert sphinx.parse(q).variants == found


@pytest.mark.parametrize(("q", "how"), CROSS_SCRIPT_QUERIES)
def test_words_in_the_other_script_are_read_as_over_whoosh(twin, q: str, how: str) -> None:
    """The query side is shared: both stores read the word alike, and give the same page."""
    whoosh, sphinx, _ = twin
    page = page_of(whoosh, q)
    assert page["total"] and {entry["script"] for entry in page["read_as"]} == {how}
    assert_same_page(page, page_of(sphinx, q))


@pytest.mark.parametrize(
    "options",
    [
        {"page": 2, "per_page": 5},
        {"filters": {"source": "هسبريس"}},
        {"filters": {"year": "2023"}},
        {"sort": "date", "filters": {"year": "2022"}},
        {"page": 99},
    ],
)
def test_pages_filters_and_date_order_as_whoosh(twin, options: dict) -> None:
    whoosh, sphinx, _ = twin
    pages = page_of(whoosh, "الإرهاب", **options), page_of(sphinx, "الإرهاب", **options)
    if options.get("sort") == "date":  # the score shown is each engine's own sort key
        for page in pages:
            for hit in page["hits"]:
                hit["score"] = 0.0
    assert_same_page(*pages)


def test_batch_runs_documents_and_suggestions_as_whoosh(twin) -> None:
    whoosh, sphinx, _ = twin
    queries = [(str(n), q) for n, q in enumerate(QUERIES)]
    for (qid_w, hits_w), (qid_s, hits_s) in zip(
        whoosh.run_queries(queries, limit=20), sphinx.run_queries(queries, limit=20), strict=True
    ):
        assert qid_w == qid_s and [d for d, _ in hits_s] == [d for d, _ in hits_w], qid_w
        assert [s for _, s in hits_s] == pytest.approx([s for _, s in hits_w], rel=1e-6)
    for doc in CORPUS[-5:] + [{"id": "002_39da6044441d80c9"}]:
        assert sphinx.document(doc["id"], q="تمارة الأمن") == whoosh.document(
            doc["id"], q="تمارة الأمن"
        ), doc["id"]
    assert sphinx.document("no-such-id") is None
    for prefix in ("الحمو", "مكا", "ال", "FB"):
        assert sphinx.suggest(prefix) == whoosh.suggest(prefix)


def test_the_cli_over_the_backend_prints_what_it_prints_over_a_folder(twin, tmp_path) -> None:
    whoosh, sphinx, local = twin

    def bahth(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bahth", *args], capture_output=True, text=True, timeout=120
        )

    pages = []
    for where in (["--index", str(whoosh.store.path)], ["--backend", local.url]):
        done = bahth("search", "تمارة", *where, "--json")
        assert done.returncode == 0, done.stderr
        page = json.loads(done.stdout)
        page.pop("took_ms")
        pages.append(page)
    assert_same_page(*pages)
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        "".join(json.dumps({"id": str(n), "text": q}) + "\n" for n, q in enumerate(QUERIES)),
        encoding="utf-8",
    )
    runs = []
    for where in (["--index", str(whoosh.store.path)], ["--backend", local.url]):
        out = tmp_path / f"run{len(runs)}.trec"
        done = bahth("search", "--queries", str(queries), "--run", str(out), *where)
        assert done.returncode == 0, done.stderr
        runs.append([line.split()[:4] for line in out.read_text().splitlines()])
    assert runs[0] == runs[1] and runs[0]
    done = bahth("stats", "--backend", local.url, "--json")
    stats = json.loads(done.stdout)
    assert stats["documents"] == whoosh.stats()["documents"] and stats["shards"] == 2


def test_ranking_does_not_depend_on_the_shard_a_document_is_in(twin, tmp_path) -> None:
    """One shard or two: the same scores, because idf and lengths are the cluster's."""
    whoosh, sphinx, _ = twin
    single = LocalCluster(tmp_path / "one", nodes=1)
    try:
        one = SearchEngine(single.url)
        one.index_paths([SEEDS])
        one.add_documents(CORPUS)
        for q in QUERIES:
            assert_same_page(page_of(one, q), page_of(sphinx, q))
    finally:
        single.stop()


def test_past_the_candidates_the_engine_still_picks_the_best_documents(cluster, tmp_path) -> None:
    """A query matching more documents than bahth scores itself (?candidates=10): the
    engine's own ranking chooses which, and the best ones must be among them. (Its ranking
    was an expression whose whole-number WEIGHT() was 0 everywhere: the candidates were
    whichever documents it met first.)"""
    filler = [
        {"id": f"f{n:02d}", "title": f"نشرة رقم {n}", "text": f"خبر قصير عن السوق والطقس {n}"}
        for n in range(40)
    ]
    strong = [
        {
            "id": f"s{n}",
            "title": "السوق والطقس" + " السوق" * n,
            "text": " ".join(["السوق والطقس اليوم"] * (3 + n)),
        }
        for n in range(3)
    ]
    whoosh, sphinx = SearchEngine(tmp_path / "index"), SearchEngine(f"{cluster.url}?candidates=10")
    for engine in (whoosh, sphinx):
        engine.add_documents(filler + strong)
    for q in ("السوق", "السوق الطقس"):
        expected, got = whoosh.search(q, per_page=3), sphinx.search(q, per_page=3)
        assert got.total == expected.total > 10
        assert [h.id for h in got.hits] == [h.id for h in expected.hits]
        assert {h.id for h in got.hits} == {"s0", "s1", "s2"}


def test_incremental_runs_prune_and_delete(cluster, tmp_path) -> None:
    folder = tmp_path / "docs"
    shutil.copytree(SEEDS, folder)
    engine = SearchEngine(cluster.url)
    first = engine.index_paths([folder])
    assert (first.added, first.unchanged) == (5, 0)
    again = engine.index_paths([folder])
    assert (again.added, again.updated, again.unchanged) == (0, 0, 5)
    changed = folder / "000_0777507a1eab11fb.txt"
    changed.write_text("عنوان جديد\nنص عن مدينة شفشاون الزرقاء", encoding="utf-8")
    (folder / "001_3218f45c55fa32cc.txt").unlink()
    report = engine.index_paths([folder], prune=True)
    assert (report.updated, report.deleted, report.unchanged) == (1, 1, 3)
    assert [h.id for h in engine.search("شفشاون").hits] == ["000_0777507a1eab11fb"]
    assert engine.stats()["documents"] == 4
    assert engine.delete("002_39da6044441d80c9") is True
    assert engine.delete("002_39da6044441d80c9") is False
    assert engine.stats()["documents"] == 3


def test_a_rebuild_switches_over_without_a_failed_search(cluster, tmp_path) -> None:
    engine = SearchEngine(cluster.url)
    engine.index_paths([SEEDS])
    old_total = engine.search("مكافحة الإرهاب").total_documents  # (100 copies: one story)
    source = tmp_path / "news.jsonl"
    news = [dict(item, id=f"n{n}-{item['id']}") for n in range(100) for item in generated_news()]
    source.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in news), "utf-8")
    before = engine.store.generation()
    seen, errors, done, first = [], [], threading.Event(), threading.Event()

    def search_all_along() -> None:
        reader = SearchEngine(cluster.url)
        while not done.is_set():
            try:
                seen.append(reader.search("مكافحة الإرهاب").total_documents)
            except Exception as error:  # noqa: BLE001 - any failure is what the test looks for
                errors.append(error)
            first.set()

    thread = threading.Thread(target=search_all_along)
    thread.start()
    try:
        first.wait(30)
        report = engine.index_paths([source], rebuild=True)
        new_total = engine.search("مكافحة الإرهاب").total_documents
        seen_after = len(seen)
        while len(seen) < seen_after + 2 and thread.is_alive():
            threading.Event().wait(0.05)  # the searcher sees the switch too
    finally:
        done.set()
        thread.join()
    assert report.added == len(news) and not errors
    assert new_total == len(news) and old_total == 5
    assert seen.count(old_total) >= 3, seen  # it searched the old index during the rebuild
    assert set(seen) == {old_total, new_total}  # and never a half-built one
    assert engine.store.generation().split(":")[0] != before.split(":")[0]


def test_a_node_down_gives_partial_results_then_full_ones_again(cluster, tmp_path) -> None:
    engine = SearchEngine(cluster.url)
    engine.index_paths([SEEDS])
    engine.add_documents(generated_news(30))
    full = engine.search("مكافحة الإرهاب", per_page=50)
    assert not full.partial
    cluster.stop(2)
    partial = engine.search("مكافحة الإرهاب", per_page=50)
    assert partial.partial and "node 2" in partial.warning
    assert 0 < partial.total < full.total
    assert {h.id for h in partial.hits} < {h.id for h in full.hits}
    done = subprocess.run(
        [sys.executable, "-m", "bahth", "search", "الإرهاب", "--backend", cluster.url, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    answer = json.loads(done.stdout)
    assert done.returncode == 0 and answer["partial"] is True and "node 2" in answer["warning"]
    with pytest.raises(BackendUnavailable, match="node 2"):
        engine.add_documents([{"id": "new", "title": "جديد", "text": "نص"}])
    written = subprocess.run(
        [sys.executable, "-m", "bahth", "index", str(SEEDS), "--backend", cluster.url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert written.returncode == 1 and "node 2" in written.stderr
    assert "Traceback" not in written.stderr
    cluster.start(2)
    back = engine.search("مكافحة الإرهاب", per_page=50)
    assert not back.partial and back.total == full.total
    assert [h.id for h in back.hits] == [h.id for h in full.hits]


def test_a_document_on_a_node_that_is_down_is_unavailable_not_missing(cluster) -> None:
    """With node 2 down, a document it holds (and any id, which might be there) is a 503
    naming the node, not a 404 saying the document is gone for good; one node 1 holds is
    still served; a story with a member on node 2 is not shown without it."""
    from bahth.web import create_app

    engine = SearchEngine(cluster.url)
    engine.add_documents(generated_news(20))
    full = engine.search("مكافحة الإرهاب", per_page=50, collapse=False).hits
    stories = {h.story_id for h in engine.search("مكافحة الإرهاب", per_page=50).hits}
    before = create_app({"BAHTH_INDEX": cluster.url}).test_client()
    assert all(before.get(f"/api/doc/{h.id}").status_code == 200 for h in full)
    assert before.get("/api/doc/no-such-document").status_code == 404
    cluster.stop(2)
    client = create_app({"BAHTH_INDEX": cluster.url}).test_client()  # nothing read yet
    there = {h.id for h in engine.search("مكافحة الإرهاب", per_page=50, collapse=False).hits}
    away = sorted({h.id for h in full} - there)
    assert away and there
    for doc_id in (away[0], "no-such-document"):
        answer = client.get(f"/api/doc/{doc_id}")
        assert answer.status_code == 503, doc_id
        assert answer.get_json()["code"] == "backend_unavailable"
        assert "node 2" in answer.get_json()["detail"]
    assert client.get(f"/api/doc/{sorted(there)[0]}").status_code == 200
    assert client.get(f"/doc/{away[0]}").status_code == 503
    for story in stories:
        assert client.get(f"/api/story/{story}").status_code == 503
    with pytest.raises(BackendUnavailable, match="node 2"):
        engine.story_view(sorted(stories)[0])


def test_no_node_answering_is_a_clear_error(cluster) -> None:
    engine = SearchEngine(cluster.url)
    engine.index_paths([SEEDS])
    cluster.stop()
    with pytest.raises(BackendUnavailable, match="node 1 .* node 2"):
        engine.search("تمارة")
    from bahth.web import create_app

    client = create_app({"BAHTH_INDEX": cluster.url}).test_client()
    answer = client.get("/api/search?q=تمارة")
    assert answer.status_code == 503 and "node 1" in answer.get_json()["detail"]
    assert answer.get_json()["code"] == "backend_unavailable"


def test_the_page_says_when_results_are_partial(cluster) -> None:
    from bahth.web import create_app

    SearchEngine(cluster.url).add_documents(generated_news(20))
    client = create_app({"BAHTH_INDEX": cluster.url}).test_client()
    assert "نتائج جزئية" not in client.get("/search?q=الإرهاب").get_data(as_text=True)
    whole = client.get("/healthz")
    assert whole.status_code == 200 and whole.get_json()["status"] == "ok"
    assert [node["up"] for node in whole.get_json()["nodes"]] == [True, True]
    cluster.stop(1)
    page = client.get("/search?q=الإرهاب")
    assert page.status_code == 200 and "نتائج جزئية" in page.get_data(as_text=True)
    assert client.get("/api/search?q=الإرهاب").get_json()["partial"] is True
    health = SearchEngine(cluster.url).health()
    assert [node["up"] for node in health["nodes"]] == [False, True] and not health["ok"]
    half = client.get("/healthz")  # still serving, without node 1's documents
    assert half.status_code == 200 and half.get_json()["status"] == "partial"
    assert [(n["node"].split()[1], n["up"]) for n in half.get_json()["nodes"]] == [
        ("1", False),
        ("2", True),
    ]
    cluster.stop(2)
    none = client.get("/healthz")
    assert none.status_code == 503 and none.get_json()["code"] == "backend_unavailable"


def test_cluster_commands(tmp_path) -> None:
    need_searchd()
    folder = tmp_path / "c"

    def bahth(*args: str, env=None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bahth", "cluster", *args],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )

    made = bahth("init", str(folder), "--nodes", "2")
    assert made.returncode == 0 and made.stdout.strip() == Cluster.load(folder).url
    try:
        assert bahth("status", str(folder)).returncode == 1  # not started yet
        started = bahth("start", str(folder))
        assert started.returncode == 0 and started.stdout.count(": up") == 2
        assert bahth("stop", str(folder), "--node", "2").returncode == 0
        status = bahth("status", str(folder))
        assert status.returncode == 1 and "node 2" in status.stdout and "down" in status.stdout
        assert bahth("start", str(folder), "--node", "2").returncode == 0
        assert bahth("status", str(folder)).returncode == 0
        assert "nodes 1 to 2" in bahth("stop", str(folder), "--node", "3").stderr
    finally:
        bahth("stop", str(folder))
    empty = tmp_path / "bin"
    empty.mkdir()
    no_searchd = bahth("start", str(folder), env={**os.environ, "PATH": str(empty)})
    assert no_searchd.returncode == 2 and "searchd was not found on PATH" in no_searchd.stderr
    assert "Traceback" not in no_searchd.stderr


# Short words sharing their first letter: each ~2 word reads the dictionary from that letter.
FUZZY_WORDS = ["امن", "اجل", "اكد", "اخر", "اساس", "امام", "اعلن", "انه"]


def round_trips(monkeypatch, engine: SearchEngine) -> Counter:
    """Round trips from ``engine`` to the cluster's nodes from now on, by what they were for."""
    counted: Counter = Counter()
    connections = type(engine.store.connections)
    run = connections.run

    def counting(self, node, statements, doing):
        counted[doing] += 1
        return run(self, node, statements, doing)

    monkeypatch.setattr(connections, "run", counting)
    return counted


def test_fuzzy_words_on_a_cluster_read_what_a_folder_reads(twin, monkeypatch) -> None:
    """40 word~2 on 2,000 documents took 1.8-3.5 s on a cluster, 0.27 s on a folder: each
    word listed the dictionary from its first letters again (a round trip a page) and asked
    the frequencies of every word listed (another). The budget is the folder's, counted the
    same, and the dictionary is read once per first letters and field."""
    whoosh, sphinx, _ = twin
    q = " ".join(f"{word}~2" for word in FUZZY_WORDS)
    sphinx.parse("الأمن")  # the searcher opened, its collection counted
    trips = round_trips(monkeypatch, sphinx)
    budget, folder = sphinx.parse(q).expansion, whoosh.parse(q).expansion
    same = (budget.terms, budget.expansions, budget.cut)
    assert same == (folder.terms, folder.expansions, folder.cut)
    assert 0 < budget.examined <= folder.examined, "a folder's word in two segments is two"
    assert budget.terms > len(FUZZY_WORDS), "the words found their neighbours"
    assert trips["reading the dictionary"] == 2, "one listing of ا per exact field"
    assert trips["counting words"] == 0, "the close words fit the query: no ranking needed"
    assert sphinx.search(q).total == whoosh.search(q).total


def test_a_cluster_counts_many_words_in_a_round_trip_per_node(twin, monkeypatch) -> None:
    """The document frequencies of words (to rank a ~ word's neighbours, name variants) are
    the shards' own counts, asked of each node at once: as many round trips as nodes, and
    the numbers the engine's SHOW META gives."""
    _, sphinx, _ = twin
    searcher = sphinx._reader()
    words = ["الامن", "الرباط", "مكافحه", "كلمةلاتوجد", "fbi"]
    searcher.frequencies("text_exact", ["تمارة"])  # the shards' layout read
    trips = round_trips(monkeypatch, sphinx)
    counts = searcher.frequencies("text_exact", words)
    assert trips == Counter({"counting words": 2}), "one round trip per node"
    searcher._frequencies.clear()
    searcher._shard_tables = {}  # as when a node does not answer: the distributed table
    assert searcher.frequencies("text_exact", words) == counts
    assert counts["الامن"] > 0 and counts["كلمةلاتوجد"] == 0


def test_a_cluster_reading_the_dictionary_looks_at_the_deadline(twin, monkeypatch) -> None:
    from bahth.index import deadline
    from bahth.index.errors import SearchTimeout
    from bahth.index.sphinx.reader import ClusterReader as SphinxSearcher

    _, sphinx, _ = twin
    clock = {"now": 1000.0}
    monkeypatch.setattr(deadline, "now", lambda: clock["now"])
    sphinx.parse("الأمن")
    pages = []
    run = SphinxSearcher.run

    def slow_pages(self, statements, doing="searching"):
        if doing == "reading the dictionary":
            pages.append(1)
            clock["now"] += 60  # each page takes a minute
        return run(self, statements, doing)

    monkeypatch.setattr(SphinxSearcher, "run", slow_pages)
    with pytest.raises(SearchTimeout) as caught:
        sphinx.search("ارهاب~2 اعلان~2 امريكي~2", time_limit=2.0)
    assert caught.value.stage == deadline.EXPANDING
    assert len(pages) == 1, "stopped before the next page"
