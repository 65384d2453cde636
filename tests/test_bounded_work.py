"""Snippets, the second stage and the document page do work bounded by fixed sizes, and
linear in what they read, whatever the length of a text. Asserted on the work done (marks
visited, characters and words read), never on time.
"""

import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bahth.analyzers import AnalysisConfig, WordAnalysis, word_analysis
from bahth.index.whoosh.reader import FolderReader
from bahth.search import engine as engine_module
from bahth.search import highlight, rerank
from bahth.search.engine import SearchEngine
from bahth.search.parsed import Terms

MEGABYTES = 5


class CountingSpans(list):
    """A list of spans that counts how many times its items are read, and stops the test
    as soon as they are read more than ``bound`` times (a quadratic pass would take hours)."""

    def __init__(self, spans, bound: int) -> None:
        super().__init__(spans)
        self.bound = bound
        self.visits = 0

    def _visit(self, n: int = 1) -> None:
        self.visits += n
        if self.visits > self.bound:
            raise AssertionError(f"more than {self.bound} visits to {len(self)} spans")

    def __getitem__(self, index):
        item = super().__getitem__(index)
        self._visit(len(item) if isinstance(index, slice) else 1)
        return item

    def __iter__(self):
        for item in super().__iter__():
            self._visit()
            yield item


def generated_text(megabytes: int, seed: int = 15) -> str:
    """News-like text: words and spaces, في about every fifth word, lines now and then."""
    rng = random.Random(seed)
    words = ["المملكة", "الأمن", "العربية", "اليوم", "وزير", "الرياض", "مجلس", "قال"]
    out, size = [], 0
    while size < megabytes * 1_000_000:
        word = "في" if rng.random() < 0.2 else rng.choice(words)
        out.append(word + ("\n" if rng.random() < 0.01 else " "))
        size += len(out[-1])
    return "".join(out)


def spans_of(text: str, word: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(rf"(?<!\S){word}(?!\S)", text)]


@pytest.fixture(scope="module")
def big_text() -> str:
    return generated_text(MEGABYTES)


def test_snippet_windows_are_one_pass_over_the_marks(big_text: str) -> None:
    spans = spans_of(big_text, "في")
    assert len(spans) > 100_000
    counted = CountingSpans(spans, bound=2 * len(spans))
    windows = highlight._windows(big_text, counted, highlight.SNIPPET_CHARS)
    assert len(windows) == len(spans)
    assert counted.visits == len(spans), "each mark read once"


def test_a_snippet_considers_at_most_max_marks(big_text: str, monkeypatch) -> None:
    seen = []
    windows = highlight._windows
    monkeypatch.setattr(
        highlight,
        "_windows",
        lambda text, spans, size: seen.append(len(spans)) or windows(text, spans, size),
    )
    snippet = highlight.snippet(big_text, spans_of(big_text, "في"))
    assert seen == [highlight.MAX_MARKS]
    assert 0 < snippet.count("<mark>") and len(snippet) < 10 * highlight.SNIPPET_CHARS


def test_marks_are_looked_for_in_the_first_scan_chars_only(big_text: str, monkeypatch) -> None:
    words = word_analysis(AnalysisConfig())
    read = []
    spans = words.spans
    monkeypatch.setattr(words, "spans", lambda text, *a: read.append(len(text)) or spans(text, *a))
    found = highlight.matched_spans(big_text, Terms(exact={"في"}), words)
    assert read == [highlight.SCAN_CHARS]
    assert found and found[-1][1] < highlight.SCAN_CHARS


def test_a_word_cut_by_the_scan_limit_is_not_marked() -> None:
    words = word_analysis(AnalysisConfig())
    text = "خبر الأمنية"  # cut after 9 characters: "خبر الأمن", a word it is not
    assert highlight.matched_spans(text, Terms(exact={"الامن"}), words, limit=9) == []
    assert highlight.matched_spans(text, Terms(exact={"الامنيه"}), words) == [(4, 11)]


def _reference_windows(text, spans, size):
    """The former definition (every mark compared with every other), on small inputs."""
    out = []
    for s, _ in spans:
        start = highlight._snap_start(text, s - size // 4)
        end = highlight._snap_end(text, start + size)
        inside = {text[a:b] for a, b in spans if a >= start and b <= end}
        out.append((len(inside), start, end))
    return out


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["في", "الأمن", "قال", "وزير", "x", "  ", "\n"]), max_size=200),
    st.sampled_from([20, 50, 200]),
)
def test_one_pass_windows_are_the_former_windows(pieces: list[str], size: int) -> None:
    text = " ".join(pieces)
    spans = [m.span() for m in re.finditer(r"في|الأمن", text)]
    assert highlight._windows(text, spans, size) == _reference_windows(text, spans, size)


