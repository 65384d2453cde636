"""What a word as written becomes: one answer for the writer, the query, the highlighter, the
second stage and "did you mean".

Each of them needs to know, for a surface word: its terms in the stemmed fields, its term in
the exact fields, and whether it is a stop word. They ask one ``WordAnalysis`` (built from an
``AnalysisConfig``) instead of re-deriving the pipeline: the order of the steps is written
once, in pipeline.py, and this object learns what each word becomes by running those very
Whoosh chains.

Why per word: bahth's filters look at one token at a time, so a word's terms do not depend on
its neighbours. That makes a cache keyed by the surface word exact, and a news corpus, which
repeats its words, is analyzed once per distinct word (most words cost a dictionary lookup).
The object checks that assumption against the chains (``check``): on a probe text when it is
built, and on the first documents a writer indexes. If a filter that reads its neighbours is
ever added, the check fails, ``per_word`` turns False, and every caller gets its words from
the chains run over the whole text: slower, but still in step with the index.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from itertools import islice
from typing import Generic, NamedTuple, TypeVar

from whoosh.analysis import CompositeAnalyzer, Filter, Token

from bahth.analyzers.one_word import WordTerms, word_rules
from bahth.analyzers.pipeline import AnalysisConfig
from bahth.analyzers.splits import MAX_CHARS, Splits, words_of
from bahth.analyzers.tokenizer import too_long

log = logging.getLogger("bahth.analysis")
V = TypeVar("V")
# settled(found, read): whether the (position, value) pairs found in a text's first ``read``
# words are all a reader needs of it (StemMatcher.positions)
Settled = Callable[[list[tuple[int, V]], int], bool]

# Distinct words kept: two generations of half that. A word costs about 370 bytes (its key,
# its terms, its place in _by_stem), so at most 220 MB; SaudiNewsNet's 31,030 articles have
# 314,109 distinct words (115 MB). Fewer, and the second stage learns the words of most hits
# again on every query: its 2,000 title queries took 12.3 ms at p50 with 400,000 words kept
# (the second stage 7.1), 10.5 ms with 600,000 (5.5). The word functions' own caches, which
# held every word a second time, shrank to 16,384 entries (normalizer.WORD_FUNCTION_CACHE).
WORD_CACHE_LIMIT = 600_000

# One sentence with each kind of word the rules treat differently: clitics and the article,
# pronoun suffixes, stop words (alone and with و), diacritics and tatweel, hamza forms, ى and
# ة, Latin words, digits in two scripts, a ligature.
PROBE = (
    "وَقالَ الوزيرُ إنَّ المـــغربيةَ وبالمدينة سلطاته في مسؤولية ومسئولية على علي موسى "
    "أحمد إلى FBI and the CIA's ٢٠١٥ 3.5 ﻻ فكرة بتمارة حكومتهم"
)


class TextWord(NamedTuple):
    """One word of a text: its position (word number), its span in the text, its terms."""

    position: int
    start: int
    end: int
    terms: WordTerms


NOTHING = WordTerms("", (), False)


class WordAnalysis:
    """Per-word analysis for one AnalysisConfig, with a bounded cache shared by threads."""

    def __init__(self, config: AnalysisConfig, cache_limit: int = WORD_CACHE_LIMIT) -> None:
        self.config = config
        self.stemmed_chain = config.stemmed()
        self.exact_chain = config.exact()
        self.pattern: re.Pattern = self.stemmed_chain.items[0].expression
        self.cache_limit = cache_limit
        self.per_word = True
        # Two generations: when the young one is full it becomes the old one and the old is
        # dropped; a word found in the old one moves back to the young. The words a corpus
        # uses all the time stay; the rare ones go (SaudiNewsNet has 314,109 distinct words).
        self._cache: dict[str, WordTerms] = {}
        self._older: dict[str, WordTerms] = {}
        # stem -> the words of the young generation that have it: a StemMatcher finds the
        # words a query's stems stand for here, instead of judging every word of every text
        self._by_stem: dict[str, list[str]] = {}
        self._changes = 0  # counts changes to the young generation (a StemMatcher looks)
        self._lock = threading.RLock()
        self.splits = Splits(self.pattern)  # the words of texts read again (hits)
        # the chains' rules asked one word at a time (one_word.py); None: through the chains
        self._rules = word_rules(self.stemmed_chain, self.exact_chain)
        self.check(PROBE)

    # ---- words -------------------------------------------------------------------------

    def surfaces(self, text: str, limit: int | None = None) -> list[str]:
        """The words of ``text`` as written, as the tokenizer splits it (index = position);
        only the first ``limit`` when given (the rest of the text is not read)."""
        return words_of(self.pattern, text, limit=limit)

    def read(self, text: str, limit: int | None = None) -> list[str]:
        """surfaces() of a text that will be read again (a hit's: the second stage, the
        highlighter and "as written" read it): its split is kept (splits.py). The list is
        shared: do not change it."""
        if len(text) > MAX_CHARS:
            return self.surfaces(text, limit)
        words = self.splits(text).surfaces
        return words if limit is None or len(words) <= limit else words[:limit]

    def word(self, surface: str) -> WordTerms:
        """What one word as written becomes (valid when ``per_word``)."""
        terms = self._cache.get(surface)
        return terms if terms is not None else self.words([surface])[0]

    def words(self, surfaces: Sequence[str]) -> list[WordTerms]:
        """What each of ``surfaces`` becomes, learning the new ones in one pass of the chains."""
        get = self._cache.get
        found = [get(surface) for surface in surfaces]
        if None in found:
            pairs = list(zip(surfaces, found, strict=True))
            missing = [surface for surface, terms in pairs if terms is None]
            learned = self._learn(missing, surfaces)
            found = [terms or learned[surface] for surface, terms in pairs]
        return found

    def _learn(self, missing: Iterable[str], asked: Iterable[str]) -> dict[str, WordTerms]:
        """What each of ``missing`` (words not in the young generation) becomes, from the old
        generation or one pass of the chains. Afterwards every word ``asked`` (``missing``
        and the words asked with them) is in the young generation, and in ``_by_stem``; but
        a word too long to be one, which is never kept."""
        with self._lock:  # one thread learns at a time, and matchers see whole changes
            new = list(dict.fromkeys(missing))
            # a word too long to be one has no terms (tokenizer.too_long): the chains would
            # drop it; it is neither analyzed nor kept (it may be 20 million letters)
            overlong = {word: NOTHING for word in new if too_long(word)}
            if overlong:
                new = [word for word in new if word not in overlong]
            older = self._older
            learned = {word: older[word] for word in new if word in older}
            fresh = [word for word in new if word not in learned]
            joined = " ".join(fresh)
            if self.surfaces(joined) == fresh:  # each one word, as the tokenizer splits it
                rules = self._rules
                terms = (
                    map(rules.terms, fresh) if rules else self._analyze_apart(joined, len(fresh))
                )
                analyzed = zip(fresh, terms, strict=True)
            else:  # words that do not split apart again: one at a time
                analyzed = ((w, (self._analyze_apart(w, 1) or [NOTHING])[0]) for w in fresh)
            learned.update((word, _compact(word, terms)) for word, terms in analyzed)
            joining = learned
            if len(self._cache) + len(learned) > self.cache_limit // 2:  # a new generation
                young = self._cache
                joining = {w: young[w] for w in asked if w in young and w not in learned}
                joining.update(learned)
                self._older, self._cache, self._by_stem = young, {}, {}
                if len(joining) + len(young) > self.cache_limit:
                    self._older = {}  # one call asked for more than a generation holds
            by_stem = self._by_stem
            for word, terms in joining.items():
                for stem in terms.stems:
                    by_stem.setdefault(stem, []).append(word)
            self._changes += 1
            self._cache.update(joining)
            return {**learned, **overlong} if overlong else learned

    def sieve(
        self, stems: Iterable[str], exact: Iterable[str] = ()
    ) -> Callable[[list[str]], list[str]] | None:
        """Of many words as written, those that may have one of ``stems`` or ``exact`` terms
        (they hold a piece of one, one_word.py): a word which cannot need not be learned.
        None when there is no sieve (the chains are asked, or the stemmer replaces letters)."""
        return self._rules.sieve(stems, exact) if self._rules and self.per_word else None

    def matcher(self, wanted: Mapping[str, V]) -> StemMatcher[V]:
        """Finds the words of texts that have one of ``wanted``'s stems (see StemMatcher)."""
        return StemMatcher(self, wanted)

    def _analyze_apart(self, text: str, count: int) -> list[WordTerms]:
        """The terms of each of the ``count`` words of ``text``, by position. When the exact
        chain is the first steps of the stemmed one (bahth's pipelines are), one pass of the
        stemmed chain gives both: a tap after those steps records each exact term."""
        exact = [""] * count
        steps = self.stemmed_chain.items
        shared = len(self.exact_chain.items)
        if steps[:shared] == self.exact_chain.items:
            chain = CompositeAnalyzer(*steps[:shared], _Tap(exact), *steps[shared:])
        else:
            chain = self.stemmed_chain
            for t in self.exact_chain(text, positions=True, mode="index"):
                if t.pos < count:
                    exact[t.pos] = t.text
        stems: list[list[str]] = [[] for _ in range(count)]
        stopped = [False] * count
        for t in chain(text, positions=True, removestops=False, mode="index"):
            if t.pos < count:
                if getattr(t, "stopped", False):
                    stopped[t.pos] = True
                else:
                    stems[t.pos].append(t.text)
        return [
            WordTerms(exact[i], tuple(stems[i]), stopped[i] and not stems[i]) for i in range(count)
        ]

    # ---- texts -------------------------------------------------------------------------

    def tokens(self, text: str) -> list[TextWord]:
        """Every word of ``text`` with its position, span and terms, in order."""
        if not self.per_word:
            return self._chain_tokens(text)
        matches = list(self.pattern.finditer(text))
        terms = self.words([m.group() for m in matches])
        return [
            TextWord(position, m.start(), m.end(), word_terms)
            for position, (m, word_terms) in enumerate(zip(matches, terms, strict=True))
        ]

    def positions(
        self,
        text: str,
        verdict: Callable[[WordTerms], V | None],
        cache: dict[str, V | None],
        settled: Settled | None = None,
        limit: int | None = None,
    ) -> list[tuple[int, V]]:
        """(position, verdict) of each word of ``text`` whose verdict is not None. ``cache``
        keeps the verdict of each word as written: share it between the texts of one query.
        ``settled(found, read)``: whether what was found in the first ``read`` words is all
        the caller needs: the text is then read in two parts (Splits.parts), the second only
        if the first did not settle it, and only what was found in the parts read is given.
        ``limit``: only the first ``limit`` words are read."""
        if not self.per_word:
            words = self._chain_tokens(self._head(text, limit))
            return [(w.position, v) for w in words if (v := verdict(w.terms)) is not None]

        def look(part: list[str]) -> dict[str, V]:
            distinct = set(part)
            self._judge(distinct, verdict, cache)
            return {word: value for word in distinct if (value := cache[word]) is not None}

        parts = self.splits.parts(text, limit) if settled else [self.surfaces(text, limit)]
        return _scan(parts, look, settled)

    def spans(
        self,
        text: str,
        verdict: Callable[[WordTerms], V | None],
        cache: dict[str, V | None],
        sieve: Callable[[list[str]], list[str]] | None = None,
    ) -> list[tuple[int, int]]:
        """(start, end) in ``text`` of each word whose verdict is not None; as positions().
        ``sieve`` (see sieve()): the words it turns away have no verdict, and are not learned;
        it must pass every word whose verdict is not None."""
        if not self.per_word:
            words = self._chain_tokens(text)
            return [(w.start, w.end) for w in words if verdict(w.terms) is not None]
        split = self.splits(text)
        surfaces = split.surfaces
        distinct = set(surfaces)
        self._judge(distinct, verdict, cache, sieve)
        found = [word for word in distinct if cache[word] is not None]
        return sorted(split.span(at) for word in found for at in _places(surfaces, word))

    def _head(self, text: str, limit: int | None) -> str:
        """``text`` up to the end of its ``limit``-th word (all of it when None)."""
        if limit is None:
            return text
        last = deque(islice(self.pattern.finditer(text), limit), maxlen=1)
        return text[: last[0].end()] if last else ""

    def _judge(
        self, distinct: set[str], verdict: Callable, cache: dict, sieve: Callable | None = None
    ) -> None:
        """Fill ``cache`` with the verdict on each of a text's ``distinct`` words it does not
        hold yet (None, unasked, for those ``sieve`` turns away)."""
        unknown = list(distinct.difference(cache))
        if unknown and sieve:
            cache.update(dict.fromkeys(unknown))
            unknown = sieve(unknown)
        if unknown:
            for surface, terms in zip(unknown, self.words(unknown), strict=True):
                cache[surface] = verdict(terms)

    def _chain_tokens(self, text: str) -> list[TextWord]:
        """tokens() from the chains run over the whole text: right whatever the filters read."""
        spans: dict[int, tuple[int, int]] = {}
        stems: dict[int, list[str]] = {}
        stopped: set[int] = set()
        for t in self.stemmed_chain(text, positions=True, chars=True, removestops=False):
            spans.setdefault(t.pos, (t.startchar, t.endchar))
            if getattr(t, "stopped", False):
                stopped.add(t.pos)
            else:
                stems.setdefault(t.pos, []).append(t.text)
        exact: dict[int, str] = {}
        for t in self.exact_chain(text, positions=True, chars=True):
            spans.setdefault(t.pos, (t.startchar, t.endchar))
            exact[t.pos] = t.text
        return [
            TextWord(
                pos,
                *spans[pos],
                WordTerms(
                    exact.get(pos, ""),
                    tuple(stems.get(pos, ())),
                    pos in stopped and pos not in stems,
                ),
            )
            for pos in sorted(spans)
        ]

    def check(self, text: str) -> bool:
        """Does per-word analysis give, for ``text``, exactly what the chains give? If not,
        say so once and stop answering per word (see the module's docstring)."""
        if not self.per_word:
            return False
        mine = [word for word in self.tokens(text) if word.terms != NOTHING]
        if mine == self._chain_tokens(text):  # (a word with no terms is absent from the chains)
            return True
        log.warning("per-word analysis differs from the analyzer chains: using the chains")
        self.per_word = False
        return False


