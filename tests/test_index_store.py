"""IndexStore: incremental reindexing, prune, rebuild swap, version check, the write lock,
and the fast writer's index being the same as Whoosh's own."""

import json
import random
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
import whoosh.index
from whoosh.writing import SegmentWriter

from bahth.analyzers import AnalysisConfig, WordAnalysis
from bahth.index.errors import IndexMissing, IndexVersionMismatch, SourceError
from bahth.index.lock import WriteLock
from bahth.index.sources import Document
from bahth.index.whoosh import writer as fastwrite
from bahth.index.whoosh import writing as store_module
from bahth.index.whoosh.schema import build_schema
from bahth.index.whoosh.store import IndexStore
from bahth.index.whoosh.writing import document_fields

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def synthetic_docs(count: int, seed: int = 1, prefix: str = "syn") -> list[dict]:
    """``count`` Arabic documents made of the seeds' words (deterministic)."""
    words = " ".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))).split()
    rng = random.Random(seed)
    return [
        {
            "id": f"{prefix}-{n:05d}",
            "title": " ".join(rng.choices(words, k=8)),
            "text": " ".join(rng.choices(words, k=rng.randint(20, 120))),
            "source": rng.choice(["sabq", "okaz", "hespress"]),
            "date": f"2015-0{rng.randint(1, 9)}-1{rng.randint(0, 9)} 10:00:00",
        }
        for n in range(count)
    ]


@pytest.fixture()
def seeds_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    return folder


def counts(report) -> tuple[int, int, int, int, int]:
    return report.added, report.updated, report.unchanged, report.deleted, report.failed


def ids_in(store: IndexStore) -> list[str]:
    with store.open_index().searcher() as searcher:
        return sorted(fields["id"] for fields in searcher.all_stored_fields())


