"""WordAnalysis: the one answer to "what does this word become", for every caller.

Rows are rules, the reason as the id. Then what holds the callers in step with the index: the
check against the Whoosh chains, which catches a filter that reads its neighbours.
"""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.analysis import Filter

from bahth.analyzers import AnalysisConfig, WordAnalysis, WordTerms
from bahth.search.highlight import matched_spans
from bahth.search.parsed import Terms

WORDS = [
    pytest.param("الوزير", WordTerms("الوزير", ("وزير",), False), id="article-stripped-in-stems"),
    pytest.param("وقال", WordTerms("وقال", ("وقال", "قال"), False), id="ambiguous-wa-two-stems"),
    pytest.param("في", WordTerms("في", (), True), id="stop-word-keeps-its-exact-term"),
    pytest.param("وفي", WordTerms("وفي", (), True), id="stop-word-with-wa"),
    pytest.param("أَحْمَد", WordTerms("احمد", ("احمد",), False), id="diacritics-and-hamza-folded"),
    pytest.param("ـــ", WordTerms("", (), False), id="tatweel-alone-is-nothing"),
    pytest.param("FBI", WordTerms("fbi", ("fbi",), False), id="latin-lowercased"),
    pytest.param("The", WordTerms("the", (), True), id="english-stop-word"),
    pytest.param("٢٠١٥", WordTerms("2015", ("2015",), False), id="arabic-indic-digits"),
    pytest.param("موسى", WordTerms("موسي", ("موسي",), False), id="final-alef-maksura-no-suffix"),
    pytest.param("موسي", WordTerms("موسي", ("موس",), False), id="final-yeh-may-be-a-suffix"),
    pytest.param("علي", WordTerms("علي", ("علي",), False), id="ali-is-a-name"),
    pytest.param("على", WordTerms("علي", (), True), id="ala-is-a-stop-word-same-exact-term"),
]


@pytest.fixture()
def words() -> WordAnalysis:
    return WordAnalysis(AnalysisConfig())


@pytest.mark.parametrize(("surface", "expected"), WORDS)
def test_what_a_word_becomes(words: WordAnalysis, surface: str, expected: WordTerms) -> None:
    assert words.word(surface) == expected
    assert words.words([surface, surface]) == [expected, expected]


def test_without_stop_words_a_stop_word_is_an_ordinary_word() -> None:
    words = WordAnalysis(AnalysisConfig(stopwords=False))
    assert words.word("في") == WordTerms("في", ("في",), False)


def test_tokens_carry_positions_spans_and_terms(words: WordAnalysis) -> None:
    text = "وَقالَ الوزيرُ في بتمارة"
    tokens = words.tokens(text)
    assert [(t.position, text[t.start : t.end]) for t in tokens] == [
        (0, "وَقالَ"),
        (1, "الوزيرُ"),
        (2, "في"),
        (3, "بتمارة"),
    ]
    assert [t.terms.stems for t in tokens] == [("وقال", "قال"), ("وزير",), (), ("بتمار", "تمار")]


def test_the_cache_is_bounded_and_answers_stay_right() -> None:
    words = WordAnalysis(AnalysisConfig(), cache_limit=50)
    vocabulary = [f"كلمة{n}" for n in range(400)]
    expected = WordAnalysis(AnalysisConfig()).words(vocabulary)
    assert words.words(vocabulary[:40]) == expected[:40]
    for start in range(0, 400, 30):
        assert words.words(vocabulary[start : start + 30]) == expected[start : start + 30]
        assert len(words._cache) + len(words._older) <= 50


def test_a_word_in_use_outlives_the_generation_it_was_learned_in() -> None:
    words = WordAnalysis(AnalysisConfig(), cache_limit=40)
    words.words(["الوزير"])
    for start in range(0, 200, 10):
        words.words([f"كلمة{n}" for n in range(start, start + 10)] + ["الوزير"])
    assert "الوزير" in words._cache, "a word asked for all along is young"
    assert "كلمة0" not in words._cache and "كلمة0" not in words._older, "an old one went"


