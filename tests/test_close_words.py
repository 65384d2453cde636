"""search.query.close_words (did-you-mean, word~) gives exactly what Whoosh's terms_within
gives with the same shared prefix, on an index of several segments."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bahth.search.engine import SearchEngine
from bahth.search.query import close_words


def whoosh_close_words(reader, fieldname: str, word: str, distance: int) -> list[str]:
    shared = 3 if word.startswith("ال") and len(word) >= 5 else 2 if len(word) >= 5 else 1
    return list(reader.terms_within(fieldname, word, distance, prefix=shared))


@pytest.fixture(scope="module")
def reader(news_index: Path):
    engine = SearchEngine(news_index)
    reader = engine._searcher().reader()
    assert not reader.is_atomic(), "the index should have several segments"
    yield reader
    engine.close()


@pytest.fixture(scope="module")
def words(reader) -> list[str]:
    return sorted(w.decode("utf-8") for w in reader.lexicon("text_exact"))


def _typo(word: str, kind: int, at: int) -> str:
    """A dropped, doubled or swapped letter, or one added at the end."""
    i = at % max(1, len(word) - 1)
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
def test_close_words_is_terms_within(reader, words, data) -> None:
    word = data.draw(st.sampled_from(words))
    word = _typo(word, data.draw(st.integers(0, 3)), data.draw(st.integers(0, 20)))
    distance = data.draw(st.sampled_from([1, 2]))
    expected = whoosh_close_words(reader, "text_exact", word, distance)
    assert close_words(reader, "text_exact", word, distance) == expected
