"""Synonyms: groups of entries a user declares equivalent, searched for one another at query
time (``SearchEngine(..., synonyms=[["الأمم المتحدة", "UN"], ["واشنطن", "الولايات المتحدة"]])``,
the settings file's ``[analysis] synonyms``).

Why at query time: a group changes no indexed term, so it applies at once, with no rebuild,
and an index can be searched with other groups tomorrow.

An entry is one word or several (a phrase). Entries are analyzed by the index's WordAnalysis,
as the documents were, so an entry matches every spelling the text analysis folds together:
"الامم المتحده" is "الأمم المتحدة", and a query word matches an entry word as a query word
matches a document's word: the same exact term, or a stem in common (بواشنطن is واشنطن). A
query word, or a run of query words, that matches an entry also searches the group's other
entries (QueryBuilder builds the clauses: a word's stems and exact form; a phrase on the exact
fields, also with a proclitic on its first word, ``phrase_forms``).

One way: a group with ``=>`` among its entries (``["كازا", "=>", "الدار البيضاء"]``, Solr's
explicit mapping) searches the entries after the arrow for those before it, and never the
other way: a dialect or slang word finds the standard one, and a query in the standard
language is not widened by words its own documents seldom mean the same by (bahth's
built-in Moroccan Darija groups are of this kind, analyzers/lexicon.py).

Weight: an entry is another path through the query. A document with the whole of it scores
as one with the whole of what was typed, times ``Ranking.synonym_boost``: its clauses are
boosted by what the typed words' clauses weigh over what its own weigh (``searched_weight``,
in idf units), so the words as typed rank first even when the synonym is the rarer word,
which BM25's idf alone would rank first; the second stage counts it the same way
(search/rerank.py's Path). Budget: each entry's
words are charged to the query's expansion budget (search/expansion.py): a group of a
thousand entries cannot make one query search a thousand phrases.

Cost: the groups are indexed by the terms of the entries looked up, each distinct entry once
with the groups it is in, and a match's other entries are read as the query takes them
(``Others``). So a query word in 20,000 groups reads the groups its budget lets it search,
not 20,000, and identical groups are one: over the five seed articles, a query for a word
20,000 groups hold took 78 ms, now 19 ms (it searches 150 synonyms, its budget); for a word
in 20,000 identical groups 58 ms, now 7 ms, as a query no group holds.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bahth.analyzers import (
    ARTICLE,
    WordAnalysis,
    WordTerms,
    check_groups,
    clitic_readings,
    one_way,
    proclitic_forms,
    split_article,
)
from bahth.index.fields import TEXT_FIELD, TITLE_FIELD, exact_field
from bahth.search.notices import notice
from bahth.search.ranking import Ranking

SYNONYMS_CUT = str(notice("synonyms_cut"))
STEMS, EXACT, TITLE_EXACT = TEXT_FIELD, exact_field(TEXT_FIELD), exact_field(TITLE_FIELD)
FORM = "~"  # marks a key of a group matched by form (exact terms are marked "=")


@dataclass(frozen=True)
class Entry:
    """One entry of a group, analyzed: what each of its words becomes, in order."""

    text: str  # as the user gave it
    words: tuple[WordTerms, ...]

    @property
    def exact(self) -> tuple[str, ...]:
        return tuple(word.exact for word in self.words)


class Others:
    """The entries a match searches as well: those of its groups, in the order given, each
    once, never one that reads as the words matched. Read from the groups as they are asked
    for (and kept, so they can be read again): the query stops at its budget."""

    def __init__(
        self,
        groups: Sequence[tuple[Entry, ...]],
        numbers: Sequence[Sequence[int]],
        typed: Sequence[WordTerms],
    ) -> None:
        self._source = _others(groups, numbers, typed)
        self._read: list[Entry] = []

    def _next(self) -> bool:
        entry = next(self._source, None)
        if entry is not None:
            self._read.append(entry)
        return entry is not None

    def __bool__(self) -> bool:
        return bool(self._read) or self._next()

    def __iter__(self) -> Iterator[Entry]:
        at = 0
        while at < len(self._read) or self._next():
            yield self._read[at]
            at += 1


def _others(
    groups: Sequence[tuple[Entry, ...]],
    numbers: Sequence[Sequence[int]],
    typed: Sequence[WordTerms],
) -> Iterator[Entry]:
    """Others' entries: the groups ``numbers`` (ascending lists, merged) name, in order."""
    seen: set[tuple[str, ...]] = set()
    last = -1
    for number in heapq.merge(*numbers):
        if number == last:
            continue
        last = number
        for entry in groups[number]:
            if entry.exact not in seen and not _same_words(typed, entry.words):
                seen.add(entry.exact)
                yield entry


