"""A text's words are split once and kept for the next reader (analyzers/splits.py): the
second stage, the highlighter and "as written" read the same hits."""

import re

import pytest

from bahth.analyzers import splits
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
