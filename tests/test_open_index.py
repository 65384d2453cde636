"""The engine's open index (index/whoosh/readers.py, segments.py, segment_files.py): one view
shared by threads, segments never copied into memory, a commit reopening only what it
changed, old views and their files closed when their last request ends, caches that follow
commits, deletions and rebuild swaps, and bounded decoded-postings memory.

Memory is asserted as sizes and counters (bytes allocated, readers opened, descriptors of
deleted files), never as RSS; bench/memory.py prints RSS.
"""

from __future__ import annotations

import os
import sys
import threading
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from bahth.index.whoosh import segment_files, segments
from bahth.index.whoosh.segments import ABSENT, PostingsCache, segment_data
from bahth.search.engine import SearchEngine
from tests.conftest import SEEDS, generated_news

QUERIES = ["مكافحة الإرهاب", "الأمن الوطني", '"مكافحة الإرهاب"', "الرباط OR طنجة", "تعاون*"]


def _ids(page) -> list[tuple[str, float]]:
    return [(hit.id, hit.score) for hit in page.hits]


def _build(path: Path, batches: int = 3) -> SearchEngine:
    """An index of the seeds and generated news, committed in ``batches`` + 1 commits
    (several segments: the writer keeps small commits apart until it merges them)."""
    engine = SearchEngine(path)
    engine.index_paths([SEEDS])
    news = generated_news(15)
    size = len(news) // batches
    for start in range(0, len(news), size):
        engine.add_documents(news[start : start + size])
    return engine


def _leaves(engine: SearchEngine) -> list:
    return [sub.reader() for sub, _ in engine._reader().searcher.leaf_searchers()]


