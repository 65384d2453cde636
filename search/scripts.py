"""Queries in the wrong script: what the index holds for a word typed on the wrong keyboard
layout, or written in Latin letters (analyzers/scripts.py has the rules of the writing; this
module asks the index which reading is a word). Part of the query compiler
(search/query.py's QueryBuilder), kept apart for its size.

* **Wrong layout** (``read_keyboard``, before the query is read as syntax, since the keys of
  و ك ج د ز ط are , ; [ ] . ' and would split a word): a chunk of the query whose Arabic
  (101) reading is words the index holds, while the chunk as typed is absent, is replaced by
  that reading, and searched as if typed right (proximity, the second stage, "did you mean"
  all see the Arabic). When at least half of a query's chunks read so, the query was typed
  on the wrong layout as a whole, and every chunk the index does not hold as typed is read
  too (short ones, words of the title only), and one it holds ``LAYOUT_RARER`` times less
  than its reading. A Latin word the collection holds, alone, stays (tag is no فشل). The
  reverse, cheaply: an Arabic chunk the index does not hold that is the Arabic-layout typing
  of a Latin word it holds (لخخلمث: google) is that word.
* **Latin letters** (``CrossScript._spelled``: Arabizi, names): a Latin word's Arabic-letter
  spellings that the index holds (the word, or the word with ال), ranked like name variants
  (search/variants.py) by how usual the spelling is and how common the word, at most
  ``MAX_SPELLINGS`` of them, each at ``Ranking.cross_script_boost``, below a word typed in
  Arabic. A Latin word the collection holds is searched as typed and first: its spellings
  weigh ``HELD_SHARE`` of that and the second stage does not count them. Quotes search the
  word as typed only.

``ParsedQuery.scripts`` names each reading, for ``Page.also_searched`` and the page's line.
``[analysis] cross_script = false`` (or ``cross_script_boost = 0``) turns both off.
"""

from __future__ import annotations

import re
from math import log

from bahth.analyzers import (
    ARTICLE,
    LAYOUT_KEYS,
    WordAnalysis,
    arabic_layout,
    arabic_spellings,
    latin_layout,
    latin_word,
    on_latin_keys,
)
from bahth.index.deadline import EXPANDING
from bahth.index.fields import TEXT_FIELD, exact_field
from bahth.index.nodes import Or, Phrase
from bahth.search.parsed import ParsedQuery
from bahth.search.suggestions import surface

FIELD = exact_field(TEXT_FIELD)
LAYOUT_RARER = 50  # the typed chunk must be this much rarer than its reading to be read
MIN_KEYS = 3  # a shorter chunk is read only in a query typed on the wrong layout as a whole
WHOLE_QUERY_SHARE = 0.5  # of the chunks that may be, read ones making a whole-query reading
SPELLINGS_LOOKED_UP = 80  # a Latin word's cheapest spellings asked of the index (and with ال)
MAX_SPELLINGS = 3  # a Latin word's spellings searched, the best first
MAX_RARER = 100  # a spelling rarer than the best one by more than this is left out
COST_WEIGHT = 1.5  # how many e-folds of frequency one unusual reading is worth
HELD_SHARE = 0.1  # the weight left to the spellings of a Latin word the collection holds
SPELLINGS_CACHE_LIMIT = 50_000
STEM_CANDIDATES = 40  # spellings looked up by stem when none is a word of the index
STEMS = TEXT_FIELD
KEYBOARD = "keyboard"  # how a word was read (ParsedQuery.scripts, Page.also_searched)
LATIN = "latin"
_KEYS = re.escape("".join(sorted(LAYOUT_KEYS)))
# a run of keys (and digits) or of Arabic letters: what a chunk's readings replace
_RUN = re.compile(rf"[{_KEYS}0-9]+|[\u0621-\u064a]+")
_EXPANDED = re.compile(r"(?:\*|~\d?)$")  # word* and word~: query syntax
_ARABIC_WORD = re.compile(r"^[\u0621-\u064a]{3,}$")


def read_keyboard(reader, words: WordAnalysis, text: str, parsed: ParsedQuery) -> str:
    """``text`` with each chunk typed on the wrong layout replaced by what was meant (see
    the module's docstring); each reading is added to ``parsed.scripts``."""
    chunks = [
        _Chunk(run, words, at.start())
        for at in re.finditer(r"\S+", text)
        if not _EXPANDED.search(at.group(0))  # typed as meant
        for run in _RUN.finditer(at.group(0))
    ]
    chunks = [chunk for chunk in chunks if chunk.readings]
    if not chunks:
        return text
    terms = {term for chunk in chunks for term in chunk.terms()}
    if not parsed.expansion.charge(len(terms), EXPANDING):
        return text
    frequencies = reader.frequencies(FIELD, sorted(terms))
    for chunk in chunks:
        chunk.judge(frequencies)
    latin = [c for c in chunks if c.latin and len(c.core) >= MIN_KEYS]
    whole = len(latin) >= 2 and sum(c.reads for c in latin) >= WHOLE_QUERY_SHARE * len(latin)
    out, at = [], 0
    for chunk in chunks:
        reading = chunk.reading(whole)
        if reading is None:
            continue
        start, end = chunk.span
        out += [text[at:start], reading]
        at = end
        shown = (
            " ".join(words.surfaces(reading)) if chunk.latin else surface(reader, words, reading)
        )
        parsed.scripts.append((chunk.core, shown, KEYBOARD))
    return "".join(out) + text[at:]


