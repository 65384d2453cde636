"""The analysis chain applied to one word, step by step, without Whoosh's stream of tokens.

WordAnalysis learns what each new word becomes; run through the chains, a word costs a
Token, a generator frame per filter and a tap as well as the rules (60,000 SaudiNewsNet
words: 16.3 µs a word through the chains, 12.0 asked here). Every step of bahth's chains
says what it does to one word (filters.py: ``word``, ``stops``, ``stems``: what their
``__call__`` asks of each token too), so the same rules, in the chain's own order, can be
asked directly. A chain with a step this module does not know gets None, and its words go
through the chains; WordAnalysis also checks the answers against the chains (its
``check``) and stops asking here if they ever differ.

The same rules also give a sieve. The second stage, the highlighter and "as written" look
for a handful of stems (or exact terms) in the texts of a page of hits, and learning every
new word of those texts was the largest part of a short query's time. Every word that has a
stem holds its piece (stemmer.stem_piece: the light stemmer only strips letters) once
spelled as the stem step is given it, so the sieve spells the words of a text (the new ones
at once, one string, a word a line: three passes in C, normalizer.normalize_lines; each kept,
SPELLINGS_KEPT), finds the pieces in that spelled text, and only the words that hold one are
learned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from whoosh.analysis import CompositeAnalyzer, LowercaseFilter

from bahth.analyzers.filters import ArabicNormalizeFilter, ArabicStemFilter, ArabicStopFilter
from bahth.analyzers.normalizer import DAGGER_ALEF, HAMZA_ALEF, normalize_lines
from bahth.analyzers.tokenizer import ArabicTokenizer, too_long

# Words whose spelling (what the stem step is given) the sieve keeps: the words of a
# collection's texts recur, and spelling them again was a tenth of a short query.
SPELLINGS_KEPT = 200_000


class WordTerms(NamedTuple):
    """What one word as written becomes."""

    exact: str  # its term in the exact fields ('' when nothing indexable is left)
    stems: tuple[str, ...]  # its terms in the stemmed fields; () for a stop word
    stop: bool  # a stop word: no stemmed terms, but still an exact term


class WordRules(NamedTuple):
    """The chains' rules for one word."""

    terms: Callable[[str], WordTerms]  # one word's (exact, stems, stop), as the chains give
    # for a set of stems (and of exact terms), a sieve: of many words as written, those that
    # may have one of them (each holds a stem's piece, or an exact term, once spelled as the
    # stem step is given it); None when the stemmer promises no piece (stemmer.stem_piece)
    sieve: Callable[..., Callable[[list[str]], list[str]] | None]


def word_rules(stemmed: CompositeAnalyzer, exact: CompositeAnalyzer) -> WordRules | None:
    """The rules giving one word's (exact, stems, stop) as the two chains give them for a
    text that is that one word; None when the chains have a step it cannot take alone, or
    the exact chain is not the first steps of the stemmed one."""
    steps = list(stemmed.items)
    shared = len(exact.items)
    if steps[:shared] != list(exact.items) or not isinstance(steps[0], ArabicTokenizer):
        return None
    spelling = (ArabicNormalizeFilter, LowercaseFilter)  # what the exact chain may do
    rules = steps[1:]
    exact_after = shared - 1  # rules applied before the exact term is read
    if not all(isinstance(rule, spelling) for rule in rules[:exact_after]):
        return None
    known = (*spelling, ArabicStopFilter, ArabicStemFilter)
    if not all(isinstance(rule, known) for rule in rules[exact_after:]):
        return None
    if any(isinstance(rule, ArabicStemFilter) for rule in rules[:-1]):
        return None  # stems are the last step's terms

    def terms(word: str) -> WordTerms:
        text, ending, written = word, "", word
        for done, rule in enumerate(rules):
            if done == exact_after:
                written = text
            if isinstance(rule, ArabicNormalizeFilter):
                normalized = rule.word(text)
                if normalized is None:
                    return WordTerms("", (), False)  # nothing left: the chains drop the word
                text, ending = normalized
            elif isinstance(rule, LowercaseFilter):
                text = text.lower()
            elif isinstance(rule, ArabicStopFilter):
                if rule.stops(text, ending):
                    return WordTerms(written, (), True)  # kept, marked, and never stemmed
            else:
                return WordTerms(written, tuple(rule.stems(text, ending)), False)
        return WordTerms(written if exact_after < len(rules) else text, (text,), False)

    stemming = next((rule for rule in rules if isinstance(rule, ArabicStemFilter)), None)
    spelling_rules = [rule for rule in rules if isinstance(rule, spelling)]
    # the same steps, each over many words at once (a word a line)
    spell_lines = [
        str.lower if isinstance(rule, LowercaseFilter) else normalize_lines
        for rule in spelling_rules
    ]
    # the exact term is the word as the stem step is given it (no spelling step after it)
    exact_is_spelled = not any(isinstance(rule, spelling) for rule in rules[exact_after:])
    kept: list[dict[str, str]] = [{}]  # words as written -> as spelled; replaced when full

    def spelled(word: str) -> str:
        """One word as the stem step is given it ('' when nothing is left)."""
        for rule in spelling_rules:
            word = (
                word.lower() if isinstance(rule, LowercaseFilter) else (rule.word(word) or ("",))[0]
            )
        return word

    def spell(words: list[str]) -> str:
        """``words`` as the stem step is given them, a line each: the new ones spelled at
        once and kept (a dictionary filled, never emptied: a full one is replaced, so a
        thread reading it still finds its words)."""
        known = kept[0]
        if len(known) > SPELLINGS_KEPT:
            known = kept[0] = {}
        new = list(set(words).difference(known))
        if new:
            joined = "\n".join(new)
            for step in spell_lines:
                joined = step(joined)
            lines = joined.split("\n")
            if len(lines) != len(new):  # (no step joins or splits lines; if one ever did)
                lines = [spelled(word) for word in new]
            else:  # the two rules normalize_lines leaves to normalize_word, for their words
                raw = "\n".join(new)
                for line in {
                    *_lines_holding(raw, DAGGER_ALEF),
                    *_lines_holding(joined, HAMZA_ALEF),
                }:
                    lines[line] = spelled(new[line])
            known.update(zip(new, lines, strict=True))
        return "\n".join(map(known.__getitem__, words))

    def sieve(
        stems: Iterable[str], exact: Iterable[str] = ()
    ) -> Callable[[list[str]], list[str]] | None:
        pieces = {stemming.piece(stem) if stemming else stem for stem in stems}
        exact_terms = set(exact)
        if exact_terms and not exact_is_spelled:
            return None
        pieces |= exact_terms
        if None in pieces or "" in pieces:
            return None

        def may_have(words: list[str]) -> list[str]:
            if words and too_long(max(words, key=len)):  # no terms, and never read
                words = [word for word in words if not too_long(word)]
            joined = spell(words)
            holding = set()
            for piece in pieces:
                holding.update(_lines_holding(joined, piece))
            return [words[line] for line in sorted(holding)]

        return may_have

    return WordRules(terms, sieve)


def _lines_holding(text: str, piece: str) -> Iterator[int]:
    """The numbers of the lines of ``text`` that hold ``piece`` (no newline in it), each
    once: a find per line that holds it, and the newlines counted between, in C."""
    line, counted = 0, 0
    at = text.find(piece)
    while at >= 0:
        line += text.count("\n", counted, at)
        yield line
        counted = text.find("\n", at)
        if counted < 0:
            return
        at = text.find(piece, counted + 1)