def test_reindexing_the_seeds(tmp_path, seeds_copy) -> None:
    store = IndexStore(tmp_path / "ix")
    assert counts(store.index_paths([seeds_copy])) == (5, 0, 0, 0, 0)
    assert counts(store.index_paths([seeds_copy])) == (0, 0, 5, 0, 0)

    first = sorted(seeds_copy.glob("*.txt"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nفقرة جديدة", encoding="utf-8")
    assert counts(store.index_paths([seeds_copy])) == (0, 1, 4, 0, 0)

    last = sorted(seeds_copy.glob("*.txt"))[-1]
    last.unlink()
    assert counts(store.index_paths([seeds_copy])) == (0, 0, 4, 0, 0), "no --prune: kept"
    assert len(ids_in(store)) == 5
    assert counts(store.index_paths([seeds_copy], prune=True)) == (0, 0, 4, 1, 0)
    assert ids_in(store) == sorted(p.stem for p in seeds_copy.glob("*.txt"))
    assert store.stats()["documents"] == 4


def test_updated_document_is_found_by_its_new_words_only(tmp_path, seeds_copy) -> None:
    from whoosh.query import Term

    store = IndexStore(tmp_path / "ix")
    store.index_paths([seeds_copy])
    doc = sorted(seeds_copy.glob("*.txt"))[0]
    doc.write_text("عنوان مختلف\nكلمةفريدةجدا", encoding="utf-8")
    store.index_paths([seeds_copy])
    with store.open_index().searcher() as searcher:
        assert [h["id"] for h in searcher.search(Term("text_exact", "كلمهفريدهجدا"))] == [doc.stem]
        assert searcher.doc_count() == 5


def test_prune_drops_ids_gone_from_a_file_read_cleanly(tmp_path: Path) -> None:
    data = tmp_path / "news.jsonl"
    rows = synthetic_docs(4)
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    store = IndexStore(tmp_path / "ix")
    store.index_paths([data])
    data.write_text("".join(json.dumps(r) + "\n" for r in rows[1:]), encoding="utf-8")
    assert counts(store.index_paths([data], prune=True)) == (0, 0, 3, 1, 0)
    # a file with a broken line is not read cleanly: nothing of it is pruned
    data.write_text(json.dumps(rows[1]) + "\n{broken\n", encoding="utf-8")
    assert counts(store.index_paths([data], prune=True)) == (0, 0, 1, 0, 1)
    assert len(ids_in(store)) == 3
    # nor is a CSV file with a quote never closed (it took every row after it, and --prune
    # deleted their documents)
    table = tmp_path / "news.csv"
    table.write_text("id,title,text\n" + "".join(f"c{n},عنوان,نص {n}\n" for n in range(5)))
    assert counts(store.index_paths([table])) == (5, 0, 0, 0, 0)
    table.write_text(table.read_text().replace("c1,عنوان,", 'c1,عنوان,"'))
    assert counts(store.index_paths([table], prune=True)) == (0, 0, 1, 0, 1)
    assert len(ids_in(store)) == 8


def test_library_calls(tmp_path: Path) -> None:
    store = IndexStore(tmp_path / "ix")
    report = store.add_documents(
        [*synthetic_docs(3), {"id": "bad"}, Document("d", "عنوان", "نص"), synthetic_docs(1)[0]]
    )
    assert counts(report) == (4, 0, 0, 0, 2)
    assert [f.where for f in report.failures] == ["document bad", "document syn-00000"]
    assert store.delete("syn-00001") is True
    assert store.delete("syn-00001") is False
    stats = store.stats()
    assert stats["documents"] == 3
    assert set(stats) >= {"terms", "size_bytes", "analyzer", "analyzer_version", "last_update"}
    assert stats["analyzer"] == AnalysisConfig().id and stats["size_bytes"] > 0
    assert json.loads(json.dumps(report.to_dict()))["added"] == 4


def test_missing_index_and_paths(tmp_path: Path) -> None:
    store = IndexStore(tmp_path / "none")
    assert not store.exists()
    for call in (store.open_index, store.stats, store.generation, lambda: store.delete("x")):
        with pytest.raises(IndexMissing, match="no index"):
            call()
    with pytest.raises(SourceError):
        store.index_paths([tmp_path / "nothing-here"])
    assert not (tmp_path / "none").exists(), "a usage error writes nothing"


def test_default_path_comes_from_environment(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("BAHTH_INDEX", str(tmp_path / "env-ix"))
    assert IndexStore().path == tmp_path / "env-ix"
    monkeypatch.delenv("BAHTH_INDEX")
    assert IndexStore().path == Path("instance") / "index"


def test_rebuild_swaps_while_a_reader_keeps_reading(tmp_path, seeds_copy) -> None:
    store = IndexStore(tmp_path / "ix")
    store.index_paths([seeds_copy])
    before = store.generation()
    reader_ix = store.open_index()
    searcher = reader_ix.searcher()
    assert searcher.doc_count() == 5

    sorted(seeds_copy.glob("*.txt"))[0].unlink()
    report = store.index_paths([seeds_copy], rebuild=True)
    assert counts(report) == (4, 0, 0, 1, 0)  # the document whose file is gone: left out
    assert store.generation() != before
    # the old searcher still reads every stored document of the old generation
    assert len(list(searcher.all_stored_fields())) == 5
    searcher.close()
    assert store.stats()["documents"] == 4
    # one more rebuild: the oldest generation is removed, the previous one kept for readers
    store.index_paths([seeds_copy], rebuild=True)
    generations = sorted(p.name for p in (tmp_path / "ix").glob("gen-*"))
    assert generations == ["gen-0002", "gen-0003"]


def test_rebuild_failure_leaves_the_live_index(tmp_path, seeds_copy, monkeypatch) -> None:
    store = IndexStore(tmp_path / "ix")
    store.index_paths([seeds_copy])
    before = store.generation()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store_module, "_commit", broken)
    with pytest.raises(RuntimeError):
        store.index_paths([seeds_copy], rebuild=True)
    assert store.generation() == before and store.stats()["documents"] == 5
    assert sorted(p.name for p in (tmp_path / "ix").glob("gen-*")) == ["gen-0001"]


def test_analysis_is_recorded_and_reused(tmp_path, seeds_copy) -> None:
    IndexStore(tmp_path / "ix", AnalysisConfig(stem="snowball")).index_paths([seeds_copy])
    reopened = IndexStore(tmp_path / "ix")
    assert reopened.analysis == AnalysisConfig(stem="snowball")
    assert reopened.stats()["analyzer"] == AnalysisConfig(stem="snowball").id
    # --rebuild with another analysis replaces it
    IndexStore(tmp_path / "ix", AnalysisConfig(stem="light")).index_paths(
        [seeds_copy], rebuild=True
    )
    assert IndexStore(tmp_path / "ix").analysis.stem == "light"


def test_version_mismatch_says_rebuild(tmp_path, seeds_copy) -> None:
    store = IndexStore(tmp_path / "ix")
    store.index_paths([seeds_copy])
    meta_file = tmp_path / "ix" / "current" / "bahth.json"
    meta = json.loads(meta_file.read_text())
    meta.update(analyzer_version="0", analyzer="bahth-arabic/0 stem=light")
    meta_file.write_text(json.dumps(meta))
    message = (
        rf"built with bahth-arabic/0 stem=light; this bahth uses {AnalysisConfig().id.split()[0]}: "
        r"run `bahth index --rebuild"
    )
    with pytest.raises(IndexVersionMismatch, match=message):
        store.open_index()
    with pytest.raises(IndexVersionMismatch):
        store.index_paths([seeds_copy])
    assert counts(store.index_paths([seeds_copy], rebuild=True)) == (5, 0, 0, 0, 0)
    assert store.open_index().doc_count() == 5


def test_refuses_a_folder_that_is_not_an_index(tmp_path) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "thesis.docx").write_text("precious")
    with pytest.raises(Exception, match="not a bahth index folder"):
        IndexStore(tmp_path / "home").add_documents(synthetic_docs(1))
    assert (tmp_path / "home" / "thesis.docx").read_text() == "precious"


def test_duplicate_ids_in_one_run_are_skipped(tmp_path) -> None:
    doc = synthetic_docs(1)[0]
    report = IndexStore(tmp_path / "ix").add_documents([doc, {**doc, "text": "نص آخر"}])
    assert counts(report) == (1, 0, 0, 0, 1)
    assert "duplicate id" in report.failures[0].reason


def test_duplicates_and_ids_no_link_can_carry_are_named_by_file_and_line(tmp_path) -> None:
    rows = [
        {"id": "a", "text": "نص"},
        {"id": "..", "text": "نص"},
        {"id": "a", "text": "نص آخر"},
        {"id": "a/b/../c", "text": "نص"},
    ]
    data = tmp_path / "news.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    table = tmp_path / "more.csv"
    table.write_text("id,title,text\nc,عنوان,نص\nc,عنوان,نص\n", encoding="utf-8")
    report = IndexStore(tmp_path / "ix").index_paths([data, table])
    assert counts(report) == (3, 0, 0, 0, 3), "the bad records skipped, the rest indexed"
    assert [(f.where, f.reason.split(":")[0]) for f in report.failures] == [
        (f"{data}:2", "id '..' cannot be used"),
        (f"{data}:3", f"duplicate id 'a' (first in {data}"),
        (f"{table}:3", f"duplicate id 'c' (first in {table}"),
    ]
    assert f"(first in {data}:1)" in report.failures[1].reason
    assert f"(first in {table}:2)" in report.failures[2].reason
    library = IndexStore(tmp_path / "ix").add_documents([Document(".", "عنوان", "نص")])
    assert [f.where for f in library.failures] == ["document ."]


def test_a_second_writer_waits_for_the_lock(tmp_path) -> None:
    store = IndexStore(tmp_path / "ix")
    store.add_documents(synthetic_docs(2))
    messages: list[str] = []
    waiting = IndexStore(tmp_path / "ix", on_wait=messages.append)
    done = threading.Event()
    with WriteLock(tmp_path / "ix" / "write.lock"):
        worker = threading.Thread(
            target=lambda: (waiting.add_documents(synthetic_docs(3, prefix="b")), done.set())
        )
        worker.start()
        deadline = time.monotonic() + 10
        while not messages and time.monotonic() < deadline:
            time.sleep(0.02)
        assert messages and "waiting for another bahth index" in messages[0]
        assert not done.is_set()
    worker.join(timeout=30)
    assert done.is_set() and store.stats()["documents"] == 5


def test_parallel_run_with_updates_and_deletes(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(store_module, "PARALLEL_FROM", 40)
    store = IndexStore(tmp_path / "ix", procs=2)
    docs = synthetic_docs(150)
    assert counts(store.add_documents(docs)) == (150, 0, 0, 0, 0)
    changed = [{**d, "text": d["text"] + " تحديث"} for d in docs[:60]]
    assert counts(store.add_documents(changed + docs[60:])) == (0, 60, 90, 0, 0)
    with store.open_index().searcher() as searcher:
        ids = [f["id"] for f in searcher.all_stored_fields()]
        assert sorted(ids) == sorted(d["id"] for d in docs), "no duplicates, none lost"
        from whoosh.query import Term

        assert len(searcher.search(Term("text_exact", "تحديث"), limit=None)) == 60


def test_a_script_without_a_main_guard_indexes_in_workers(tmp_path) -> None:
    """multiprocessing's spawn runs the parent's script again in each worker: an unguarded
    script (the README's example is one) made each worker index again and wait for the
    write lock its parent held, and both waited forever. The workers must not run it."""
    script = tmp_path / "index_it.py"
    script.write_text(
        textwrap.dedent(
            f"""
            from bahth.index.whoosh import writing as store_module
            from bahth.index.whoosh.store import IndexStore

            store_module.PARALLEL_FROM = 40
            store = IndexStore({str(tmp_path / "ix")!r}, procs=2)
            docs = [{{"id": str(n), "title": "خبر", "text": f"نص الخبر رقم {{n}}"}}
                    for n in range(120)]
            store.add_documents(docs)
            print("documents", store.stats()["documents"])
            """
        ),
        encoding="utf-8",
    )
    try:
        done = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, timeout=60
        )
    except subprocess.TimeoutExpired:
        pytest.fail("indexing from a script without a main guard hung")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["documents", "120"]


def postings(ix) -> tuple[dict, dict, dict]:
    """Every posting (by document id), field length and stored field of an index."""
    with ix.reader() as reader:
        ids = {n: reader.stored_fields(n)["id"] for n in reader.all_doc_ids()}
        terms = {}
        for fieldname in reader.indexed_field_names():
            for term in reader.lexicon(fieldname):
                matcher = reader.postings(fieldname, term)
                rows = []
                while matcher.is_active():
                    rows.append((ids[matcher.id()], matcher.weight(), matcher.value()))
                    matcher.next()
                terms[(fieldname, term)] = sorted(rows)
        lengths = {
            (ids[n], f): reader.doc_field_length(n, f)
            for n in ids
            for f in ("title", "text", "title_exact", "text_exact")
        }
        stored = {ids[n]: reader.stored_fields(n) for n in ids}
    return terms, lengths, stored


@pytest.mark.parametrize("stem", ["light", "snowball", "none"])
def test_fast_writers_build_the_index_whoosh_builds(tmp_path, stem, monkeypatch) -> None:
    analysis = AnalysisConfig(stem=stem)
    words = WordAnalysis(analysis, cache_limit=300)  # the word cache starts over often
    docs = [document_fields(Document.from_dict(d)) for d in synthetic_docs(60)]
    docs[0]["text"] = "وقال الحَمُّوشي: ٣٫٥ مليون FBI-CIA، ﻷن الإرهابَ… و14 «مكافحة»"

    def build(name, make):
        folder = tmp_path / name
        folder.mkdir()
        ix = whoosh.index.create_in(str(folder), build_schema(analysis))
        writer = make(ix)
        for fields in docs:
            writer.add_document(**fields)
        if isinstance(writer, fastwrite.BulkSegmentWriter):
            writer._commit_toc(writer.finish())
            writer._finish()
        else:
            writer.commit()
        return postings(whoosh.index.open_dir(str(folder)))

    def fast(ix):
        writer = fastwrite.FastSegmentWriter(ix, words)
        # every text field goes the per-word way (else this test compares Whoosh with itself)
        assert all(writer._plans[name] for name in ("title", "text", "title_exact", "text_exact"))
        return writer

    expected = build("whoosh", SegmentWriter)
    assert build("fast", fast) == expected
    # a tiny memory limit: the bulk writer rolls over to several segments
    assert build("bulk", lambda ix: fastwrite.BulkSegmentWriter(ix, words, limitmb=0)) == expected
    assert words.per_word and len(words._cache) <= 300


def test_what_the_index_knows_leaves_out_replaced_versions(tmp_path: Path) -> None:
    """_known_documents reads each content hash's first document from the term's own entry;
    a hash two documents share, and a version replaced in a segment that keeps it as
    deleted, must come out as the posting lists say."""
    store = IndexStore(tmp_path / "ix")
    same, first, second = "نص واحد مشترك", Document("c", "عنوان", "نص أول"), "نص ثان"
    store.add_documents([Document("a", "عنوان", same), Document("b", "عنوان", same), first])
    writer = store.open_index().writer()
    replaced = Document("c", "عنوان", second)
    writer.update_document(**document_fields(replaced))
    writer.commit(merge=False)  # the first version stays in its segment, deleted
    with store.open_index().reader() as reader:
        assert reader.doc_count_all() == 4 and reader.doc_count() == 3
        known = store_module._known_documents(reader)
        assert sorted(known) == ["a", "b", "c"]
        assert (
            known["a"].content_hash
            == known["b"].content_hash
            == Document("a", "عنوان", same).content_hash()
        )
        assert known["c"].content_hash == replaced.content_hash() != first.content_hash()
        assert [reader.stored_fields(n)["id"] for n in known["c"].docnums] == ["c"]
        assert len(known["c"].docnums) == 1 and not reader.is_deleted(known["c"].docnums[0])
    report = store.add_documents([replaced, Document("a", "عنوان", same)])
    assert counts(report) == (0, 0, 2, 0, 0), "both unchanged: the hashes were read right"
