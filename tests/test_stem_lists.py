"""A document's stem list (analyzers/stem_lists.py) says where a query's stems stand exactly
as reading its text does: one row per rule of the format, every word of every document of an
index compared with the text's reading, and the same rankings with the lists as without."""

import json
from pathlib import Path

import pytest

from bahth.analyzers import AnalysisConfig, WordTerms, word_analysis
from bahth.analyzers.stem_lists import SCAN_WORDS, StemListFinder, encode
from bahth.search import rerank
from bahth.search.engine import SearchEngine

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
ARWIKI = REPO / "bench" / "data" / "arwiki" / "docs.jsonl"


def word(*stems: str, stop: bool = False) -> WordTerms:
    return WordTerms(stems[0] if stems else "", stems, stop)


def first_wanted(wanted: dict[str, int]):
    """StemMatcher.verdict's rule: the value of the word's first wanted stem."""
    return lambda terms: next((wanted[s] for s in terms.stems if s in wanted), None)


# (reason, the text's words as terms, wanted stem -> value, (position, value) expected)
ROWS = [
    ("a word found where it stands", [word("قال"), word("وزير")], {"وزير": 0}, [(1, 0)]),
    (
        "every place of a repeated word",
        [word("أمن"), word("في"), word("أمن")],
        {"أمن": 3},
        [(0, 3), (2, 3)],
    ),
    ("a word found by its second stem", [word("وقال", "قال")], {"قال": 1}, [(0, 1)]),
    ("the value of the first wanted stem", [word("وقال", "قال")], {"قال": 1, "وقال": 2}, [(0, 2)]),
    ("a stop word has no stem", [word(stop=True), word("سلام")], {"": 5, "سلام": 1}, [(1, 1)]),
    ("a stem is whole, not a piece of a longer one", [word("قالب"), word("مقال")], {"قال": 0}, []),
    ("nor a piece of a word of two stems", [word("وقالب", "قالب")], {"قال": 0}, []),
    (
        "words of two queries' stems, in order",
        [word("ب"), word("أ"), word("ب")],
        {"أ": 0, "ب": 1},
        [(0, 1), (1, 0), (2, 1)],
    ),
    ("a verdict of None is not found", [word("أ")], {"أ": None}, []),
    ("an empty text finds nothing", [], {"أ": 0}, []),
    ("nothing wanted finds nothing", [word("أ")], {}, []),
    ("a stem with regex signs is itself", [word("a.b"), word("axb")], {"a.b": 0}, [(0, 0)]),
]


@pytest.mark.parametrize(
    "terms, wanted, expected", [row[1:] for row in ROWS], ids=[row[0] for row in ROWS]
)
def test_stem_list_rules(terms, wanted, expected) -> None:
    stem_list = encode(terms)
    assert stem_list, "every one of these texts has a stem list"
    assert StemListFinder(wanted, first_wanted(wanted)).positions(stem_list) == expected


def test_only_the_words_the_second_stage_reads_are_kept() -> None:
    terms = [word("ب")] * (SCAN_WORDS + 5) + [word("أ")]
    found = StemListFinder({"أ": 0, "ب": 1}, first_wanted({"أ": 0, "ب": 1})).positions(
        encode(terms)
    )
    assert [at for at, _ in found] == list(range(SCAN_WORDS)), "the first SCAN_WORDS words"


@pytest.mark.parametrize(
    "stem_list",
    [
        b"",
        b"\x01\x00",
        b"\x02\x00\x00\x00\x00",
        encode([word("أ"), word("ب")])[:-1],
        encode([word("أ"), word("ب")])[:-2] + b"\x07\x00",
        encode([word("أ"), word("ب")])[:5] + b"\xff" + encode([word("أ"), word("ب")])[6:],
        b"\x01\x09\x00\x00\x00\xd8\xa3",
    ],
    ids=[
        "none written (an older document)",
        "cut short",
        "a format it does not know",
        "a word's number cut in half",
        "a number past its lines",
        "lines that are not UTF-8",
        "lines longer than the list",
    ],
)
def test_what_is_not_a_stem_list_is_said_so(stem_list) -> None:
    wanted = {"أ": 0, "ب": 1}
    assert StemListFinder(wanted, first_wanted(wanted)).positions(stem_list) is None