class _Chunk:
    """A run of keys or Arabic letters in the query, and its readings on the other layout
    (a run of keys ends at a space, or at what no key of the Arabic layout types: quotes,
    brackets, ``:``, ``!``; so ``title:hglyvf`` reads ``title:المغرب``)."""

    def __init__(self, run: re.Match, words: WordAnalysis, offset: int) -> None:
        self.core = run.group(0)
        self.span = (offset + run.start(), offset + run.end())
        self.reads = False
        self.latin = on_latin_keys(self.core) and not _acronym(self.core)
        self.readings: list[str] = []
        if self.latin:  # Arabic typed on the US layout: its typed word, its read words
            typed = words.tokens(self.core)
            whole = len(typed) == 1 and typed[0].end - typed[0].start == len(self.core)
            # a chunk its own keys cut in pieces (hgsu,]d: hgsu, d) is no word as typed
            self.typed = [typed[0].terms.exact] if whole and typed[0].terms.exact else []
            reading = arabic_layout(self.core)
            self.readings = [reading]
            self.read = [w.terms.exact for w in words.tokens(reading) if w.terms.exact]
        elif _ARABIC_WORD.match(self.core):  # a Latin word typed on the Arabic layout
            self.readings = latin_layout(self.core)
            if self.readings and words.word(self.core).stop:
                self.readings = []  # a stop word is itself (باش is no "fhai")
            if self.readings:
                self.typed = [w.terms.exact for w in words.tokens(self.core) if w.terms.exact]

    def terms(self) -> list[str]:
        if self.latin:
            return [*self.typed, *self.read]
        return [*self.typed, *self.readings]

    def judge(self, frequencies: dict[str, int]) -> None:
        """Does the chunk read as the other layout: its reading held, itself far rarer?"""
        typed = max((frequencies.get(t, 0) for t in self.typed), default=0)
        self.absent = typed == 0
        if self.latin:
            read = min((frequencies.get(t, 0) for t in self.read), default=0)
        else:  # the most frequent Latin reading
            self.readings.sort(key=lambda word: -frequencies.get(word, 0))
            read = frequencies.get(self.readings[0], 0)
        self.reads = read > 0 and typed * LAYOUT_RARER < read

    def reading(self, whole: bool) -> str | None:
        """What to search for the chunk (None: the chunk as typed). Alone, a chunk the
        index holds as typed stays (tag is no فشل); in a query typed on the wrong layout as
        a whole, every chunk the index does not hold, and one it holds far less than its
        reading."""
        if not self.latin:
            return self.readings[0] if self.reads else None
        if whole and (self.reads or (self.absent and self.read)):
            return self.readings[0]
        if self.reads and self.absent and len(self.core) >= MIN_KEYS:
            return self.readings[0]
        return None


