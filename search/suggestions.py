"""What a search offers beside its hits: "did you mean" and autocomplete, and how the
documents write a word (a suggestion shows أحمد, not the normalized احمد; what else a query
searched shows أمريكا, not امريكا).

Both read the index's dictionary on a query's expansion budget (search/expansion.py), through
the store's reader (index/contract.py), so they work alike on a folder and on a cluster.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from bahth.analyzers import WordAnalysis, too_long, unmarked
from bahth.index.contract import Reader
from bahth.index.deadline import DID_YOU_MEAN, SUGGESTIONS
from bahth.index.fields import TEXT_FIELD, TITLE_FIELD, exact_field
from bahth.search import highlight
from bahth.search.expansion import ExpansionBudget, close_words, prefix_frequencies

# "Did you mean": offered when a query finds fewer documents than this, or has a word found
# in fewer documents than RARE_WORD_DOCS, and a spelling within one or two edits is in at
# least SUGGESTION_ADVANTAGE times as many documents.
SUGGEST_BELOW = 3
RARE_WORD_DOCS = 1
SUGGESTION_ADVANTAGE = 5
AS_WRITTEN_CHARS = 5_000  # of each hit's title and text, read for how it spells a word
SURFACES_KEPT = 20_000  # spellings remembered per generation (then the memory starts over)
EXACT_FIELDS = (exact_field(TEXT_FIELD), exact_field(TITLE_FIELD))


def _frequency(reader: Reader, word: str) -> int:
    return sum(reader.frequency(field, word) for field in EXACT_FIELDS)


def did_you_mean(
    reader: Reader,
    words: WordAnalysis,
    plain_words: list[tuple[str, str]],
    total: int,
    budget: ExpansionBudget,
) -> str | None:
    """A respelling of the query when it finds little, or one of its words is rare and a
    close spelling is much more common (a doubled, dropped or wrong letter). ``plain_words``:
    (as typed, normalized) for each plain word; the close spellings are looked up on the
    query's expansion budget: what * and ~ left of it."""
    frequencies = [_frequency(reader, word) for _, word in plain_words]
    if total >= SUGGEST_BELOW and min(frequencies, default=RARE_WORD_DOCS) >= RARE_WORD_DOCS:
        return None
    changed, respelled = False, []
    for (typed, word), frequency in zip(plain_words, frequencies, strict=True):
        best, best_frequency = None, max(1, frequency * SUGGESTION_ADVANTAGE) - 1
        if frequency < RARE_WORD_DOCS and len(word) >= 3:
            distance = 1 if len(word) <= 5 else 2
            close = close_words(reader, EXACT_FIELDS[0], word, distance, budget, DID_YOU_MEAN)
            for candidate in close:
                candidate_frequency = _frequency(reader, candidate)
                if candidate_frequency > best_frequency:
                    best, best_frequency = candidate, candidate_frequency
        if best:
            changed = True
            respelled.append(surface(reader, words, best))
        else:
            respelled.append(typed)
    return " ".join(respelled) if changed else None


def completions(
    reader: Reader, words: WordAnalysis, prefix: str, limit: int, budget: ExpansionBudget
) -> list[str]:
    """Whole indexed words starting with ``prefix`` (a normalized term), most frequent
    first, spelled as in the documents, as far as the budget goes; never a stop word, nor a
    word longer than any word (an index built before the term-length cap may hold one)."""
    counts, _ = prefix_frequencies(reader, EXACT_FIELDS, prefix, budget, SUGGESTIONS)
    ranked: list[str] = []
    for word in sorted(counts, key=lambda w: (-counts[w], w)):
        if not too_long(word) and not words.word(word).stop:
            ranked.append(word)
            if len(ranked) == limit:
                break
    surfaces = []
    for word in ranked:  # each reads a document's stored text
        budget.deadline.check(SUGGESTIONS)
        surfaces.append(surface(reader, words, word))
    return list(dict.fromkeys(surfaces))


def surface(reader: Reader, words: WordAnalysis, word: str) -> str:
    """How the documents write ``word`` (a normalized term): the first spelling found,
    without diacritics, tatweel or format characters (analyzers.unmarked), e.g. احمد →
    أحمد; the term itself when none is found, or when the spelling is too long. Kept with
    the reader's generation."""
    known = reader.cache.setdefault("surfaces", {})
    found = known.get(word)
    if found is not None:
        return found
    found = word
    for stored in (TITLE_FIELD, TEXT_FIELD):
        field = exact_field(stored)
        handle = reader.first_with(field, word)
        if handle is None:
            continue
        text = (reader.stored(handle).get(stored) or "")[: highlight.SCAN_CHARS]
        spans = words.spans(
            text, lambda terms: True if terms.exact == word else None, {}, words.sieve((), [word])
        )
        if spans:
            start, end = spans[0]
            spelled = unmarked(text[start:end])
            found = word if too_long(spelled) else spelled
            break
    if len(known) >= SURFACES_KEPT:
        known.clear()
    known[word] = found
    return found


def as_written(
    reader: Reader,
    words: WordAnalysis,
    pairs: Sequence[tuple[str, str]],
    documents: Iterable[dict],
) -> list[tuple[str, str]]:
    """(as typed, searched) pairs, each searched term (a normalized term, or two) spelled as
    the collection writes it: its commonest spelling in ``documents`` (the stored fields a
    request has read: its hits; the first AS_WRITTEN_CHARS of each field, so a long text
    costs no more than a short one), else the first document's (``surface``)."""
    wanted = {word for _, searched in pairs for word in searched.split()}
    if not wanted:
        return list(pairs)
    spellings: dict[str, Counter] = {}
    verdicts: dict[str, bool | None] = {}
    sieve = words.sieve((), wanted)
    for document in documents:
        for field in (TITLE_FIELD, TEXT_FIELD):
            text = (document.get(field) or "")[:AS_WRITTEN_CHARS]
            found = words.spans(
                text, lambda terms: True if terms.exact in wanted else None, verdicts, sieve
            )
            for start, end in found:
                spelled = text[start:end]
                term = words.word(spelled).exact
                spellings.setdefault(term, Counter())[unmarked(spelled)] += 1

    def spelled(term: str) -> str:
        counts = spellings.get(term)
        if counts:
            best = counts.most_common(1)[0][0]
            return term if too_long(best) else best
        return surface(reader, words, term)

    return [
        (typed, " ".join(spelled(word) for word in searched.split())) for typed, searched in pairs
    ]
