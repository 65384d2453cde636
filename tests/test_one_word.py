"""The chain's rules asked one word at a time (analyzers/one_word.py) give what the Whoosh
chains give for that word, for every analysis an index can have; a chain with a step they
do not know is left to the chains."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.analysis import StopFilter

from bahth.analyzers import AnalysisConfig, WordAnalysis
from bahth.analyzers.one_word import word_rules
from bahth.analyzers.stemmer import stem_piece
from bahth.analyzers.words import PROBE

# Each kind of word the rules treat differently: clitics and the article, pronoun suffixes,
# stop words (alone, with و, with a final ى), diacritics, tatweel, hamza forms, ى and ة, a
# dagger alef, Latin words, digits in two scripts, a ligature, a word of marks alone.
WORDS = [
    *PROBE.split(),
    "فى", "الذى", "علي", "على", "وفي", "ففي", "هٰذا", "الرحمٰن", "ـــ", "َ", "ءامن",
    "The", "Running", "CIA's", "٢٠١٥", "3.5", "ﻻ", "والمغربية", "بتمارة", "حكومتهم",
    "قالوا", "جديدا", "موسى", "الله", "فكرة", "وزير", "مسؤولية", "ليلى", "کتاب", "گال",
]  # fmt: skip

CONFIGS = [
    pytest.param(AnalysisConfig(), id="bahth-default"),
    pytest.param(AnalysisConfig(stem="snowball"), id="snowball-stemmer"),
    pytest.param(AnalysisConfig(stem="none"), id="no-stemmer"),
    pytest.param(AnalysisConfig(normalize=False), id="no-normalizer-lowercase-only"),
    pytest.param(AnalysisConfig(stopwords=False), id="no-stop-words"),
    pytest.param(
        AnalysisConfig(stopwords_add=("المغربية", "وزير"), stopwords_remove=("في", "على")),
        id="stop-words-added-and-removed",
    ),
]


def chain_terms(words: WordAnalysis, word: str):
    """The word's terms from the chains (no rules asked)."""
    return words._analyze_apart(word, 1)[0]


@pytest.mark.parametrize("config", CONFIGS)
def test_the_rules_give_what_the_chains_give_for_every_kind_of_word(config) -> None:
    words = WordAnalysis(config)
    rules = word_rules(words.stemmed_chain, words.exact_chain)
    assert rules is not None, "bahth's own chains are all rules it knows"
    for word in WORDS:
        if words.surfaces(word) == [word]:  # (one word, as the tokenizer splits it)
            assert tuple(rules.terms(word)) == tuple(chain_terms(words, word)), word
    assert words.per_word and words.check(PROBE)


@given(st.text(alphabet="ابتثجحخدذرسشصضطظعغفقكلمنهويءآأإؤئىةَُِّْـٰ ًٌٍAaZz09", max_size=12))
@settings(max_examples=300, deadline=None)
def test_any_word_gets_the_chains_terms(word) -> None:
    words = WordAnalysis(AnalysisConfig())
    rules = word_rules(words.stemmed_chain, words.exact_chain)
    if words.surfaces(word) == [word]:
        assert tuple(rules.terms(word)) == tuple(chain_terms(words, word))


# The sieve (a word may have a stem only if it holds the stem's piece) is what lets the
# second stage skip learning most words of a new text: it must pass every word that has the
# stem, and turn away the words that do not hold it. (stem, word that has it, one that not)
SIEVE_ROWS = [
    pytest.param("وزير", "والوزير", "الكتاب", id="the-article-and-a-conjunction-are-stripped"),
    pytest.param("حكوم", "حكومتهم", "حكم", id="a-pronoun-and-the-ta-before-it"),
    pytest.param("مغرب", "المغربية", "غربية", id="suffixes-stripped-from-the-end"),
    pytest.param("امير", "أمير", "مير", id="the-word-is-normalized-before-the-test"),
    pytest.param("قال", "قالوا", "لقا", id="a-plural-verbs-alef"),
]


@pytest.mark.parametrize(("stem", "has", "lacks"), SIEVE_ROWS)
def test_the_sieve_passes_every_word_with_the_stem_and_turns_others_away(stem, has, lacks):
    words = WordAnalysis(AnalysisConfig())
    assert stem in words.word(has).stems
    assert words.sieve([stem])([lacks, has, "الكتاب"]) == [has], f"only {has} has {stem}"


@pytest.mark.parametrize("config", CONFIGS)
@given(st.lists(st.text(alphabet="ابتثجحخدذرسشصضطظعغفقكلمنهويءآأإؤئىةَُِّْـٰ ًٌٍAaﻻ", max_size=12)))
@settings(max_examples=200, deadline=None)
def test_the_sieve_passes_every_word_with_any_of_its_stems(config, texts) -> None:
    words = WordAnalysis(config)
    surfaces = [word for text in texts for word in words.surfaces(text)]
    for word in surfaces:
        for stem in words.word(word).stems:
            sieve = words.sieve([stem])
            assert sieve is None or word in sieve(surfaces), (word, stem)


def test_the_sieve_answers_the_same_when_its_kept_spellings_are_replaced(monkeypatch) -> None:
    from bahth.analyzers import one_word

    monkeypatch.setattr(one_word, "SPELLINGS_KEPT", 5)
    words = WordAnalysis(AnalysisConfig())
    text = [f"كلمة{n}" for n in range(40)] + ["الوزير", "وَزِيرُ", "الوزارة", "ٱلْوَزِيرُ"]
    sieve = words.sieve(["وزير"])
    for _ in range(3):  # spelled, kept, replaced, spelled again
        assert sieve(text) == ["الوزير", "وَزِيرُ", "ٱلْوَزِيرُ"]
        assert sieve(text[::-1]) == ["ٱلْوَزِيرُ", "وَزِيرُ", "الوزير"]


def test_a_stem_ending_in_ha_promises_only_the_letters_before_it() -> None:
    """The light stemmer writes a ت before a pronoun back as the ة it was (normalized ه):
    حكومته's reading حكومه holds no حكومه. (Its suffix rules then strip that ه too; the
    piece does not count on it.)"""
    assert stem_piece("حكومه", "light") == "حكوم"
    assert stem_piece("وزير", "light") == "وزير"


def test_no_sieve_where_the_stemmer_replaces_letters() -> None:
    assert WordAnalysis(AnalysisConfig(stem="snowball")).sieve(["مغرب"]) is None
    assert WordAnalysis(AnalysisConfig()).sieve(["mangi"]) is None, "English: mangoes, mangy"
    assert WordAnalysis(AnalysisConfig(stem="none")).sieve(["الوزير"]) is not None


def test_a_step_the_rules_do_not_know_leaves_the_words_to_the_chains() -> None:
    words = WordAnalysis(AnalysisConfig())
    chain = words.stemmed_chain | StopFilter()  # Whoosh's own: not a bahth step
    assert word_rules(chain, words.exact_chain) is None
    words.stemmed_chain, words._rules = chain, None
    assert words.word("الوزير").stems == ("وزير",)  # learned through the chains
