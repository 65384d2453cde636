"""A text's words are split once and kept for the next reader (analyzers/splits.py): the
second stage, the highlighter and "as written" read the same hits."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bahth.analyzers import splits, tokenizer
from bahth.analyzers.splits import Splits

WORDS = re.compile(r"\w+")


def test_a_kept_text_is_not_split_again_and_equal_texts_share_it() -> None:
    kept = Splits(WORDS)
    text = "قال الوزير في الرباط"
    first = kept(text)
    assert kept("".join(list(text))) is first  # another string object, equal text
    assert first.surfaces == ["قال", "الوزير", "في", "الرباط"]


@pytest.mark.parametrize(
    ("text", "at", "span"),
    [
        ("قال الوزير", 1, (4, 10)),
        ("  بـــالمغرب، و2015", 0, (2, 12)),
        ("a\nb", 1, (2, 3)),
    ],
    ids=["after-a-space", "tatweel-inside-a-word", "after-a-newline"],
)
def test_a_span_is_where_the_expression_found_the_word(text, at, span) -> None:
    split = Splits(WORDS)(text)
    assert (
        split.span(at)
        == span
        == next(m.span() for i, m in enumerate(WORDS.finditer(text)) if i == at)
    )


def test_the_least_recently_used_text_goes_first_past_the_bound() -> None:
    kept = Splits(WORDS, max_chars=30)
    a, b, c = "أ" * 10, "ب" * 10, "ج" * 10
    first_a = kept(a)
    kept(b)
    assert kept(a) is first_a  # a is now the most recently used
    kept(c)
    kept("د" * 10)  # past 30 characters: b, the least recently used, goes
    assert b not in kept._kept and a in kept._kept
    assert kept(a) is first_a
    assert kept._chars <= 30


def test_a_text_too_long_to_keep_is_split_each_time(monkeypatch) -> None:
    monkeypatch.setattr(splits, "MAX_CHARS", 20)
    kept = Splits(WORDS)
    text = "كلمة " * 10
    assert kept(text) is not kept(text)
    assert kept(text).surfaces == ["كلمة"] * 10
    assert not kept._kept


# A text read in parts (for a reader that may stop early) is cut only where no word can
# span: every piece of text the tokenizer treats apart, a space and a line break among them.
PIECES = [*"ابتءآأةى", "ـ", "ﻻ", "ٰ", "َ", *"٣٫٥.,", "5", "x", "_", " ", "،", "\n", "\t"]
PIECES += ["\U0001f600", "\U000110bd", "\u200c"]


@given(
    st.lists(st.sampled_from(PIECES), max_size=60).map("".join),
    st.sampled_from([None, 1, 3, 1000]),
    st.integers(min_value=1, max_value=8),
)
@settings(max_examples=400, deadline=None)
def test_a_text_read_in_parts_has_the_words_of_the_whole(text, limit, first_part) -> None:
    words = tokenizer._WORDS.findall(text)
    expected = words if limit is None else words[:limit]
    kept = Splits(tokenizer._WORDS, first_part=(first_part, first_part))
    parts = list(kept.parts(text, limit))
    assert [word for part in parts for word in part] == expected
    assert kept(text).surfaces == words, "what is kept is the whole text's split"
    assert [word for part in kept.parts(text, limit) for word in part] == expected


def test_a_reader_that_stops_early_leaves_the_rest_unsplit() -> None:
    kept = Splits(WORDS, first_part=(10, 2))
    text = " ".join(f"w{n}" for n in range(1000))
    parts = kept.parts(text)
    assert next(parts) == ["w0", "w1", "w2", "w3"]  # ten characters, to the next space
    parts.close()
    assert kept._kept == {}, "a text not read to its end is not kept (it would be cut short)"
    assert [len(part) for part in kept.parts(text)] == [4, 996], "then the rest, if asked"
    assert kept(text).surfaces == WORDS.findall(text), "read to its end: kept"
    assert [len(part) for part in kept.parts(text)] == [2, 998], "a kept split's first words"
