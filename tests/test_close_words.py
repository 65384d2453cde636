"""search.expansion.close_words (did-you-mean, word~) against an exhaustive reference: Whoosh's
terms_within over the whole dictionary (no shared prefix), on an index of several segments.

close_words only looks at words that share their first letters with the typed one (typos
rarely touch them); so it must never give a word the reference does not, and it must find the
intended word whenever the typo is past those first letters.
"""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bahth.search.engine import SearchEngine
from bahth.search.expansion import close_words

FIRST_LETTERS_KEPT = 3  # typos made at or after this letter must be found


@pytest.fixture(scope="module")
def reader(news_index: Path):
    engine = SearchEngine(news_index)
    reader = engine._reader()
    assert not reader.whoosh.is_atomic(), "the index should have several segments"
    yield reader
    engine.close()


@pytest.fixture(scope="module")
def words(reader) -> list[str]:
    found = sorted(w.decode("utf-8") for w in reader.whoosh.lexicon("text_exact"))
    return [w for w in found if len(w) > FIRST_LETTERS_KEPT + 1]


def _typo(word: str, kind: int, at: int) -> str:
    """A dropped, doubled or swapped letter, or one added at the end, at or past letter
    ``FIRST_LETTERS_KEPT``."""
    i = FIRST_LETTERS_KEPT + at % max(1, len(word) - FIRST_LETTERS_KEPT - 1)
    return [
        word[:i] + word[i + 1 :],
        word[:i] + word[i] + word[i:],
        word[:i] + word[i + 1 : i + 2] + word[i] + word[i + 2 :],
        word + "ي",
    ][kind]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_close_words_finds_the_word_and_nothing_too_far(reader, words, data) -> None:
    original = data.draw(st.sampled_from(words))
    kind = data.draw(st.integers(0, 3))
    typed = _typo(original, kind, data.draw(st.integers(0, 20)))
    distance = 2 if kind == 2 else data.draw(st.sampled_from([1, 2]))  # a swap is two edits
    found = close_words(reader, "text_exact", typed, distance)
    everything = set(reader.whoosh.terms_within("text_exact", typed, distance, prefix=0))
    assert set(found) <= everything
    assert original in found
    assert found == sorted(found) and len(found) == len(set(found))
