"""The analysis chain applied to one word, step by step, without Whoosh's stream of tokens.

WordAnalysis learns what each new word becomes; run through the chains, a word costs a
Token, a generator frame per filter and a tap as well as the rules (60,000 SaudiNewsNet
words: 16.3 µs a word through the chains, 12.0 asked here). Every step of bahth's chains
says what it does to one word (filters.py: ``word``, ``stops``, ``stems``: what their
``__call__`` asks of each token too), so the same rules, in the chain's own order, can be
asked directly. A chain with a step this module does not know gets None, and its words go
through the chains; WordAnalysis also checks the answers against the chains (its
``check``) and stops asking here if they ever differ.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from whoosh.analysis import CompositeAnalyzer, LowercaseFilter

from bahth.analyzers.filters import ArabicNormalizeFilter, ArabicStemFilter, ArabicStopFilter
from bahth.analyzers.tokenizer import ArabicTokenizer


class WordTerms(NamedTuple):
    """What one word as written becomes."""

    exact: str  # its term in the exact fields ('' when nothing indexable is left)
    stems: tuple[str, ...]  # its terms in the stemmed fields; () for a stop word
    stop: bool  # a stop word: no stemmed terms, but still an exact term


def word_rules(stemmed: CompositeAnalyzer, exact: CompositeAnalyzer) -> Callable | None:
    """A function giving one word's (exact, stems, stop), as the two chains give them for a
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

    return terms
