"""Limits that more than one floor keeps, each with its reason, in one place."""

from __future__ import annotations

from bahth.analyzers import MAX_WORD_CHARS

# No dictionary word a store lists is longer than this (in UTF-8): the longest term the
# analysis keeps (MAX_WORD_CHARS, Lucene's 255), four bytes a character at most. An index
# built before the cap may hold a longer one: it is passed over unread.
MAX_WORD_BYTES = 4 * MAX_WORD_CHARS
