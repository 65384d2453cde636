"""Quranic (Uthmani) text, searched in standard spelling: end to end through the engine, and
highlighted on the words as written (the normalizer's dagger-alef and ءا rules)."""

from __future__ import annotations

import pytest

from bahth.search.engine import SearchEngine

VERSES = {
    "baqara-2": "ذَٰلِكَ ٱلْكِتَٰبُ لَا رَيْبَ ۛ فِيهِ ۛ هُدًى لِّلْمُتَّقِينَ",
    "baqara-3": "ٱلَّذِينَ يُؤْمِنُونَ بِٱلْغَيْبِ وَيُقِيمُونَ ٱلصَّلَوٰةَ وَمِمَّا رَزَقْنَٰهُمْ يُنفِقُونَ",
    "baqara-4": "وَٱلَّذِينَ يُؤْمِنُونَ بِمَآ أُنزِلَ إِلَيْكَ وَمَآ أُنزِلَ مِن قَبْلِكَ وَبِٱلْءَاخِرَةِ هُمْ يُوقِنُونَ",
    "baqara-25": "وَبَشِّرِ ٱلَّذِينَ ءَامَنُوا۟ وَعَمِلُوا۟ ٱلصَّٰلِحَٰتِ أَنَّ لَهُمْ جَنَّٰتٍ",
    "anam-1": "ٱلْحَمْدُ لِلَّهِ ٱلَّذِى خَلَقَ ٱلسَّمَٰوَٰتِ وَٱلْأَرْضَ",
    "baqara-275": "ٱلَّذِينَ يَأْكُلُونَ ٱلرِّبَوٰا۟ لَا يَقُومُونَ",
}

# (a query in standard spelling, the verse it must find first, the word marked in its text)
STANDARD_QUERIES = [
    pytest.param("الكتاب", "baqara-2", "ٱلْكِتَٰبُ", id="kitaab-not-kutub"),
    pytest.param("يقيمون الصلاة", "baqara-3", "ٱلصَّلَوٰةَ", id="salaat-written-with-waw"),
    pytest.param("بالآخرة", "baqara-4", "وَبِٱلْءَاخِرَةِ", id="aakhira-written-hamza-alef"),
    pytest.param("آمنوا وعملوا الصالحات", "baqara-25", "ٱلصَّٰلِحَٰتِ", id="saalihaat-plural"),
    pytest.param("السماوات", "anam-1", "ٱلسَّمَٰوَٰتِ", id="samaawaat-two-daggers"),
    pytest.param("الربا", "baqara-275", "ٱلرِّبَوٰا۟", id="ribaa-written-with-waw"),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    engine = SearchEngine(tmp_path_factory.mktemp("quran") / "index")
    engine.add_documents(
        [{"id": key, "title": "آية", "text": text} for key, text in VERSES.items()]
    )
    yield engine
    engine.close()


@pytest.mark.parametrize(("q", "verse", "word"), STANDARD_QUERIES)
def test_a_standard_spelling_finds_the_uthmani_verse(engine, q, verse, word) -> None:
    hits = engine.search(q).hits
    assert hits and hits[0].id == verse, [hit.id for hit in hits]
    assert f"<mark>{word}</mark>" in hits[0].snippet_html, hits[0].snippet_html
