"""The query tree: what the query builder (search/query.py) builds, the scorer
(search/scorer.py) scores, and a store is asked about (a cluster turns it into its engine's
MATCH and filter; a folder reads its terms' postings).

Plain frozen values, no store's classes: neither store's library leaks into the other or into
search/. Two kinds:

* **Query nodes** score: a ``Term`` is BM25 of one term in one field; ``Phrase`` the sum of
  its words' where they stand in order (``slop`` 1) or within ``slop`` positions; ``Or`` adds
  its parts' scores up (a document matches when any part does), ``And`` too (when every part
  does); ``AndNot`` keeps its positive part's documents that the negative part does not
  match; ``AndMaybe`` its required part's, plus the optional part's score where that matches
  too; ``Every`` matches every document at its boost; ``NOTHING`` matches none. Each node's
  ``boost`` multiplies its score. Nodes compare by identity (a store keys what it learns of
  a phrase by the node).
* **Conditions** narrow and never score: ``Is`` (a keyword field holds the value), ``Between``
  (a date or number field's key within bounds, both ends included; None: open), and
  ``AllOf``, ``AnyOf``, ``Not`` of them. A ``Condition`` node puts one inside the query tree
  (``وزير OR source:a``): it matches the documents that meet it and adds 0 to their score.
  Conditions compare by value.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

# ---- conditions ------------------------------------------------------------------------


@dataclass(frozen=True)
class Is:
    field: str
    value: str


@dataclass(frozen=True)
class Between:
    field: str
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class AllOf:
    parts: tuple


@dataclass(frozen=True)
class AnyOf:
    parts: tuple


@dataclass(frozen=True)
class Not:
    part: object


def all_of(conditions: list) -> object | None:
    """One condition for ``conditions`` (None for none)."""
    if not conditions:
        return None
    return conditions[0] if len(conditions) == 1 else AllOf(tuple(conditions))


def any_of(conditions: list) -> object:
    return conditions[0] if len(conditions) == 1 else AnyOf(tuple(conditions))


# ---- query nodes ------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Term:
    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True, eq=False)
class Phrase:
    field: str
    words: tuple[str, ...]
    slop: int = 1
    boost: float = 1.0


@dataclass(frozen=True, eq=False)
class Or:
    parts: tuple = field(default=())
    boost: float = 1.0


@dataclass(frozen=True, eq=False)
class And:
    parts: tuple = field(default=())
    boost: float = 1.0


@dataclass(frozen=True, eq=False)
class AndNot:
    positive: object
    negative: object


@dataclass(frozen=True, eq=False)
class AndMaybe:
    required: object
    optional: object


@dataclass(frozen=True, eq=False)
class Every:
    boost: float = 1.0


@dataclass(frozen=True, eq=False)
class Condition:
    """A condition inside the tree: matches the documents that meet it, scores 0."""

    condition: object


class _Nothing:
    """Matches no document (an expansion that found no word)."""

    def __repr__(self) -> str:
        return "NOTHING"


NOTHING = _Nothing()


def walk(node) -> Iterator:
    """``node`` and every node under it, parents first."""
    yield node
    if isinstance(node, Or | And):
        for part in node.parts:
            yield from walk(part)
    elif isinstance(node, AndNot):
        yield from walk(node.positive)
        yield from walk(node.negative)
    elif isinstance(node, AndMaybe):
        yield from walk(node.required)
        yield from walk(node.optional)


def terms(node) -> Iterator[tuple[str, str]]:
    """(field, term) of every Term of the tree, and of every word of its phrases."""
    for part in walk(node):
        if isinstance(part, Term):
            yield part.field, part.text
        elif isinstance(part, Phrase):
            yield from ((part.field, word) for word in part.words)


def describe(node) -> str:
    """The tree as text, for people reading a query (``SearchEngine.parse``, tests)."""
    if isinstance(node, Term):
        return _boosted(f"{node.field}:{node.text}", node.boost)
    if isinstance(node, Phrase):
        slop = f"~{node.slop}" if node.slop > 1 else ""
        return _boosted(f'{node.field}:"{" ".join(node.words)}"{slop}', node.boost)
    if isinstance(node, Or | And):
        joint = " OR " if isinstance(node, Or) else " AND "
        return _boosted("(" + joint.join(describe(p) for p in node.parts) + ")", node.boost)
    if isinstance(node, AndNot):
        return f"({describe(node.positive)} ANDNOT {describe(node.negative)})"
    if isinstance(node, AndMaybe):
        return f"({describe(node.required)} ANDMAYBE {describe(node.optional)})"
    if isinstance(node, Every):
        return _boosted("*", node.boost)
    if isinstance(node, Condition):
        return f"[{describe_condition(node.condition)}]"
    return repr(node)


def describe_condition(condition) -> str:
    if isinstance(condition, Is):
        return f"{condition.field}={condition.value}"
    if isinstance(condition, Between):
        low = "" if condition.low is None else f"{condition.low:g}"
        high = "" if condition.high is None else f"{condition.high:g}"
        return f"{condition.field}:{low}..{high}"
    if isinstance(condition, AllOf | AnyOf):
        joint = " AND " if isinstance(condition, AllOf) else " OR "
        return "(" + joint.join(describe_condition(p) for p in condition.parts) + ")"
    if isinstance(condition, Not):
        return f"NOT {describe_condition(condition.part)}"
    return repr(condition)


def _boosted(text: str, boost: float) -> str:
    return text if boost == 1.0 else f"{text}^{boost:g}"