# A matcher must find what judging every word finds: (texts, wanted stems -> value).
MATCHER_ROWS = [
    pytest.param(
        ["قال الوزير إن الوزارة والوزير في بتمارة", "وزير"],
        {"وزير": 0, "تمار": 1},
        id="stems-of-several-query-words",
    ),
    pytest.param(["وقال قال فقال"], {"قال": 1, "وقال": 0}, id="first-wanted-stem-of-a-word-wins"),
    pytest.param(["في على علي موسى"], {"علي": 0, "موسي": 1}, id="stop-words-never-match"),
    pytest.param(
        [" ".join(f"والكلمة{n}" for n in range(300)) + " الوزير"],
        {"وزير": 0},
        id="a-match-after-many-new-words",
    ),
]


def ANY_FOUND(found: list, read: int) -> bool:  # noqa: N802 (a rule, named as a constant)
    return bool(found)


def NEVER(found: list, read: int) -> bool:  # noqa: N802
    return False


def assert_read_until_settled(found: list, expected: list, settled) -> None:
    """What a scan that may stop early gives: the matches of the words it read, in order (a
    first part of every match); all of them unless it stopped; at least one when the rule is
    'any found' and the text has one."""
    assert found == expected[: len(found)]
    if settled in (None, NEVER):
        assert found == expected, "a reader that never stops reads every part of the text"
    elif expected:
        assert found, "it stops only once something was found"


@pytest.mark.parametrize(("texts", "wanted"), MATCHER_ROWS)
@pytest.mark.parametrize("cache_limit", [40, 400_000], ids=["tiny-cache", "big-cache"])
def test_a_matcher_finds_what_judging_every_word_finds(texts, wanted, cache_limit) -> None:
    reference = WordAnalysis(AnalysisConfig())
    words = WordAnalysis(AnalysisConfig(), cache_limit=cache_limit)
    matcher = words.matcher(wanted)
    for text in texts:
        expected = reference.positions(text, matcher.verdict, {})
        assert expected, "every row's texts have a match"
        assert matcher.positions(text) == expected
        early = matcher.positions(text, ANY_FOUND)
        assert early and early == expected[: len(early)]


def test_matchers_in_threads_miss_nothing_while_a_tiny_cache_turns_over() -> None:
    words = WordAnalysis(AnalysisConfig(), cache_limit=64)
    reference = WordAnalysis(AnalysisConfig())
    texts = [" ".join(f"والكلمة{n + k} الوزير" for k in range(30)) for n in range(0, 300, 7)]
    wanted = {"وزير": 0, "كلمه20": 1, "كلمه150": 2}
    verdict = words.matcher(wanted).verdict
    expected = {text: reference.positions(text, verdict, {}) for text in texts}
    wrong = in_six_threads(texts, lambda: words.matcher(wanted).positions, expected)
    assert wrong == []


def test_threads_share_one_small_cache_without_a_wrong_answer() -> None:
    words = WordAnalysis(AnalysisConfig(), cache_limit=64)
    reference = WordAnalysis(AnalysisConfig())
    texts = [" ".join(f"والكلمة{n + k}" for k in range(40)) for n in range(0, 400, 7)]
    expected = {text: reference.tokens(text) for text in texts}
    assert in_six_threads(texts, lambda: words.tokens, expected) == []


def in_six_threads(texts: list[str], reader, expected: dict) -> list:
    """Six threads read every text, each from its own starting point, with their own
    ``reader()``; the texts read differently from ``expected`` (and any error raised)."""
    errors: list = []

    def work(offset: int) -> None:
        read = reader()
        try:
            for text in texts[offset:] + texts[:offset]:
                if read(text) != expected[text]:
                    errors.append(text)
        except Exception as error:  # noqa: BLE001 - collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n * 5,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


class UnitedNations(Filter):
    """A filter that reads its neighbour: امم followed by متحد becomes one term."""

    def __call__(self, tokens):
        previous = None
        for token in tokens:
            text = token.text
            if previous == "امم" and text == "متحد":
                token.text = "امم_متحد"
            previous = text
            yield token


def test_a_filter_that_reads_its_neighbours_is_caught_and_callers_follow_the_chain() -> None:
    words = WordAnalysis(AnalysisConfig())
    words.stemmed_chain = words.stemmed_chain | UnitedNations()
    words._cache.clear()
    text = "قالت الأمم المتحدة إن المتحدة"
    assert words.per_word
    assert not words.check(text), "per word, المتحدة cannot know what stands before it"
    assert not words.per_word
    assert [t.terms.stems for t in words.tokens(text)] == [
        ("قالت",),
        ("امم",),
        ("امم_متحد",),
        (),
        ("متحد",),
    ]
    # the highlighter asks the same object: it marks the المتحدة that the index has as امم_متحد
    spans = matched_spans(text, Terms(stems={"امم_متحد"}), words)
    assert [text[a:b] for a, b in spans] == ["المتحدة"]