def _deleted_files_open() -> list[str]:
    """This process's descriptors of files that were deleted."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.endswith(" (deleted)"):
            found.append(target)
    return found


@pytest.fixture()
def engine(tmp_path: Path):
    engine = _build(tmp_path / "index")
    yield engine
    engine.close()


def test_opening_the_index_copies_no_segment_into_memory(tmp_path: Path) -> None:
    """Whoosh's own storage copied each segment's postings and term table into memory when a
    reader opened (a BytesIO over the mapped file): here nothing the size of a segment is
    allocated, and the segment files are read by position."""
    path = tmp_path / "index"
    writer = SearchEngine(path)
    writer.add_documents(generated_news(15) + _long_documents(60))
    writer.close()
    live = Path(os.path.realpath(path / "current"))
    on_disk = sum(f.stat().st_size for f in live.glob("*.seg"))
    assert on_disk > 500_000, "the test needs segments big enough to see a copy"

    engine = SearchEngine(path)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        engine._reader()
        allocated = tracemalloc.get_traced_memory()[1] - before  # the peak, since start
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        assert engine.store.require_documents() == 75  # the web's check after each commit
        counting = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    reader = _leaves(engine)[0]
    engine.close()
    assert allocated < on_disk / 10, (allocated, on_disk)
    assert counting < on_disk / 10, (counting, on_disk)
    assert isinstance(reader._terms._postfile, segment_files.SharedFile)


def _long_documents(count: int) -> list[dict]:
    words = [f"كلمة{n}" for n in range(3000)]
    return [
        {"id": f"long-{n}", "title": f"وثيقة {n}", "text": " ".join(words[n:] + words[:n])}
        for n in range(count)
    ]


def test_threads_share_one_view_and_read_it_safely(engine: SearchEngine, tmp_path) -> None:
    """Eight threads searching at once open each segment once, and get what one thread
    alone gets: Whoosh's matchers move a seek/read cursor over the shared files (the
    reference engine uses them for every query), which is kept per thread."""
    whoosh = SearchEngine(engine.store.path, vectorized=False)
    alone = {q: _ids(whoosh.search(q, per_page=50)) for q in QUERIES}
    segments_open = len(_leaves(whoosh))
    errors: list = []

    def work() -> None:
        try:
            for _ in range(15):
                for q in QUERIES:
                    if _ids(whoosh.search(q, per_page=50)) != alone[q]:
                        errors.append(q)
        except Exception as error:  # noqa: BLE001 - any failure in a thread fails the test
            errors.append(repr(error))

    threads = [threading.Thread(target=work) for _ in range(8)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns every few bytecodes, mid-read
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert not errors, errors[:3]
    assert whoosh._readers.views.opened == segments_open, "one reader per segment for all threads"
    whoosh.close()


def test_a_commit_reopens_only_the_new_segment(engine: SearchEngine) -> None:
    before = _leaves(engine)
    data_before = {segment_data(r).segment_id: segment_data(r) for r in before}
    opened = engine._readers.views.opened
    engine.search("مكافحة الإرهاب")  # fills lengths and postings of the old segments

    engine.add_documents([{"id": "fresh", "title": "خبر جديد", "text": "مكافحة الإرهاب اليوم"}])
    page = engine.search("مكافحة الإرهاب", per_page=50)

    after = _leaves(engine)
    assert "fresh" in [hit.id for hit in page.hits], "the new document is found"
    assert engine._readers.views.opened == opened + len(after) - len(before) == opened + 1
    kept = [r for r in after if segment_data(r).segment_id in data_before]
    assert len(kept) == len(before)
    for reader in kept:  # the same readers, and the same computed data: nothing rebuilt
        assert reader in before
        assert segment_data(reader) is data_before[segment_data(reader).segment_id]


def test_the_old_view_closes_when_its_last_request_ends(engine: SearchEngine) -> None:
    running = engine.run_queries([("1", "مكافحة"), ("2", "الإرهاب")], limit=5)
    next(running)  # a batch run holds the view it started with
    held = engine._readers.views._view
    engine.add_documents([{"id": "fresh", "title": "خبر", "text": "نص جديد"}])
    engine.search("نص")  # a new request opens the next view
    assert engine._readers.views._view is not held
    assert held.retired and held.keys, "still open for the running batch"
    assert next(running)[1], "the running batch goes on reading its view"
    list(running)
    assert not held.keys, "closed once the batch ended"


def test_a_delete_is_seen_and_keeps_the_segment_data(engine: SearchEngine) -> None:
    before = engine.search("مكافحة", per_page=50)
    assert "news-03" in [hit.id for hit in before.hits]
    data = {segment_data(r).segment_id: segment_data(r) for r in _leaves(engine)}
    closed = engine._readers.views.closed

    assert engine.delete("news-03")
    page = engine.search("مكافحة", per_page=50)

    assert "news-03" not in [hit.id for hit in page.hits]
    assert page.total == before.total - 1
    assert sum(page.facets["source"].values()) == sum(before.facets["source"].values()) - 1
    leaves = _leaves(engine)
    changed = [r for r in leaves if r.has_deletions()]
    assert len(changed) == 1
    assert segment_data(changed[0]) is data[segment_data(changed[0]).segment_id]
    assert not segment_data(changed[0]).live(changed[0]).all()
    assert engine._readers.views.closed == closed + 1, "the reader without the deletion is closed"


def test_cached_results_follow_every_kind_of_change(tmp_path: Path) -> None:
    """After a commit, a delete and a rebuild swap, the numpy engine (its caches warm)
    still gives exactly what Whoosh's own search gives on a fresh engine."""
    path = tmp_path / "index"
    fast = _build(path)

    def check() -> None:
        reference = SearchEngine(path, vectorized=False)
        for q in QUERIES:
            for sort in ("relevance", "date"):
                mine = fast.search(q, per_page=50, sort=sort)
                theirs = reference.search(q, per_page=50, sort=sort)
                assert [h.id for h in mine.hits] == [h.id for h in theirs.hits], (q, sort)
                assert np.allclose([h.score for h in mine.hits], [h.score for h in theirs.hits])
                assert mine.facets == theirs.facets, q
        reference.close()

    check()
    fast.add_documents([{"id": "x", "title": "مكافحة", "text": "الإرهاب في الرباط", "source": "s"}])
    check()
    fast.delete("news-01")
    check()
    fast.index_paths([SEEDS], rebuild=True)
    check()
    fast.close()


def test_a_rebuild_swap_leaves_no_deleted_file_open(tmp_path: Path) -> None:
    path = tmp_path / "index"
    engine = _build(path)
    engine.search("مكافحة")
    engine.index_paths([SEEDS], rebuild=True)  # gen 2; gen 1 is kept for its readers
    engine.search("مكافحة")
    engine.index_paths([SEEDS], rebuild=True)  # gen 3; gen 1 is removed from disk
    assert engine.search("الحموشي").total
    gone = [f for f in _deleted_files_open() if str(tmp_path) in f]
    assert not gone, gone
    assert engine._readers.views.open_readers == len(_leaves(engine))
    engine.close()
    assert engine._readers.views.open_readers == 0


def test_merged_segments_files_are_closed(engine: SearchEngine) -> None:
    """A commit that merges segments deletes their files: once no request reads the old
    view, no descriptor of them is left."""
    engine.search("مكافحة")
    writer = engine.store.open_index().writer()
    writer.commit(optimize=True)  # one segment: every old segment file deleted
    assert engine.search("مكافحة").total
    assert len(_leaves(engine)) == 1
    assert not [f for f in _deleted_files_open() if str(engine.store.path) in f]