@dataclass(frozen=True)
class Match:
    """Query words ``start``..``end`` (exclusive) matched an entry; ``others`` are the
    entries of its group(s) to search as well (never one that reads as the words matched)."""

    start: int
    end: int
    others: Others


class Synonyms:
    """The groups, analyzed for one index (its WordAnalysis), looked up by a query's words."""

    def __init__(
        self,
        groups: Sequence[Sequence[str]],
        words: WordAnalysis,
        by_form: Sequence[Sequence[str]] = (),
    ) -> None:
        """``groups`` are looked up as the text is matched (a stem in common will do);
        ``by_form`` ones (bahth's Darija groups) by their words as written, give or take a
        clitic: a dialect word is short, and its stem is often a standard word's (السيمانة
        and سيما, الحراكة and الحراك, الكورة and كوريا share one), so only بالبوليس,
        والبوليس ... look up البوليس. Their looked-up entries are single words."""
        self.groups: list[tuple[Entry, ...]] = []  # per group, the entries searched
        # term -> each distinct entry looked up by it (by its words), with the numbers of
        # the groups it is looked up in, ascending
        self._by_term: dict[str, dict[tuple[WordTerms, ...], tuple[Entry, list[int]]]] = {}
        self._numbers: dict[tuple, int] = {}  # a group's searched entries -> its number
        for group in check_groups(groups):
            self._add(group, words, by_form=False)
        for group in check_groups(by_form):
            self._add(group, words, by_form=True)

    def _add(self, group: Sequence[str], words: WordAnalysis, by_form: bool) -> None:
        looked_up, searched = one_way(group)
        analyzed = {text: _analyzed(text, words) for text in (*looked_up, *searched)}
        entries = tuple(analyzed[text] for text in searched)
        number = self._numbers.setdefault(tuple(e.words for e in entries), len(self.groups))
        if number == len(self.groups):  # (a group searching the same entries is that group)
            self.groups.append(entries)
        for text in looked_up:
            entry = analyzed[text]
            if by_form and len(entry.words) != 1:
                raise ValueError(f"synonyms: {text!r}: a group matched by form needs one word")
            keys = (
                _form_keys(entry.words[0].exact, entry_side=True)
                if by_form
                else _keys(entry.words[0])
            )
            for term in keys:
                _, numbers = self._by_term.setdefault(term, {}).setdefault(entry.words, (entry, []))
                at = bisect_left(numbers, number)
                if at == len(numbers) or numbers[at] != number:
                    numbers.insert(at, number)

    def __bool__(self) -> bool:
        return bool(self.groups)

    def matches(self, run: Sequence[WordTerms], phrases: bool) -> list[Match]:
        """Where the query words ``run`` match an entry: one-word entries only, or (with
        ``phrases``) entries of two words or more only. Each match lists the other entries
        of the groups it is in, in the order they were given, each once."""
        found = []
        for start, first in enumerate(run):
            by_end: dict[int, list[list[int]]] = {}
            for term in sorted(_keys(first) | _form_keys(first.exact)):
                for entry, numbers in self._by_term.get(term, {}).values():
                    size = len(entry.words)
                    if (size > 1) != phrases:
                        continue
                    if term.startswith(FORM) or _same_words(run[start : start + size], entry.words):
                        by_end.setdefault(start + size, []).append(numbers)
            for end, numbers in by_end.items():
                others = Others(self.groups, numbers, run[start:end])
                if others:
                    found.append(Match(start, end, others))
        return found


def _analyzed(text: str, words: WordAnalysis) -> Entry:
    analyzed = tuple(t.terms for t in words.tokens(text) if t.terms.exact)
    if not analyzed:
        raise ValueError(f"synonyms: {text!r} has no word bahth can search for")
    return Entry(text, analyzed)


def phrase_forms(reader, words: Sequence[str]) -> list[tuple[str, ...]]:
    """A phrase entry's exact words as given, then as the index also writes them with a
    proclitic on the first word (الولايات المتحدة: بالولايات المتحدة, والولايات المتحدة):
    the exact fields keep clitics on, so the phrase alone would miss them. Only the forms
    whose first word the index holds, so a form costs a dictionary lookup or nothing."""
    first, rest = words[0], tuple(words[1:])
    heads = proclitic_forms(first)
    found = [
        head
        for head in heads
        if reader.frequency(EXACT, head) or reader.frequency(TITLE_EXACT, head)
    ]
    return [tuple(words), *((head, *rest) for head in found)]


def weight(reader, ranking: Ranking, words: Sequence[WordTerms], phrase: bool) -> float:
    """What ``words`` weigh in a score: the sum of their idfs. A word counts its rarest stem
    (the stemmed fields carry most of a word's score), a stop word or a word of a phrase its
    exact term (a phrase is matched on the exact fields)."""
    documents = max(1, reader.collection_size())

    def idf(field: str, term: str) -> float:
        return ranking.word_idf(reader.frequency(field, term), documents)

    return sum(
        idf(EXACT, word.exact)
        if phrase or not word.stems
        else max(idf(STEMS, stem) for stem in word.stems)
        for word in words
    )