def _scan(
    parts: Iterable[list[str]], look: Callable[[list[str]], dict[str, V]], settled: Settled | None
) -> list[tuple[int, V]]:
    """(position, value) of each word of ``parts`` (a text's words, in order) that has a
    value, up to the part after which ``settled`` says enough was found. ``look(part)``
    gives the words of ``part`` that have a value, with it: a handful, whose places are then
    found by ``list.index`` (a scan in C), not by a Python step per word of the text."""
    found: list[tuple[int, V]] = []
    read = 0
    for part in parts:
        found += sorted(
            (read + at, value) for word, value in look(part).items() for at in _places(part, word)
        )
        read += len(part)
        if settled is not None and settled(found, read):
            break
    return found


def _places(words: list[str], word: str) -> Iterator[int]:
    """Every index of ``word`` in ``words``."""
    at = -1
    try:
        while True:
            at = words.index(word, at + 1)
            yield at
    except ValueError:
        return


def _compact(word: str, terms: WordTerms) -> WordTerms:
    """``terms`` sharing strings with ``word`` and with other words (a third of the cache's
    bytes): most exact terms are the word itself, and stems repeat across words."""
    exact = word if terms.exact == word else terms.exact
    return WordTerms(exact, tuple(map(sys.intern, terms.stems)), terms.stop)


