"""A query tree (index/nodes.py) as the engine's MATCH expression, and a condition as its
filter expression over the ``attrs`` attribute (index/sphinx/schema.py).

The engine decides which documents match: MATCH runs the tree's boolean structure over the
field-tagged tokens bahth wrote, and reports each token's frequency in each candidate
(PACKEDFACTORS) and its document frequency (SHOW META). PACKEDFACTORS numbers a token by
where it stands in the MATCH text, counting repeats; ``MatchPlan.occurrences`` keeps that
order. Inside a phrase, though, a word's frequency is its hits in the phrase's matches, and a
word only the scores need (an AndMaybe's optional part) is not in the MATCH: such a query has
its frequencies asked apart, with a MATCH of its words alone. (Sphinx 2.2's MAYBE operator,
which would add words without changing the matches, matches fewer documents than its left
side: 7 instead of 20 on the tests' corpus.)

One difference from a folder, on purpose: the proximity bonus (two words within ``slop`` of
each other) is the engine's ``"a b"~slop``, which also takes the words in reverse order;
Whoosh takes them in order only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from bahth.index import nodes
from bahth.index.sphinx.schema import token

# Every query that does not order by the engine's weight asks for none: the default ranker
# (proximity_bm25) costs the engine far more than the matching, and more with each keyword
# (a document frequency lookup of 1,000 words took 30 to 50 s on SaudiNewsNet; 0.3 s without).
NO_RANKING = "ranker=none"


class NothingMatches(Exception):
    """The tree can match no document (e.g. a prefix no indexed word starts with)."""


class InnerCondition(Exception):
    """A field clause inside the query tree (``وزير OR source:a``): the engine's MATCH runs
    words only and its filter narrows the whole query, so it cannot run this query."""


@dataclass
class MatchPlan:
    """What the engine is asked: ``match`` ('' for every document), the tokens it names in
    the order PACKEDFACTORS numbers them, every token the scores need, the phrases whose
    candidates the engine is asked to check, and whether the MATCH's own factors give every
    frequency the scores need (``direct``: no phrase stands in it, and it names every
    token)."""

    match: str
    occurrences: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    phrases: list[nodes.Phrase] = field(default_factory=list)
    direct: bool = True


def plan(query, absent: frozenset[str] = frozenset()) -> MatchPlan:
    """The MATCH of ``query``. NothingMatches when it cannot match anything, InnerCondition
    when it holds a field clause the MATCH cannot. ``absent``: tokens no document holds (the
    reader knows them from earlier counts): left out, as matching nothing (a title query's
    words in an index without titles would otherwise cost every candidate their factors)."""
    occurrences: list[str] = []
    in_match: list[nodes.Phrase] = []
    match = _match(query, occurrences, in_match, absent)
    if match is None:
        raise NothingMatches()
    needed: list[str] = []
    phrases: list[nodes.Phrase] = []
    for node in nodes.walk(query):
        if isinstance(node, nodes.Term):
            needed.append(token(node.field, node.text))
        elif isinstance(node, nodes.Phrase):
            words = [token(node.field, w) for w in node.words]
            if absent.isdisjoint(words):
                needed += words
                phrases.append(node)
    tokens = [t for t in dict.fromkeys(needed) if t not in absent]
    direct = not in_match and set(tokens) <= set(occurrences)
    return MatchPlan(match, occurrences if match else [], tokens, phrases, direct)


def _is_bonus(q) -> bool:
    """A proximity phrase: it adds to the score of documents its Or already matched."""
    return isinstance(q, nodes.Phrase) and q.slop > 1


def phrase_text(q: nodes.Phrase) -> str:
    """A phrase as the engine's MATCH says it (``"a b"~slop`` for a proximity bonus)."""
    words = " ".join(token(q.field, w) for w in q.words)
    return f'"{words}"' + (f"~{q.slop}" if q.slop > 1 else "")


