"""Properties of the whole pipeline that must hold for any text."""

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bahth.analyzers import (
    STEMMERS,
    AnalysisConfig,
    WordAnalysis,
    analyze,
    arabic_analyzer,
    exact_analyzer,
)

ARABIC_HEAVY = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
        st.characters(min_codepoint=0xFB50, max_codepoint=0xFEFF),
        st.sampled_from(" \u200c\u200d\u200f\u0640،؛؟«»“”.-AbZ019"),
    ),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=80), ARABIC_HEAVY), st.sampled_from(STEMMERS))
def test_never_raises_and_offsets_slice_the_original(text: str, stem: str) -> None:
    tokens = analyze(text, stem=stem)
    last_start = -1
    for token in tokens:
        assert 0 <= token.start < token.end <= len(text)
        assert text[token.start : token.end] == token.surface
        assert token.start >= last_start
        assert token.term
        last_start = token.start


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=80), ARABIC_HEAVY), st.sampled_from(STEMMERS))
def test_per_word_analysis_is_the_chains_analysis(text: str, stem: str) -> None:
    """What WordAnalysis says each word becomes, read word by word from its cache, is what
    the Whoosh chains give for the whole text: the assumption every caller relies on."""
    words = WordAnalysis(AnalysisConfig(stem=stem))
    assert words.check(text) and words.per_word


@pytest.mark.parametrize("make", [arabic_analyzer, exact_analyzer], ids=["stemmed", "exact"])
def test_survives_pickle_round_trip(make) -> None:
    analyzer = make()
    text = "والمغربية وقال ﻻ أَحْمَد FBI ١٣"
    restored = pickle.loads(pickle.dumps(analyzer))
    assert [t.text for t in restored(text)] == [t.text for t in analyzer(text)]
    assert restored == analyzer


def test_spelling_variants_meet_in_one_term() -> None:
    variants = ["أحمد", "احمد", "أَحْمَد", "أحـــمد", "ﺃﺣﻤﺪ"]
    assert {tuple(t.term for t in analyze(v)) for v in variants} == {("احمد",)}


def test_stop_words_removed_but_positions_keep_gaps() -> None:
    tokens = analyze("ذهب إلى المغرب")
    assert [(t.term, t.position) for t in tokens] == [("ذهب", 0), ("مغرب", 2)]
