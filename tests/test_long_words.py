"""A "word" far longer than any word costs what a short one costs: suggestions, * and ~
expansions and "did you mean" pass over it without reading it, on both stores.

An index built before the analysis capped its terms may hold one (a document of 20 million
ب made one of 20 million letters, and ``suggest("بببب", time_limit=1.0)`` ran 5.7 s and
answered 40 MB). Here it has 200,000 letters; the work is counted (the words given to the
analysis, the bytes read from a folder's term table), never timed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bahth.analyzers import WordAnalysis, tokenizer
from bahth.index.limits import MAX_WORD_BYTES
from bahth.index.whoosh import segment_files
from bahth.search.engine import SearchEngine

LONG = "ب" * 200_000
DOCUMENTS = [
    {"id": "long", "title": "كلمة طويلة", "text": LONG},
    {"id": "short", "title": "بيت صغير", "text": "بيت بباب كبير والبحر بعيد ببغاء ببغاوات"},
]


def _suggested(engine: SearchEngine) -> list[str]:
    return engine.suggest("بب")


def _expanded(q: str) -> Callable[[SearchEngine], list[str]]:
    def words(engine: SearchEngine) -> list[str]:
        engine.search(q)  # the whole request: scoring, snippets, did-you-mean
        return sorted(engine.parse(q).terms.exact)

    return words


def _did_you_mean(engine: SearchEngine) -> list[str]:
    return [engine.search("ببغاءت").suggestion or ""]


# (the request, what it gives back: its words; the words it must give)
REQUESTS = [
    pytest.param(_suggested, ["بباب", "ببغاء", "ببغاوات"], id="suggestions"),
    pytest.param(_expanded("ببب*"), [], id="a-prefix-only-the-long-word-has"),
    pytest.param(_expanded("بب*"), ["بباب", "ببغاء", "ببغاوات"], id="a-prefix-beside-it"),
    pytest.param(_expanded("ببغاو~2"), ["بباب", "ببغاء", "ببغاوات"], id="a-fuzzy-word"),
    pytest.param(_did_you_mean, ["ببغاء"], id="did-you-mean"),
]


def _indexed_as_before_the_cap(engine: SearchEngine) -> None:
    """The documents written as an analysis without a term-length cap wrote them (the cap,
    analyzers/tokenizer.py, keeps new indexes free of such words; old ones may hold one)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tokenizer, "MAX_WORD_CHARS", 10 * len(LONG))
        assert engine.add_documents(DOCUMENTS).added == 2


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchEngine]:
    engine = SearchEngine(tmp_path_factory.mktemp("long") / "index")
    _indexed_as_before_the_cap(engine)
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchEngine]:
    from tests.test_sphinx_backend import LocalCluster

    local = LocalCluster(tmp_path_factory.mktemp("long-cluster"))
    try:
        engine = SearchEngine(local.url)
        _indexed_as_before_the_cap(engine)
        yield engine
        engine.close()
    finally:
        local.stop()


@pytest.fixture()
def analyzed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The length of every word the word analysis is asked about."""
    lengths: list[int] = []
    words = WordAnalysis.words

    def counting(self, surfaces):
        lengths.extend(len(surface) for surface in surfaces)
        return words(self, surfaces)

    monkeypatch.setattr(WordAnalysis, "words", counting)
    return lengths


def _within_the_bound(engine, request, expected, analyzed) -> None:
    engine.search("بيت")  # open the searcher first: opening reads what it reads
    analyzed.clear()
    produced = request(engine)
    assert produced == expected, "the long word is never given, the others are"
    assert max(analyzed, default=0) < len(LONG) // 100, "nor analyzed"


@pytest.mark.parametrize(("request_", "expected"), REQUESTS)
def test_a_folder_passes_over_a_long_word_unread(
    folder, request_, expected, analyzed, monkeypatch
) -> None:
    read: list[int] = []
    get = segment_files.SharedFile.get

    def counting(self, position: int, length: int) -> bytes:
        data = get(self, position, length)
        read.append(len(data))
        return data

    folder.search("بيت")
    monkeypatch.setattr(segment_files.SharedFile, "get", counting)
    _within_the_bound(folder, request_, expected, analyzed)
    assert max(read) <= 64 * 1024 and sum(read) < len(LONG.encode()) // 4, "read: its header"


@pytest.mark.parametrize(("request_", "expected"), REQUESTS)
def test_a_cluster_passes_over_a_long_word(cluster, request_, expected, analyzed) -> None:
    _within_the_bound(cluster, request_, expected, analyzed)


def test_the_bound_is_far_above_a_real_word() -> None:
    assert len("والاستخباراتيين".encode()) * 10 < MAX_WORD_BYTES < len(LONG.encode()) // 100


def test_the_fixture_holds_the_long_word(folder: SearchEngine) -> None:
    reader = folder._reader()
    assert reader.frequency("text_exact", LONG) == 1
    assert Path(folder.store.path).exists()