def _match(q, occurrences: list[str], phrases: list, absent: frozenset[str]) -> str | None:
    """None: matches nothing; '': every document; else a MATCH expression (the tokens it
    names appended to ``occurrences`` in order)."""
    if isinstance(q, nodes.Term):
        tok = token(q.field, q.text)
        if tok in absent:
            return None
        occurrences.append(tok)
        return tok
    if isinstance(q, nodes.Every):
        return ""
    if isinstance(q, nodes.Phrase):
        words = [token(q.field, w) for w in q.words]
        if not absent.isdisjoint(words):
            return None
        occurrences += words
        phrases.append(q)
        return phrase_text(q)
    if isinstance(q, nodes.Or):
        parts = []
        for sub in q.parts:
            if _is_bonus(sub):
                continue  # scored, but never a reason to match
            part = _match(sub, occurrences, phrases, absent)
            if part == "":
                return ""
            if part is not None:
                parts.append(part)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"
    if isinstance(q, nodes.And):
        parts = []
        for sub in q.parts:
            part = _match(sub, occurrences, phrases, absent)
            if part is None:
                return None
            if part:
                parts.append(part)
        if not parts:
            return ""
        return parts[0] if len(parts) == 1 else "(" + " ".join(parts) + ")"
    if isinstance(q, nodes.AndNot):
        positive = _match(q.positive, occurrences, phrases, absent)
        negative = _match(q.negative, occurrences, [], absent)
        if positive is None or negative == "":
            return None
        if negative is None:
            return positive
        if positive == "":
            raise InnerCondition()  # a NOT with nothing to look for
        return f"({positive} -({negative}))"
    if isinstance(q, nodes.AndMaybe):
        return _match(q.required, occurrences, phrases, absent)  # the optional words: asked apart
    if isinstance(q, nodes.Condition):
        raise InnerCondition()
    if q is nodes.NOTHING:
        return None
    raise ValueError(f"not a query node: {q!r}")


# ---- conditions ----------------------------------------------------------------------------


def condition(c) -> str:
    """A condition as an engine expression that is 1 for the documents it keeps, over the
    ``attrs`` JSON attribute: ``kw`` a keyword field's values, ``key`` a date's or number's
    key."""
    if isinstance(c, nodes.Is):
        return f"IN(attrs.kw.{c.field}, {_string(c.value)})"
    if isinstance(c, nodes.Between):
        parts = [f"attrs.key.{c.field} IS NOT NULL"]
        if c.low is not None:
            parts.append(f"DOUBLE(attrs.key.{c.field})>={c.low!r}")
        if c.high is not None:
            parts.append(f"DOUBLE(attrs.key.{c.field})<={c.high!r}")
        return "(" + " AND ".join(parts) + ")"
    if isinstance(c, nodes.Not):
        return f"NOT ({condition(c.part)})"
    if isinstance(c, nodes.AllOf | nodes.AnyOf):
        joint = " AND " if isinstance(c, nodes.AllOf) else " OR "
        return "(" + joint.join(condition(p) for p in c.parts) + ")"
    raise ValueError(f"not a condition: {c!r}")


def _string(value: str) -> str:
    """A string literal for the engine's expression (single quotes, backslash escapes; a %
    doubled, since the statement it stands in is formatted with its arguments)."""
    escaped = value.replace("\\", "\\\\").replace("'", "\\'").replace("%", "%%")
    return "'" + escaped + "'"


def meets(c, attrs: dict) -> bool:
    """Whether a document whose ``attrs`` are these meets a condition: what the engine's
    expression says, for candidates already read."""
    if isinstance(c, nodes.Is):
        return c.value in ((attrs.get("kw") or {}).get(c.field) or ())
    if isinstance(c, nodes.Between):
        key = (attrs.get("key") or {}).get(c.field)
        return (
            key is not None
            and (c.low is None or key >= c.low)
            and (c.high is None or key <= c.high)
        )
    if isinstance(c, nodes.Not):
        return not meets(c.part, attrs)
    if isinstance(c, nodes.AllOf):
        return all(meets(p, attrs) for p in c.parts)
    if isinstance(c, nodes.AnyOf):
        return any(meets(p, attrs) for p in c.parts)
    raise ValueError(f"not a condition: {c!r}")


def read_attrs(text: str | None) -> dict:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def keyword_counts(meta_rows: list) -> dict[str, int]:
    """Each keyword's document frequency a query's SHOW META reports (summed over shards)."""
    facts = dict(meta_rows)
    counts = {}
    i = 0
    while f"keyword[{i}]" in facts:
        counts[str(facts[f"keyword[{i}]"])] = int(facts.get(f"docs[{i}]", 0))
        i += 1
    return counts
