"""The limits bahth keeps, each with its reason, in one place: what a record, a query, a page
and a suggestion may be at most. The web's own, smaller ones are its configuration's
(web/__init__.py DEFAULTS); the budgets of expanding ``*`` and ``~`` words are the budget's
own (search/expansion.py, search/admission.py)."""

from __future__ import annotations

from bahth.analyzers import MAX_WORD_CHARS

# No dictionary word a store lists is longer than this (in UTF-8): the longest term the
# analysis keeps (MAX_WORD_CHARS, Lucene's 255), four bytes a character at most. An index
# built before the cap may hold a longer one: it is passed over unread.
MAX_WORD_BYTES = 4 * MAX_WORD_CHARS
# Lists and objects one value of a record may nest (index/documents.py): JSON's own parser
# stops near 1,000, and a value nested 500 deep already failed where it was copied.
MAX_RECORD_DEPTH = 100
# A query longer than this is cut at a space before it (and the page says so).
MAX_QUERY_CHARS = 2000
# Words one query searches, at most (each may bring its stems, variants and synonyms).
MAX_QUERY_WORDS = 40
# Letters a prefix search (word*) and a suggestion need before they read the dictionary.
MIN_PREFIX = 2
# Hits one page holds, and pages one may ask for: enough for batch use, bounded for a server.
MAX_PER_PAGE = 1000
MAX_PAGE = 10_000
# Characters of a document's text its page shows (a 20 MB text would take seconds to mark).
DOCUMENT_CHARS = 500_000
# Words suggest() gives at most, whatever the limit asked.
MAX_SUGGESTIONS = 50
