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
            assert tuple(rules(word)) == tuple(chain_terms(words, word)), word
    assert words.per_word and words.check(PROBE)


@given(st.text(alphabet="ابتثجحخدذرسشصضطظعغفقكلمنهويءآأإؤئىةَُِّْـٰ ًٌٍAaZz09", max_size=12))
@settings(max_examples=300, deadline=None)
def test_any_word_gets_the_chains_terms(word) -> None:
    words = WordAnalysis(AnalysisConfig())
    rules = word_rules(words.stemmed_chain, words.exact_chain)
    if words.surfaces(word) == [word]:
        assert tuple(rules(word)) == tuple(chain_terms(words, word))


def test_a_step_the_rules_do_not_know_leaves_the_words_to_the_chains() -> None:
    words = WordAnalysis(AnalysisConfig())
    chain = words.stemmed_chain | StopFilter()  # Whoosh's own: not a bahth step
    assert word_rules(chain, words.exact_chain) is None
    words.stemmed_chain, words._rules = chain, None
    assert words.word("الوزير").stems == ("وزير",)  # learned through the chains