class StemMatcher(Generic[V]):
    """Where a query's stems stand in texts: for each word whose stems include a wanted one,
    the value of its first such stem (``wanted[stem]``).

    The second stage asks this of 30 texts a query, a few thousand distinct words. Judging
    each word costs a Python call; instead the matcher asks the analysis which of the words
    it knows have the wanted stems (a handful), and a text's words are looked up in that
    small map. A word the analysis has not learned yet is learned first; when the analysis
    learns words (here or in another thread) the matcher reads the wanted stems' words again.
    """

    def __init__(self, analysis: WordAnalysis, wanted: Mapping[str, V]) -> None:
        self.analysis = analysis
        self.wanted = wanted
        self._found: dict[str, V] = {}  # word as written -> value, for every matching word
        self._may_match = analysis.sieve(wanted)  # words that fail it are not learned
        self._seen = -1  # the analysis's change count when _found was last brought up to date

    def verdict(self, terms: WordTerms) -> V | None:
        """The value of the first of ``terms``' stems that is wanted (None: no such stem)."""
        wanted = self.wanted
        for stem in terms.stems:
            if stem in wanted:
                return wanted[stem]
        return None

    def positions(
        self, text: str, settled: Settled | None = None, limit: int | None = None
    ) -> list[tuple[int, V]]:
        """(position, value) of each matching word of ``text``, as WordAnalysis.positions
        with ``verdict`` (``settled`` and ``limit`` the same)."""
        analysis = self.analysis
        if not analysis.per_word:
            return analysis.positions(text, self.verdict, {}, settled, limit)

        def look(part: list[str]) -> dict[str, V]:
            present = self._know(part)
            found = self._found
            return {word: found[word] for word in present.intersection(found)}

        parts = analysis.splits.parts(text, limit) if settled else [analysis.read(text, limit)]
        return _scan(parts, look, settled)

    def _know(self, surfaces: list[str]) -> set[str]:
        """Make sure every one of ``surfaces`` that matches is in ``_found`` (and give them
        back as a set): under the analysis's lock, learn those it does not know (but those
        the sieve says cannot match: most of a text new to the process), so that all that may
        match are in its young generation; then, if it changed since we last looked, read the words
        its _by_stem has for the wanted stems (they include every matching word of the young
        generation)."""
        analysis = self.analysis
        found = self._found
        with analysis._lock:
            present = set(surfaces)
            missing = present.difference(analysis._cache)
            if missing and self._may_match:
                missing = self._may_match(list(missing))
            if missing:
                analysis._learn(missing, surfaces)
            if self._seen != analysis._changes:
                self._seen = analysis._changes
                cache, by_stem = analysis._cache, analysis._by_stem
                for stem in self.wanted:
                    for surface in by_stem.get(stem, ()):
                        if surface not in found:
                            found[surface] = self.verdict(cache[surface])
        return present


class _Tap(Filter):
    """Records each token's text by position as it passes, and lets it through."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        texts = self.texts
        for t in tokens:
            if t.pos < len(texts):
                texts[t.pos] = t.text
            yield t


@lru_cache(maxsize=16)
def word_analysis(config: AnalysisConfig) -> WordAnalysis:
    """The process's one WordAnalysis for ``config`` (its cache shared by every caller)."""
    return WordAnalysis(config)
