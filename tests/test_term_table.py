"""A segment's term table read straight (index/whoosh/term_table.py) answers as Whoosh does:
for every term of every field of an index of several segments, one with a deleted document,
and for terms it does not have (the candidate spellings a query asks about)."""

from pathlib import Path

import pytest

from bahth.index.whoosh.term_table import TermTable
from bahth.search.engine import SearchEngine

ARTICLES = [
    ("a1", "وزير الداخلية", "قال وزير الداخلية في الرباط إن الأمن مستتب ٢٠١٥ و2015"),
    ("a2", "مباراة", "فاز الفريق في مباراة الكأس بالدار البيضاء Google"),
    ("a3", "ماكرون", "زار ماكرون المغرب وقال مكرون كلمة أخرى"),
]
MORE = [
    ("b1", "الطقس", "أمطار غزيرة في طنجة وتطوان اليوم"),
    ("a2", "مباراة أخرى", "خسر الفريق المباراة"),  # replaces a2: its first copy is deleted
]
# a segment of 4,000 words: its 256 hash tables are full enough that some probes run past a
# table's last slot and go on from its first
MANY = [("c1", "كلمات", " ".join(f"w{n}x" for n in range(4000)))]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory):
    path: Path = tmp_path_factory.mktemp("terms") / "index"
    engine = SearchEngine(path)
    for batch in (ARTICLES, MORE, MANY):  # three runs: three segments
        engine.add_documents([{"id": i, "title": t, "text": x} for i, t, x in batch])
    yield engine
    engine.close()


def segments_and_terms(engine):
    with engine._readers.lease() as reader:
        assert len(reader.segments) == 3, "the fixture has three segments"
        for segment in reader.segments:
            whoosh = segment.reader
            terms = list(whoosh.all_terms())
            assert len(terms) > 20
            yield reader, whoosh, terms


def test_every_term_is_found_as_whoosh_finds_it(engine) -> None:
    for _, whoosh, terms in segments_and_terms(engine):
        table = TermTable.of(whoosh)
        assert table is not None, "a W3 segment's terms are in a hash file"
        for field, btext in terms:
            assert table.doc_frequency(field, btext) == whoosh.doc_frequency(field, btext)
            mine, theirs = table.term_info(field, btext), whoosh.term_info(field, btext)
            facts = [(i.doc_frequency(), i.weight(), i.is_inlined()) for i in (mine, theirs)]
            assert facts[0] == facts[1]
            if not theirs.is_inlined():
                assert mine.extent() == theirs.extent(), "where its postings are"


@pytest.mark.parametrize(
    "btext",
    ["مكارون".encode(), "ماكرو".encode(), b"", b"googl", "وزير".encode() * 3],
    ids=["a-spelling-not-there", "a-prefix", "empty", "latin-prefix", "repeated"],
)
def test_a_term_not_there_has_no_count(engine, btext) -> None:
    for _, whoosh, terms in segments_and_terms(engine):
        table = TermTable.of(whoosh)
        for field in {field for field, _ in terms} | {"no-such-field"}:
            if (field, btext) in terms:
                continue
            assert table.doc_frequency(field, btext) == 0
            assert table.term_info(field, btext) is None


def test_the_reader_counts_documents_as_whoosh_does(engine) -> None:
    with engine._readers.lease() as reader:
        asked = set()
        for segment in reader.segments:
            asked |= {(f, b.decode()) for f, b in segment.reader.all_terms() if f != "given"}
        asked |= {("text", "مكارون"), ("title_exact", "ماكرو"), ("text", "")}
        counted = [reader.frequency(field, term) for field, term in sorted(asked)]
        expected = [reader.whoosh.doc_frequency(field, term) for field, term in sorted(asked)]
        assert counted == expected
        assert reader.frequency("text_exact", "الفريق") == 2, "a deleted copy counts, as in Whoosh"


def test_a_segment_of_another_kind_is_asked_of_whoosh(engine, monkeypatch) -> None:
    class Other:
        _terms = object()  # no hash file

    assert TermTable.of(Other()) is None
    monkeypatch.setattr(TermTable, "of", classmethod(lambda cls, reader: None))
    with engine._readers.lease() as reader:
        reader._frequencies.clear()
        assert reader.frequency("text", "فريق") == reader.whoosh.doc_frequency("text", "فريق")
        assert reader.frequency("text", "فريق") > 0
        tangier = engine.words.word("طنجة").exact  # not asked for before in this module
        assert reader.postings("text_exact", tangier).slots.size == 1, "through Whoosh"