def test_a_stem_it_cannot_write_leaves_the_text_to_be_read() -> None:
    assert encode([word("a b")]) == b"", "a space inside a stem"
    assert encode([word("a\nb")]) == b"", "a line break inside a stem"


def documents() -> list[dict]:
    docs = [
        {"id": f"seed-{path.stem}", "title": path.stem, "text": path.read_text("utf-8")}
        for path in sorted(SEEDS.glob("*.txt"))
    ]
    with ARWIKI.open(encoding="utf-8") as lines:
        for n, line in zip(range(300), lines, strict=False):
            doc = json.loads(line)
            docs.append({"id": f"w{n}", "title": doc.get("title", ""), "text": doc["text"]})
    return docs


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory):
    docs = documents()
    assert len(docs) > 250
    engine = SearchEngine(tmp_path_factory.mktemp("stem-lists") / "index")
    half = len(docs) // 2
    engine.add_documents(docs[:half])  # two runs: two segments
    engine.add_documents(docs[half:])
    yield engine
    engine.close()


def test_every_word_of_every_document_stands_where_the_text_says(engine) -> None:
    analysis = word_analysis(AnalysisConfig())
    with engine._readers.lease() as reader:
        assert len(reader.segments) == 2
        for field in rerank.FIELDS:
            stem_list = reader.stem_lists(field)
            assert stem_list is not None, f"a new index keeps {field}'s stem lists"
            for handle in range(reader.size):
                text = reader.stored(handle).get(field) or ""
                words = analysis.words(analysis.surfaces(text))
                stems = sorted({s for w in words[:50] for s in w.stems})[:12]
                wanted = {stem: n for n, stem in enumerate(stems)}
                matcher = analysis.matcher(wanted)
                found = StemListFinder(wanted, matcher.verdict).positions(stem_list(handle))
                assert found == matcher.positions(text, None, limit=SCAN_WORDS)
                assert bool(found) == bool(stems), "the words it was asked for are there"


def rankings(engine, queries: list[str]) -> list[list[tuple[str, float]]]:
    return [[(hit.id, hit.score) for hit in engine.search(q, per_page=30).hits] for q in queries]


# synonym paths share a stem with a typed word: the matcher's values are then tuples of words
SYNONYMS = [["الإرهاب", "التطرف المسلح"], ["اللغة", "اللغة الفصحى"]]


@pytest.mark.parametrize("synonyms", [(), SYNONYMS], ids=["as typed", "with synonym paths"])
def test_rankings_are_the_same_with_the_stem_lists_as_with_the_texts(engine, monkeypatch, synonyms):
    docs = documents()
    engine = SearchEngine(engine.store.path, synonyms=synonyms) if synonyms else engine
    queries = ["الوزير", "مكافحة الإرهاب", "المغرب الأمن", "اللغة العربية"] + [
        " ".join(doc["title"].split()[:4]) for doc in docs[10:60] if doc["title"]
    ]
    read: list[int] = []
    with engine._readers.lease() as reader:
        stored = type(reader).stored
        counted = lambda self, handle: read.append(handle) or stored(self, handle)  # noqa: E731
        monkeypatch.setattr(type(reader), "stored", counted)
    fast = rankings(engine, queries)
    texts_read = len(read)
    monkeypatch.setattr(type(reader), "stem_lists", lambda self, field: None)
    slow = rankings(engine, queries)
    assert sum(map(len, fast)) > 5 * len(queries), "the queries find documents"
    assert fast == slow
    assert texts_read < len(read) / 2, "with stem lists only the shown hits' texts are read"
    if synonyms:
        engine.close()


def test_segments_merged_at_a_commit_keep_their_stem_lists(tmp_path: Path) -> None:
    engine = SearchEngine(tmp_path / "index")
    try:
        for n in range(12):  # one run each: Whoosh merges the small segments at a commit
            engine.add_documents([{"id": f"d{n}", "title": "خبر", "text": f"قال الوزير {n}"}])
        with engine._readers.lease() as reader:
            assert len(reader.segments) < 12, "some runs' segments were merged"
            texts = reader.stem_lists("text")
            finder = StemListFinder({"وزير": 0}, first_wanted({"وزير": 0}))
            assert [finder.positions(texts(h)) for h in range(reader.size)] == [[(1, 0)]] * 12
    finally:
        engine.close()