@pytest.mark.parametrize("limit", [1, 5, 11, 19, 20, 40])
def test_a_limit_on_words_holds_where_words_touch(words: WordAnalysis, limit: int) -> None:
    """Latin and Arabic letters side by side are two words with no gap between them, so a
    text of fewer than 2 x limit characters can still hold more than ``limit`` words."""
    text = "aب" * 10
    assert words.surfaces(text, limit) == words.surfaces(text)[:limit]
    assert len(words.surfaces(text)) == 20


def test_a_word_too_long_is_neither_analyzed_nor_kept(monkeypatch) -> None:
    """Every caller (writer, query, highlighter, second stage, the cluster's rows) gets no
    terms for it, at its own position, as the chains give; the filters never see it (their
    work grows with the word: 20 million letters took 624 MB) and the cache keeps it not."""
    from bahth.analyzers import MAX_WORD_CHARS, filters

    normalized: list[int] = []
    real = filters.normalize_word
    monkeypatch.setattr(filters, "normalize_word", lambda w: normalized.append(len(w)) or real(w))
    words = WordAnalysis(AnalysisConfig())
    blob = "ب" * 100_000
    text = f"سلام {blob} كلام {blob}"
    tokens = words.tokens(text)
    assert [(t.position, bool(t.terms.exact)) for t in tokens] == [
        (0, True),
        (1, False),
        (2, True),
        (3, False),
    ]
    assert words.check(text), "the chains agree"
    assert matched_spans(text, Terms(exact={"سلام", blob}), words) == [(0, 4)]
    assert words.matcher({blob: 0}).positions(text) == []
    assert blob not in words._cache and blob not in words._older
    assert max(normalized) <= MAX_WORD_CHARS


# Words that repeat, share stems, are stop words or carry clitics: the second stage's and
# the highlighter's fast scans (a handful of wanted words, found by list.index) must give what
# reading every word in order gives (tokens(), the Whoosh chains).
VOCABULARY = ["الوزير", "وزير", "وزارة", "قال", "وقال", "في", "المغرب", "بالمغرب", "مغربي",
              "Google", "2015", "أَحْمَد", "احمد", "ـــ", "،", "\n"]  # fmt: skip
WANTED_STEMS = {"وزير": 0, "مغرب": 1, "قال": 2, "احمد": 3, "2015": 4}


@given(
    st.lists(st.sampled_from(VOCABULARY), max_size=120),
    st.sampled_from([None, ANY_FOUND, NEVER]),
    st.sampled_from([None, 5, 40]),
)
@settings(max_examples=150, deadline=None)
def test_fast_scans_find_every_matching_word_in_order(pieces, settled, limit) -> None:
    text = " ".join(pieces)
    words = WordAnalysis(AnalysisConfig(), cache_limit=64)  # a small cache turns over too
    matcher = words.matcher(WANTED_STEMS)
    every = words.tokens(text)
    with_terms = [w.terms for w in every if w.terms.exact or w.terms.stems]
    assert with_terms == [w.terms for w in words._chain_tokens(text)]  # (a word of ـ alone: none)
    kept = every if limit is None else every[:limit]
    expected = [(w.position, v) for w in kept if (v := matcher.verdict(w.terms)) is not None]
    assert matcher.positions(text, limit=limit) == expected
    assert words.positions(text, matcher.verdict, {}, limit=limit) == expected
    assert_read_until_settled(matcher.positions(text, settled, limit), expected, settled)
    found = words.positions(text, matcher.verdict, {}, settled, limit)
    assert_read_until_settled(found, expected, settled)
    spans = [(w.start, w.end) for w in every if matcher.verdict(w.terms) is not None]
    assert words.spans(text, matcher.verdict, {}) == spans
    sieve = words.sieve(WANTED_STEMS)
    assert sieve is not None
    assert words.spans(text, matcher.verdict, {}, sieve) == spans, "the sieve loses no word"
    copy = "".join(list(text))  # an equal text, another string: read from the kept split
    assert words.splits(copy) is words.splits(text)
    assert matcher.positions(copy, limit=limit) == expected
    assert_read_until_settled(matcher.positions(copy, settled, limit), expected, settled)
    assert words.spans(copy, matcher.verdict, {}) == spans
