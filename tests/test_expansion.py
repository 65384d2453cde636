"""Expanding * and ~ words, "did you mean" and suggestions: on one budget per query, each
distinct expansion once, on a generated vocabulary of 40,000 words.

Every word of the vocabulary starts with ك, then one of ten letters, then three more: a
two-letter prefix (كت*) stands for about 4,000 words, and a short fuzzy word (كتبا~) has all
40,000 to look through (only its first letter is taken as typed). The assertions are on the
work counted in ``ParsedQuery.expansion``, never on time.
"""

from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.support.levenshtein import distance as whoosh_distance

from bahth.index import nodes
from bahth.search import expansion
from bahth.search.engine import SearchEngine
from bahth.search.expansion import (
    ExpansionBudget,
    close_words,
    entries,
    prefix_words,
    within_edits,
)
from bahth.search.query import EXPANSION_CUT, MAX_WORDS, QueryBuilder

SECOND = "تبدرسعلمنه"  # the ten second letters: ten two-letter families
LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
WORDS = 40_000
DOCUMENTS = 20


def vocabulary() -> list[str]:
    rest = ("".join(t) for t in product(LETTERS, repeat=3))
    tails = [next(rest) for _ in range(WORDS // len(SECOND))]
    return ["ك" + second + tail for tail in tails for second in SECOND]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory):
    """20 documents over 40,000 words: the first 500 words are in every document (so
    frequencies differ), the others in one each; written in two commits of 15 and 5
    documents (two segments, one three times the other)."""
    words = vocabulary()
    common = words[:500]
    docs = [
        {
            "id": f"v{d}",
            "title": f"وثيقة {d}",
            "text": " ".join(common + words[500 + d :: DOCUMENTS]),
        }
        for d in range(DOCUMENTS)
    ]
    engine = SearchEngine(tmp_path_factory.mktemp("vocabulary") / "index")
    engine.add_documents(docs[:15])
    engine.add_documents(docs[15:])
    yield engine
    engine.close()


@pytest.fixture()
def parsed_queries(monkeypatch: pytest.MonkeyPatch) -> list:
    """Every ParsedQuery the engine makes, with its expansion counters, as search() runs."""
    made = []
    parse = QueryBuilder.parse

    def recording(self, *args, **kwargs):
        made.append(parse(self, *args, **kwargs))
        return made[-1]

    monkeypatch.setattr(QueryBuilder, "parse", recording)
    return made


REPEATED = [
    pytest.param("كت*", 1, id="a-prefix-forty-times-is-one-expansion"),
    pytest.param("كتبا~", 1, id="a-fuzzy-word-forty-times-is-one-expansion"),
    pytest.param("كتبا~2", 1, id="fuzzy-distance-two-forty-times-is-one-expansion"),
    pytest.param("كت* title:كت*", 2, id="the-same-prefix-in-other-fields-is-another"),
]


@pytest.mark.parametrize(("words", "distinct"), REPEATED)
def test_each_distinct_expansion_is_worked_out_once_per_query(engine, words, distinct) -> None:
    once = engine.parse(words).expansion
    repeated = engine.parse(" ".join([words] * (MAX_WORDS // len(words.split())))).expansion
    assert once.expansions == repeated.expansions == distinct
    assert repeated.reused == MAX_WORDS - distinct
    assert repeated.examined == once.examined > 1000  # the dictionary read once, not forty times
    assert repeated.terms == once.terms > 0


def test_forty_fuzzy_words_share_one_budget_and_the_query_still_runs(
    engine, parsed_queries
) -> None:
    words = [f"ك{a}ظظ~" for a in LETTERS] + [f"ك{a}ضض~" for a in LETTERS[:12]]
    alone = engine.parse(words[0]).expansion.examined  # all 40,000 words read and compared
    page = engine.search(" ".join(words))
    budget = parsed_queries[-1].expansion
    assert alone * len(words) > expansion.MAX_EXAMINED, "alone, the words would cost more"
    assert budget.examined <= expansion.MAX_EXAMINED
    assert budget.cut > 0 and budget.expansions == len(words)
    assert EXPANSION_CUT in page.message
    assert page.total > 0, "the words expanded before the budget ran out are searched"


def test_the_words_all_expansions_give_are_bounded(engine) -> None:
    prefixes = [f"ك{a}{b}*" for a in SECOND for b in LETTERS[:4]]  # 40 prefixes of 140 words
    parsed = engine.parse(" ".join(prefixes))
    budget = parsed.expansion
    assert budget.expansions == len(prefixes) and budget.terms == expansion.MAX_TERMS
    searched = {t for f, t in nodes.terms(parsed.query) if f.endswith("_exact")}
    assert len(searched) == expansion.MAX_TERMS
    assert EXPANSION_CUT in parsed.message


def test_did_you_mean_is_charged_to_the_query_budget(engine, parsed_queries) -> None:
    unknown = [f"ك{a}ظ{b}" for a in LETTERS for b in "ظض"][:MAX_WORDS]  # no word of 4 letters
    engine.search(unknown[0])
    alone = parsed_queries[-1].expansion.examined
    engine.search(" ".join(unknown))
    budget = parsed_queries[-1].expansion
    assert alone * len(unknown) > expansion.MAX_EXAMINED
    assert 0 < budget.examined <= expansion.MAX_EXAMINED


def test_suggestions_need_two_letters_and_stay_within_the_budget(
    engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert engine.suggest("ك") == [], "one letter: as for a prefix search, nothing"
    spent = []
    frequencies = expansion.prefix_frequencies

    def recording(reader, fieldnames, prefix, budget, *stage):
        found = frequencies(reader, fieldnames, prefix, budget, *stage)
        spent.append(budget.examined)
        return found

    monkeypatch.setattr("bahth.search.suggestions.prefix_frequencies", recording)
    monkeypatch.setattr(expansion, "MAX_EXAMINED", 1000)
    words = engine.suggest("كت", limit=10)
    assert len(words) == 10 and all(w.startswith("كت") for w in words)
    assert spent == [1000], "4,000 words start with كت: the scan stopped at the budget"


@pytest.mark.parametrize(
    "prefix",
    [
        pytest.param("كت", id="a-family"),
        pytest.param("ك", id="every-word"),
        pytest.param("", id="the-whole-field"),
        pytest.param("كتظظظظ", id="no-word"),
        pytest.param("zz", id="latin-none"),
        pytest.param("وثيقه", id="title-words"),
    ],
)
@pytest.mark.parametrize("fieldname", ["text_exact", "title_exact"])
def test_the_dictionary_read_in_chunks_is_whooshs(engine, fieldname, prefix) -> None:
    reader = engine._reader()
    pairs, complete = entries(reader, fieldname, prefix, ExpansionBudget(max_examined=10**9))
    mine: dict[str, int] = {}
    for word, frequency in pairs:
        mine[word] = mine.get(word, 0) + frequency
    whoosh = {
        w.decode(): i.doc_frequency() for w, i in reader.whoosh.iter_prefix(fieldname, prefix)
    }
    assert complete and mine == whoosh


def test_a_budget_cut_prefix_gives_the_most_frequent_words_it_saw(engine) -> None:
    reader = engine._reader()
    budget = ExpansionBudget(max_examined=500)
    cut = prefix_words(reader, ["text_exact"], "كت", budget, limit=50)
    assert not cut.complete and len(cut.words) == 50 and budget.examined == 500
    assert all(w.startswith("كت") for w in cut.words)
    whole = prefix_words(reader, ["text_exact"], "كت", ExpansionBudget(), limit=50)
    frequency = {w: reader.frequency("text_exact", w) for w in whole.words}
    assert whole.complete and len(whole.words) == 50
    assert min(frequency.values()) == DOCUMENTS, "the words in every document come first"


def test_a_budget_just_big_enough_reads_every_segment_whole(engine) -> None:
    """What the small segment does not need goes to the large one."""
    reader = engine._reader()
    everything, _ = entries(reader, "text_exact", "كت", ExpansionBudget(max_examined=10**9))
    budget = ExpansionBudget(max_examined=len(everything))
    pairs, complete = entries(reader, "text_exact", "كت", budget)
    assert complete and sorted(pairs) == sorted(everything)
    short = ExpansionBudget(max_examined=len(everything) - 1)
    assert not entries(reader, "text_exact", "كت", short)[1]


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="ابتكلم", max_size=8),
    st.text(alphabet="ابتكلم", max_size=8),
    st.sampled_from([1, 2]),
)
def test_within_edits_is_whooshs_edit_distance(a: str, b: str, limit: int) -> None:
    assert within_edits(a, b, limit) == (whoosh_distance(a, b, limit=limit) <= limit)


def test_close_words_without_a_budget_reads_everything(engine) -> None:
    reader = engine._reader()
    typed = "كتاا"
    found = close_words(reader, "text_exact", typed, 1)
    reference = sorted(reader.whoosh.terms_within("text_exact", typed, 1, prefix=1))
    assert found == reference and found


def test_fixture_is_as_described(engine) -> None:
    assert engine.stats()["documents"] == DOCUMENTS
    assert len(vocabulary()) == WORDS == len(set(vocabulary()))
    assert not engine._reader().whoosh.is_atomic(), "two segments"
