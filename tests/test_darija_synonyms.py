"""bahth's built-in Moroccan Darija groups (analyzers/lexicon.py, darija_synonyms.txt): a
query in Darija finds the standard Arabic word news writes, below the word as typed; a query
in standard Arabic is not widened by Darija words; the settings turn them off.

Rows are rules, the reason as the id. Each document holds one side's word among filler, so a
row can only pass through the group.
"""

from __future__ import annotations

import pytest

from bahth.analyzers.lexicon import ONE_WAY, darija_synonyms
from bahth.index.settings import Settings, SettingsError
from bahth.search.engine import SearchEngine

FILLER = "وقال المتحدث في ندوة صحفية إن الملف يعرف تطورات جديدة"

# (a Darija query word, a standard Arabic text that says the same, the rule)
DARIJA_TO_STANDARD = [
    pytest.param("كازا", "شهدت الدار البيضاء", id="a-city-s-nickname-finds-its-name"),
    pytest.param("البوليس", "تدخلت الشرطة", id="a-french-loanword-finds-the-standard-noun"),
    pytest.param("بالبوليس", "اتصل بالشرطة", id="an-article-and-clitic-on-the-word-match"),
    pytest.param("فكازا", "شهدت الدار البيضاء", id="a-darija-fi-on-the-word-matches"),
    pytest.param("السبيطار", "نقل إلى المستشفى", id="a-spanish-loanword-finds-the-standard-noun"),
    pytest.param("الصبليون", "وصلوا إلى إسبانيا", id="a-country-s-darija-name-finds-its-name"),
    pytest.param("الحراكة", "أنقذ خفر السواحل المهاجرين", id="a-darija-noun-finds-a-standard-one"),
    pytest.param("الحريك", "تفكيك شبكة للهجرة السرية", id="a-darija-word-finds-a-standard-phrase"),
    pytest.param("لقاو", "عثروا على الجثة", id="a-darija-verb-finds-the-standard-verb"),
    pytest.param("جوج", "اعتقال اثنين من المتهمين", id="a-darija-number-finds-the-standard-one"),
    pytest.param("الترانات", "توقف القطارات", id="a-french-loanword-plural-finds-the-plural"),
    pytest.param("الحباسة", "أفرج عن السجناء", id="a-darija-noun-of-people-finds-the-standard"),
    pytest.param("تشدو", "اعتقلوا في طنجة", id="a-darija-passive-verb-finds-the-standard"),
    pytest.param("الكونفينمون", "فرض الحجر الصحي", id="a-french-loanword-finds-a-standard-phrase"),
]

# (a standard Arabic query word, a text with only its Darija side, the rule)
NOT_WIDENED = [
    pytest.param("الشرطة", "جاء البوليس", id="one-way-a-standard-word-does-not-find-darija"),
    pytest.param("المستشفى", "مشى للسبيطار", id="one-way-the-hospital-does-not-find-sbitar"),
    pytest.param("الشتاء", "طاحت الشتا بزاف", id="winter-is-not-the-darija-word-for-rain"),
    pytest.param("الضوء", "تقطع الضو", id="light-is-not-the-darija-word-for-electricity"),
]

# (a standard word whose STEM is a Darija word's, a text with only what that Darija word
# finds, the rule): the groups match a word by its form, never by a stem in common
STEM_COLLISIONS = [
    pytest.param("سيما", "خلال الأسبوع", id="la-siyama-is-not-the-week"),
    pytest.param("الحراك", "وصل المهاجرين", id="the-protest-movement-is-not-migrants"),
    pytest.param("كوريا", "مباراة في كرة القدم", id="korea-is-not-football"),
    pytest.param("ديوانه", "موظفو الجمارك", id="his-diwan-is-not-the-customs"),
    pytest.param("الرملية", "الممرضة في القسم", id="sandy-is-not-fa-plus-nurse"),
    pytest.param("فرانس", "في فرنسا", id="france-presse-is-not-the-darija-france"),
]


def _index(tmp_path, texts: list[str], **settings) -> SearchEngine:
    engine = SearchEngine(tmp_path / "index", settings=Settings(**settings))
    documents = [
        {"id": f"d{n}", "title": "خبر", "text": f"{text} {FILLER}"} for n, text in enumerate(texts)
    ]
    fillers = [{"id": f"filler{n}", "title": "خبر", "text": FILLER} for n in range(4)]
    engine.add_documents(documents + fillers)
    return engine


def _ids(engine: SearchEngine, q: str) -> list[str]:
    return [hit.id for hit in engine.search(q, per_page=50).hits]


@pytest.mark.parametrize(("q", "standard"), DARIJA_TO_STANDARD)
def test_a_darija_word_finds_the_standard_one_below_itself(tmp_path, q, standard) -> None:
    engine = _index(tmp_path, [standard, f"قالوا {q}"])
    found = _ids(engine, q)
    assert found[:2] == ["d1", "d0"], found  # the word as typed first, then the standard one
    assert engine.parse(q).synonyms, "the query names what it searched besides"
    engine.close()


@pytest.mark.parametrize(("q", "darija"), NOT_WIDENED)
def test_a_standard_word_is_not_widened_by_darija(tmp_path, q, darija) -> None:
    engine = _index(tmp_path, [darija])
    assert "d0" not in _ids(engine, q)
    engine.close()


@pytest.mark.parametrize(("q", "standard"), STEM_COLLISIONS)
def test_a_word_sharing_a_stem_with_a_darija_word_is_not_widened(tmp_path, q, standard) -> None:
    engine = _index(tmp_path, [standard])
    assert engine.parse(q).synonyms == []
    assert "d0" not in _ids(engine, q)
    engine.close()


def test_the_settings_turn_the_darija_groups_off(tmp_path) -> None:
    engine = _index(tmp_path, ["شهدت الدار البيضاء"], darija_synonyms=False)
    assert _ids(engine, "كازا") == []
    engine.close()
    on = SearchEngine(tmp_path / "index", darija_synonyms=True)  # the engine's word wins
    assert _ids(on, "كازا") == ["d0"]
    on.close()


def test_the_setting_is_read_recorded_and_checked(tmp_path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("[analysis]\ndarija_synonyms = false\n", encoding="utf-8")
    settings = Settings.load(path)
    assert settings.darija_synonyms is False
    assert Settings.from_dict(settings.as_dict()).darija_synonyms is False
    assert Settings.from_dict({}).darija_synonyms is True  # an older index's record: on
    path.write_text('[analysis]\ndarija_synonyms = "no"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="darija_synonyms must be true or false"):
        Settings.load(path)


def test_every_built_in_group_is_one_way_and_searchable(tmp_path) -> None:
    """The file's lines read as groups with one arrow, and every entry has a word the
    analysis keeps (none is a stop word alone): a bad line fails here, not at a query."""
    groups = darija_synonyms()
    assert len(groups) >= 40
    darija = {entry for group in groups for entry in group[: group.index(ONE_WAY)]}
    assert all(group.count(ONE_WAY) == 1 for group in groups)
    engine = SearchEngine(tmp_path / "index")
    assert len(engine.synonyms.groups) == len(groups)  # each entry analyzed to a word
    assert all(" " not in entry for entry in darija)  # matched by form: one word each
    standard = {entry for group in groups for entry in group[group.index(ONE_WAY) + 1 :]}
    assert not standard & darija
    engine.close()