def searched_weight(reader, ranking: Ranking, words: Sequence[WordTerms], phrase: bool) -> float:
    """What the clauses that search ``words`` add to a document that has them all, in idf
    units (the term-frequency parts left aside): a word searched as a query word its stems
    (a word read two ways is indexed under both) and ``exact_boost`` times its exact form,
    those the index holds (its documents may have the word in another form: بواشنطن's have
    واشنطن), or its rarest stem when none is held; a stop word, or a word of a phrase (on the
    exact fields), its exact form. A
    synonym's boost is the typed words' over its own (search/alternatives.py), so that a
    document with the whole of a synonym scores as one with the whole of what was typed,
    whatever the two are searched as."""
    documents = max(1, reader.collection_size())
    exact_share = ranking.exact_boost if ranking.use_exact else 0.0

    def idf(field: str, term: str) -> float:
        return ranking.word_idf(reader.frequency(field, term), documents)

    def as_a_word(word: WordTerms) -> float:
        counts = reader.frequencies(STEMS, word.stems)
        held = [count for count in counts.values() if count]
        stems = sum(ranking.word_idf(count, documents) for count in held)
        if not held:  # no document has it: what its rarest reading would weigh
            stems = max(ranking.word_idf(count, documents) for count in counts.values())
        exact = reader.frequency(EXACT, word.exact) if exact_share else 0
        return stems + (exact_share * idf(EXACT, word.exact) if exact else 0.0)

    return sum(
        idf(EXACT, word.exact) if phrase or not word.stems else as_a_word(word) for word in words
    )


def proximity_weight(reader, ranking: Ranking, words: Sequence[WordTerms]) -> float:
    """What the proximity bonus adds, in idf units, to a document that has the typed words
    ``words`` standing together (search/query.py's ``_proximity``: adjacent content words
    of a short query, on the text's exact field), which a synonym's document does not get."""
    content = [word.exact for word in words if word.stems]
    if not (ranking.proximity_boost and ranking.use_exact):
        return 0.0
    if not 1 < len(content) <= ranking.proximity_max_words:
        return 0.0
    documents = max(1, reader.collection_size())
    counts = reader.frequencies(EXACT, content)
    idf = {word: ranking.word_idf(counts.get(word, 0), documents) for word in content}
    pairs = [(a, b) for a, b in zip(content, content[1:], strict=False) if a != b]
    return ranking.proximity_boost * sum(idf[a] + idf[b] for a, b in pairs)


def found_already(entry: Entry, entries: Sequence[Entry], stems: set[str]) -> bool:
    """Do the documents with ``entry`` already score as the words typed through another
    entry (or the words typed), so that searching it too would count them twice? Yes for a
    one-word entry with a stem in ``stems`` (the typed words' and the one-word entries'
    searched before it: اثنان after اثنين, both اثن), and for an entry another of
    ``entries`` stands inside (البيضاء in الدار البيضاء)."""
    if len(entry.words) == 1 and stems.intersection(entry.words[0].stems):
        return True
    mine = entry.exact
    for other in entries:
        size = len(other.exact)
        if size < len(mine) and any(
            mine[at : at + size] == other.exact for at in range(len(mine) - size + 1)
        ):
            return True
    return False


def _form_keys(exact: str, entry_side: bool = False) -> set[str]:
    """The terms a word is looked up by in a group matched by form: its readings without
    clitics (clitic_readings), marked apart. An entry is written bare or with ال, so its own
    keys are the word and the word without ال (فرملية must not read as ف + رملية); but an
    entry in ة keeps its ال: without it, the ة folded into ه reads as a pronoun (الديوانة
    bare is ديوانه, "his diwan")."""
    if entry_side:
        prefix, rest = split_article(exact)
        bare = rest if prefix == ARTICLE and not exact.endswith("ه") else exact
        return {FORM + exact, FORM + bare}
    return {FORM + reading for reading in clitic_readings(exact)}


def _keys(word: WordTerms) -> set[str]:
    """The terms a word is looked up by: its exact term, marked apart from its stems."""
    return {f"={word.exact}"} | set(word.stems)


def _same_words(query: Sequence[WordTerms], entry: Sequence[WordTerms]) -> bool:
    """Do the query's words match the entry's, one for one?"""
    return len(query) == len(entry) and all(map(_same_word, query, entry))


def _same_word(query: WordTerms, entry: WordTerms) -> bool:
    """Does a query word match an entry's word, as it would match a document's word?"""
    return query.exact == entry.exact or bool(set(query.stems) & set(entry.stems))