def test_postings_cache_is_bounded_and_drops_the_least_recently_used() -> None:
    cache = PostingsCache(max_bytes=80_000)
    entry = (np.arange(500, dtype=np.int32), np.ones(500, dtype=np.float32))  # 4 KB
    for n in range(20):
        cache.put(("segment", "text", f"t{n}".encode()), entry)
        cache.get(("segment", "text", b"t0"))  # t0 stays in use
        assert cache.bytes <= cache.max_bytes
    assert cache.get(("segment", "text", b"t0")) is entry
    assert cache.get(("segment", "text", b"t1")) is None, "least recently used: gone"
    assert cache.get(("segment", "text", b"t19")) is entry
    cache.put(("segment", "text", b"big"), (np.zeros(5_000, np.int32), np.zeros(1, np.float32)))
    assert cache.get(("segment", "text", b"big")) is None, "too big for the cache"
    cache.discard_segment("segment")
    assert len(cache) == 0 and cache.bytes == 0


def test_postings_memory_stays_within_its_budget(engine: SearchEngine, monkeypatch) -> None:
    """With half the memory the queries' postings take, the cache stays within it, still
    serves some of them, and the results do not change."""
    everything = PostingsCache(max_bytes=1 << 30)
    monkeypatch.setattr(segments, "POSTINGS", everything)
    reference = SearchEngine(engine.store.path, vectorized=False)
    expected = {q: _ids(reference.search(q, per_page=50)) for q in QUERIES}
    for q in QUERIES:
        engine.search(q, per_page=50)
    half = PostingsCache(max_bytes=everything.bytes // 2)
    monkeypatch.setattr(segments, "POSTINGS", half)
    engine._reader().joined._kept = PostingsCache(max_bytes=0)  # every term from the segments
    for q in [q for q in QUERIES for _ in range(2)] * 2:  # each asked twice in a row
        assert _ids(engine.search(q, per_page=50)) == expected[q]
        assert half.bytes <= half.max_bytes
    assert half.hits and half.misses
    assert any(value is ABSENT for value, _ in half._entries.values())
    reference.close()


def test_joined_postings_are_kept_read_only_and_equal_to_the_segments(
    engine: SearchEngine,
) -> None:
    """A reader joins a term's postings from its segments once: asked again, the same arrays,
    which nobody may write (a scorer that wrote into them would change the next query), and
    equal to reading the segments again; a deleted document leaves them in the next
    generation's reader, not in this one's."""
    reader = engine._reader()
    assert len(reader.segments) > 1, "the test needs postings joined from several segments"
    term = engine.words.word("الإرهاب").stems[0]
    first = reader.postings("text", term)
    assert (
        len(
            {
                int(s)
                for s in np.searchsorted(
                    [s.offset for s in reader.segments], first.slots, side="right"
                )
            }
        )
        > 1
    )
    assert reader.postings("text", term) is first
    with pytest.raises(ValueError):
        first.slots[0] = 0
    again = reader.joined._read("text", term, False)[0]
    assert np.array_equal(again.slots, first.slots)
    assert np.array_equal(again.frequencies, first.frequencies)
    assert again.documents == first.documents
    gone = reader.ids(first.slots[:1].tolist())[0]
    engine.delete(gone)
    newer = engine._reader()
    assert newer is not reader
    assert len(newer.postings("text", term).slots) == len(first.slots) - 1
    assert reader.postings("text", term) is first  # the older generation's readers unchanged


def test_segment_data_is_one_per_segment_for_every_engine(engine: SearchEngine) -> None:
    other = SearchEngine(engine.store.path)
    for mine, theirs in zip(_leaves(engine), _leaves(other), strict=True):
        assert mine is not theirs
        assert segment_data(mine) is segment_data(theirs)
    other.close()


def test_statistics_are_counted_on_the_shared_view_without_copying(tmp_path: Path) -> None:
    """/api/stats counts documents and distinct terms: on Whoosh's own reader that copied
    every segment into memory (once per generation in each server process), and the terms
    went into one set of the whole dictionary. Counted on the shared view, merging the
    sorted lexicons, it allocates nothing the size of a segment, and counts the same."""
    engine = _build(tmp_path / "index")
    engine.add_documents(_long_documents(60))
    engine.add_documents(_long_documents(70)[60:])  # same words in another segment
    live = Path(os.path.realpath(tmp_path / "index" / "current"))
    on_disk = sum(f.stat().st_size for f in live.glob("*.seg"))
    assert on_disk > 500_000, "the test needs segments big enough to see a copy"
    assert len(_leaves(engine)) > 1, "the test needs terms repeated across segments"
    reader = engine._reader()
    expected = set(reader.whoosh.lexicon("title")) | set(reader.whoosh.lexicon("text"))
    documents = reader.doc_count()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        stats = engine.stats()
        allocated = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    engine.close()
    assert stats["terms"] == len(expected)
    assert stats["documents"] == documents
    assert allocated < on_disk / 10, (allocated, on_disk)
