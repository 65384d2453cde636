"""A final ى typed for a final ي (search/final_ya.py): الدستورى finds the forms of الدستوري
when the collection writes the word with ي, and a word the collection writes with ى (موسى,
ذكرى, الكبرى) keeps apart from the word without its last letter.

Each row is one document that only the rule (FOUND) or only its guard (KEPT_APART) decides;
the others say how the collection writes the word."""

from __future__ import annotations

import pytest

from bahth.search.engine import SearchEngine
from tests.conftest import engine_on

FILLER = "وقال المتحدث إن الأمر يحتاج إلى متابعة"


def doc(name: str, n: int, text: str) -> dict:
    return {"id": f"{name}-{n}", "title": "خبر", "text": f"{text} {FILLER} {n}"}


DOCS = [
    # written with ي, as most of the collection writes them
    *[doc("ya-written", n, "التعديل الدستوري الجديد") for n in range(2)],
    *[doc("ya-written", n + 2, "ثاني أيام المعرض") for n in range(2)],
    *[doc("ya-written", n + 4, "كتابي الأول") for n in range(2)],
    # another form of the same word: found only through the ي reading's stem
    doc("nisba", 0, "المحكمة الدستورية تنظر الطعن"),
    doc("ordinal", 0, "حل الفريق في المركز الثاني"),
    doc("pronoun", 0, "صدر الكتاب في طبعة جديدة"),
    # written with ى by the collection, and a word without that last letter
    *[doc("musa", n, "النبي موسى عليه السلام") for n in range(2)],
    doc("razor", 0, "شفرة موس حادة"),
    *[doc("dhikra", n, "ذكرى الاستقلال") for n in range(2)],
    doc("mention", 0, "ذكر التقرير أرقاما"),
    *[doc("kubra", n, "المدن الكبرى") for n in range(2)],
    doc("grew", 0, "كبر الطفل بسرعة"),
    # two words the fold merges, both written often: الأسرى (captives), الأسري (domestic)
    *[doc("captives", n, "الإفراج عن الأسرى") for n in range(2)],
    *[doc("domestic", n, "العنف الأسري") for n in range(3)],
    doc("family", 0, "أسرة المواطن"),
]


@pytest.fixture(scope="module", params=["folder", "cluster"])
def engine(request, tmp_path_factory) -> SearchEngine:
    """The rule asks the store how the collection writes a word: a folder, and a real
    two-node cluster (tests/test_sphinx_backend.py's LocalCluster)."""
    with engine_on(request.param, tmp_path_factory.mktemp(f"final-ya-{request.param}")) as engine:
        engine.add_documents(DOCS)
        yield engine


def ids(engine: SearchEngine, q: str) -> list[str]:
    return [hit.id for hit in engine.search(q, per_page=50, collapse=False).hits]


# (typed with ى, the document only its ي reading finds)
FOUND = [
    pytest.param("الدستورى", "nisba-0", id="nisba-adjective-egyptian-ya-finds-its-feminine"),
    pytest.param("ثانى", "ordinal-0", id="ordinal-egyptian-ya-finds-it-with-the-article"),
    pytest.param("كتابى", "pronoun-0", id="pronoun-ya-written-as-alef-maksura-finds-the-noun"),
]


@pytest.mark.parametrize(("typed", "wanted"), FOUND)
def test_a_final_alef_maksura_the_collection_writes_as_ya_is_read_as_ya(
    engine, typed: str, wanted: str
) -> None:
    assert wanted in ids(engine, typed)


# (typed with ى as the collection writes it, a document with the word less its last letter)
KEPT_APART = [
    pytest.param("موسى", "razor-0", id="musa-written-with-alef-maksura-is-not-a-razor"),
    pytest.param("ذكرى", "mention-0", id="remembrance-is-not-mention"),
    pytest.param("الكبرى", "grew-0", id="feminine-elative-is-not-the-verb-grew"),
    pytest.param("الأسرى", "family-0", id="captives-a-word-of-its-own-beside-domestic"),
]


@pytest.mark.parametrize(("typed", "other"), KEPT_APART)
def test_a_word_the_collection_writes_with_alef_maksura_keeps_it(
    engine, typed: str, other: str
) -> None:
    found = ids(engine, typed)
    assert found, f"{typed} finds its own documents"
    assert other not in found


@pytest.mark.parametrize(("typed", "wanted"), FOUND)
def test_the_page_says_the_word_was_searched_as_the_collection_writes_it(
    engine, typed: str, wanted: str
) -> None:
    """also_searched (the page's and the CLI's "searched also") names the ي spelling, as the
    collection writes it, for the word as typed."""
    searched = dict(engine.search(typed, collapse=False).also_searched)
    assert searched.get(typed, "").endswith("ي"), searched


@pytest.mark.parametrize(("typed", "other"), KEPT_APART)
def test_a_word_kept_as_typed_is_not_said_to_be_read_otherwise(
    engine, typed: str, other: str
) -> None:
    assert typed not in dict(engine.search(typed, collapse=False).also_searched)