def test_positions_read_at_most_limit_words() -> None:
    words = WordAnalysis(AnalysisConfig())
    text = " ".join(f"w{n}" for n in range(50_000))
    judged: dict = {}
    found = words.positions(text, lambda terms: True, judged, limit=1000)
    assert len(judged) == 1000 and [p for p, _ in found] == list(range(1000))
    words.per_word = False  # the path through the chains over the whole text: the same bound
    assert [p for p, _ in words.positions(text, lambda terms: True, {}, limit=1000)] == list(
        range(1000)
    )


# ---- through the engine, on an index with one long document ---------------------------


@pytest.fixture(scope="module")
def long_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two short articles and one of 300,000 characters (about 50,000 words)."""
    path = tmp_path_factory.mktemp("long") / "index"
    engine = SearchEngine(path)
    engine.add_documents(
        [
            {"id": "long", "title": "تقرير طويل", "text": generated_text(1)[:300_000]},
            {"id": "short-1", "title": "خبر", "text": "قال وزير الأمن في الرياض اليوم"},
            {"id": "short-2", "title": "خبر آخر", "text": "مجلس الأمن في المملكة العربية"},
        ]
    )
    engine.close()
    return path


@pytest.mark.parametrize("stem_lists", [False, True], ids=["from its text", "from its stem list"])
def test_a_search_reads_bounded_parts_of_a_long_text(
    long_index: Path, monkeypatch, stem_lists: bool
) -> None:
    """The highlighter reads SCAN_CHARS of the long text at most, the second stage
    SCAN_WORDS words at most, and fewer once one window holds every word of the query; or,
    from the document's stem list (which holds SCAN_WORDS words), none of its text."""
    if not stem_lists:
        monkeypatch.setattr(FolderReader, "stem_lists", lambda self, field: None)
    engine = SearchEngine(long_index)
    words = engine.words
    highlighted, reranked = [], {}
    spans, parts = words.spans, words.splits.parts

    def counted_parts(text, limit=None):
        reranked[len(text)] = 0
        for part in parts(text, limit):
            reranked[len(text)] += len(part)
            yield part

    monkeypatch.setattr(
        words, "spans", lambda text, *a: highlighted.append(len(text)) or spans(text, *a)
    )
    monkeypatch.setattr(words.splits, "parts", counted_parts)
    try:
        # (query, words of the long text the second stage reads): تقرير is in its title
        # only, so no window of its text holds the whole query and it is read to the bound
        for q, read in (("الأمن", range(1, 1000)), ("الأمن تقرير", [rerank.SCAN_WORDS])):
            highlighted.clear()
            reranked.clear()
            page = engine.search(q)
            assert page.total == 3 and all("<mark>" in hit.snippet_html for hit in page.hits)
            assert max(highlighted) == highlight.SCAN_CHARS, "the long text, up to the bound"
            if stem_lists:
                assert 300_000 not in reranked, "the second stage read its stem list"
            else:
                assert reranked[300_000] in read
        if stem_lists:
            with engine._readers.lease() as reader:
                handle = next(h for h in range(reader.size) if reader.stored(h)["id"] == "long")
                long = reader.stem_lists("text")(handle)
            numbers = len(long) - 5 - int.from_bytes(long[1:5], "little")
            assert numbers == 2 * rerank.SCAN_WORDS, "16 bits for each word it reads"
    finally:
        engine.close()


def test_the_document_page_shows_a_long_text_cut_and_says_so(long_index: Path, monkeypatch) -> None:
    monkeypatch.setattr(engine_module, "DOCUMENT_CHARS", 100_000)
    engine = SearchEngine(long_index)
    try:
        view = engine.document("long", q="الأمن")
        assert len(view.text) == 300_000, "the text itself is whole"
        assert "300,000 characters" in view.message
        assert [item.to_dict()["code"] for item in view.notices] == ["document_cut"]
        assert dict(view.notices[0].values)["length"] == 300_000
        shown = re.sub(r"<[^>]+>", "", view.body_html)
        assert 95_000 < len(shown) <= 100_000 and "<mark>" in view.body_html
        assert 95_000 < dict(view.notices[0].values)["shown"] <= 100_000
        short = engine.document("short-1", q="الأمن")
        assert short.message == "" and short.notices == ()
    finally:
        engine.close()
