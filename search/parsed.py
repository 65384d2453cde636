"""What compiling a query gives: its tree and condition, and what the rest of a search needs to
know of it (the words to highlight, the plain words for "did you mean", the stems the second
stage looks for, what else was searched, its notices, its expansion budget)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bahth.search.expansion import ExpansionBudget
from bahth.search.notices import Notice, unique


@dataclass
class Terms:
    """What a query matches, for the highlighter: stems (stemmed fields), exact words."""

    stems: set[str] = field(default_factory=set)
    exact: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class SynonymPath:
    """Another way a text can hold some of the query's words, for search.rerank: all of
    ``words`` (a synonym entry's words, each as its stems) stand for the typed words
    ``covers`` (each as its stems), at ``factor`` (Ranking.synonym_boost)."""

    covers: tuple[tuple[str, ...], ...]
    words: tuple[tuple[str, ...], ...]
    factor: float


@dataclass
class ParsedQuery:
    query: object | None  # the query tree (index/nodes.py)
    # the condition the field clauses make (index/nodes.py: Is, Between, AllOf, AnyOf, Not)
    filter: object | None = None
    terms: Terms = field(default_factory=Terms)
    # (as typed, normalized) for each plain word, for "did you mean"
    plain_words: list[tuple[str, str]] = field(default_factory=list)
    # the stems of each plain word searched in the text (not negated), for search.rerank
    text_words: list[tuple[str, ...]] = field(default_factory=list)
    # each synonym entry searched, as another path through the query's words, for search.rerank
    synonym_paths: list[SynonymPath] = field(default_factory=list)
    # (word as typed, another spelling of it the index holds) for each name variant searched
    variants: list[tuple[str, str]] = field(default_factory=list)
    # (words as typed, a synonym entry searched for them) for each synonym searched
    synonyms: list[tuple[str, str]] = field(default_factory=list)
    # (word as typed, what was searched for it, how: "keyboard" or "latin") for each word read
    # in the other script (search.scripts)
    scripts: list[tuple[str, str, str]] = field(default_factory=list)
    messages: list[Notice | str] = field(default_factory=list)  # search.notices
    # what expanding * and ~ words (and "did you mean") may still read, and what they read
    expansion: ExpansionBudget = field(default_factory=ExpansionBudget)

    @property
    def message(self) -> str:
        return " ".join(str(item) for item in self.notices)

    @property
    def notices(self) -> tuple[Notice, ...]:
        return unique(self.messages)