def _acronym(chunk: str) -> bool:
    """Capitals only (NBA, FIFA): an acronym; Arabic typed on the US layout has a capital
    for أ إ آ and punctuation, never for every letter of a word."""
    letters = [ch for ch in chunk if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


class CrossScript:
    """A Latin word's Arabic-letter spellings as query clauses (the QueryBuilder's:
    ``words``, ``ranking``, ``reader``, ``boosts``, ``cross_script``)."""

    def _spelled(self, text: str, parsed: ParsedQuery) -> tuple[list[str], bool] | None:
        """The spellings of ``text`` (one query word as typed) to search, and whether the
        collection holds the Latin word itself; None when it is no Latin word or the index
        holds none of them. Kept per reader, charged to the query's expansion budget."""
        if not (self.cross_script and self.ranking.cross_script_boost and latin_word(text)):
            return None
        if self.words.word(text).stop:
            return None  # a Latin stop word (this, will): left out as typed, nothing for it
        cache = self.reader.cache.setdefault("latin_spellings", {})
        key = text.lower()
        found = cache.get(key)
        if found is None:
            candidates = arabic_spellings(key, SPELLINGS_LOOKED_UP)
            if not parsed.expansion.charge(2 * len(candidates) + 1, EXPANDING):
                return None
            if len(cache) > SPELLINGS_CACHE_LIMIT:
                cache.clear()
            found = cache[key] = held_spellings(self.reader, self.words, text, candidates)
        spellings, held = found
        return (spellings, held) if spellings else None

    def _with_spellings(
        self, clauses: list, spelled: tuple[list[str], bool], text: str, fields, parsed, first
    ) -> list:
        """The clauses of one Latin word (``clauses``, its typed words') joined with those of
        its spellings, as one clause; the second stage counts them as the word's, unless the
        collection holds the Latin word (``parsed.text_words`` from ``first`` on are its)."""
        spellings, held = spelled
        boost = self.ranking.cross_script_boost * (HELD_SHARE if held else 1.0)
        others = []
        stems: list[str] = []
        for spelling in spellings:
            parsed.scripts.append((text, surface(self.reader, self.words, spelling), LATIN))
            if " " in spelling:  # two words (عبد اللطيف): standing together, exact fields
                parts = tuple(spelling.split())
                parsed.terms.exact.update(parts)
                others += [Phrase(exact_field(f), parts, 1, boost * self.boosts[f]) for f in fields]
                continue
            terms = self.words.word(spelling)
            stems += terms.stems
            parsed.terms.stems.update(terms.stems)
            others.append(self._word_clause(terms.stems, spelling, fields, parsed, (), boost))
        if not held and TEXT_FIELD in fields and len(parsed.text_words) > first:
            typed = [stem for word in parsed.text_words[first:] for stem in word]
            parsed.text_words[first:] = [tuple(dict.fromkeys(typed + stems))]
        return [Or(tuple(clauses + others))]


def held_spellings(reader, words: WordAnalysis, text: str, candidates) -> tuple[list[str], bool]:
    """The spellings among ``candidates`` ((spelling, cost), from analyzers.scripts) that the
    index holds, best first, and whether it holds the Latin ``text`` itself. A spelling held
    more often with ال is searched with it (its stems are the bare word's too); when none is
    held as a word, the cheapest ones whose stem is held (a Darija word mostly written with a
    clitic). Ranked by frequency, less a cost's worth (``COST_WEIGHT``) per unusual reading."""
    typed = [w.terms.exact for w in words.tokens(text) if w.terms.exact and w.terms.exact.isalpha()]
    asked = set(typed)
    for spelling, _ in candidates:
        parts = spelling.split()
        asked.update(parts)
        if len(parts) == 1 and not spelling.startswith(ARTICLE):
            asked.add(ARTICLE + spelling)
    frequencies = reader.frequencies(FIELD, sorted(asked))
    held = any(frequencies.get(term, 0) for term in typed)
    scored: dict[str, float] = {}
    counts: dict[str, int] = {}
    for spelling, cost in candidates:
        parts = spelling.split()
        if len(parts) > 1:
            count = min(frequencies.get(part, 0) for part in parts)
        else:
            with_article = frequencies.get(ARTICLE + spelling, 0)
            count = frequencies.get(spelling, 0)
            if with_article > count:
                spelling, count = ARTICLE + spelling, with_article
        if count and spelling not in scored:
            scored[spelling] = log(count) - COST_WEIGHT * cost
            counts[spelling] = count
    if not scored:  # no spelling as a word of its own: with a clitic (للسبيطار), by its stems
        for spelling, count in _held_by_stem(reader, words, candidates).items():
            scored[spelling], counts[spelling] = log(count), count
    best = sorted(scored, key=lambda spelling: (-scored[spelling], spelling))
    if best and " " not in best[0] and words.word(best[0]).stop:
        return best[:1], held  # a Darija function word (3lach علاش): it alone, exact fields
    best = [s for s in best if " " in s or not words.word(s).stop][:MAX_SPELLINGS]
    most = max((counts[spelling] for spelling in best), default=0)
    return [spelling for spelling in best if counts[spelling] * MAX_RARER >= most], held


def _held_by_stem(reader, words: WordAnalysis, candidates) -> dict[str, int]:
    """The cheapest ``STEM_CANDIDATES`` one-word spellings whose stem the index holds (in a
    word with a clitic the exact forms miss: للسبيطار), with that stem's frequency."""
    spellings = [spelling for spelling, _ in candidates if " " not in spelling]
    spellings = spellings[:STEM_CANDIDATES]
    analyzed = dict(zip(spellings, words.words(spellings), strict=True))
    stems = {stem for terms in analyzed.values() for stem in terms.stems}
    frequencies = reader.frequencies(STEMS, sorted(stems))
    held = {}
    for spelling, terms in analyzed.items():
        count = max((frequencies.get(stem, 0) for stem in terms.stems), default=0)
        if count:
            held[spelling] = count
    return held
