"""The query language: what a person types, as a small tree of words, phrases, field clauses
and operators. Lenient: it never raises on user text (search/query.py compiles the tree).

The language (lenient: anything else is read as words):

    المغرب الإرهاب        plain words: any of them; more of them, and closer together, rank higher
    "الشراكة الأمنية"      its words, and a bonus where they stand as that phrase (exact field:
                          stop words inside it count); “…” «…» „…“ are quotes too
    +"الشراكة الأمنية"     the phrase required
    الكتا*                prefix, on the exact field (normalized, unstemmed)
    المغررب~  word~2       fuzzy: indexed words within 1 (or 2) edits
    a AND b, a OR b, NOT a, -a, ( ... ), -( ... )
                          OR binds its two neighbours: a b OR c is a with b or c
    +a +"a b"             required: only documents that have it (the other words still rank)
    title:حموشي           search the title only
    section:sport  words:100..500  published:2015-07..2015-08
                          filters on the index's declared fields (search.filters); in the
                          default schema source:alriyadh year:2015 date:2015-07-01..2015-07-31;
                          they obey NOT, -, OR and brackets as words do, and never score

With synonym groups (search/synonyms.py), a plain word or run of words in a group also
searches the group's other entries, below the words typed; +word requires the word or a
synonym, -word and NOT word exclude both (a group is one meaning); quotes turn synonyms off
("word" and -"word" are the words typed only); * and ~ words have none.

Words become terms as the documents' words did: the index's WordAnalysis says what each one
becomes. Arabic punctuation (؟ ، ؛) is punctuation: the tokenizer drops it; only a trailing * or
~ is syntax.

Text pasted from a headline is not syntax. Quotes there mark a quotation, which the article
often paraphrases: so a quoted phrase rewards the documents that have it, and its words still
count as words. A long query (more than OPERATOR_MAX_WORDS words, and no AND, OR, NOT or
field:) reads + and - stuck to a word as punctuation: ``... -فيديو`` is a site's tag, not an
exclusion. To exclude or require in a long query, write NOT word, or use AND.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bahth.index.fields import TEXT_FIELD, TITLE_FIELD

OPERATOR_MAX_WORDS = 5  # longer queries without other syntax read +word and -word as words
# Every quotation mark Arabic text uses reads as the ASCII one.
QUOTES = str.maketrans(dict.fromkeys("“”«»„‟″", '"'))
# Brackets nested deeper than this are read as if they were not there: their words count at
# the depth reached. (400 nested brackets used to exhaust Python's stack.)
MAX_DEPTH = 10
OPERATORS = {"AND", "OR", "NOT"}
SEARCH_FIELDS = {TITLE_FIELD, TEXT_FIELD}

_LEXEME = re.compile(
    r"(?P<open>(?P<open_sign>[-+]?)\()"
    r"|(?P<sign>[-+]?)(?:(?P<field>[A-Za-z_][A-Za-z0-9_]*):)?"
    r'(?:"(?P<phrase>[^"]*)(?:"|$)|(?P<word>[^\s()"]+))'
    r"|(?P<close>\))|(?P<quote>\")"
)


@dataclass
class Leaf:
    kind: str  # "word" | "phrase"
    text: str
    field: str | None = None
    sign: str = ""


@dataclass
class Node:
    op: str  # "soft" | "and" | "or" | "not"
    children: list = field(default_factory=list)


def lex(
    text: str,
    filter_fields: frozenset[str] | set[str] = frozenset(),
    search_fields: frozenset[str] | set[str] = frozenset(SEARCH_FIELDS),
) -> list:
    """Lexemes of ``text``; ``filter_fields``: the index's fields that ``FIELD:value``
    filters on, ``search_fields`` its text fields (any other ``name:`` is read as words)."""
    items: list = []
    for m in _LEXEME.finditer(text.translate(QUOTES)):
        if m.group("open"):
            if m.group("open_sign") == "-":  # -( ... ) excludes the group: NOT ( ... )
                items.append("NOT")
            items.append("(")
        elif m.group("close"):
            items.append(")")
        elif m.group("quote"):
            continue
        else:
            fld, sign = m.group("field"), m.group("sign")
            is_phrase = m.group("phrase") is not None
            body = m.group("phrase") if is_phrase else m.group("word")
            if fld and fld.lower() in SEARCH_FIELDS:
                fld = fld.lower()
            elif fld and fld not in filter_fields and fld not in search_fields:
                body, fld = f"{fld}:{body}", None  # not a field: read it all as words
            if not is_phrase and not fld and not sign and body in OPERATORS:
                items.append(body)
            else:
                kind = "phrase" if is_phrase else "word"
                items.append(Leaf(kind, body, fld, sign))
    return _pasted_signs(items)


def _pasted_signs(items: list) -> list:
    """In a long query with no other syntax (pasted from a headline), + and - stuck to a word
    are punctuation: the word counts as a word."""
    leaves = [item for item in items if isinstance(item, Leaf)]
    syntax = any(item in OPERATORS for item in items if isinstance(item, str))
    syntax = syntax or any(leaf.field for leaf in leaves)
    if syntax or sum(len(leaf.text.split()) for leaf in leaves) <= OPERATOR_MAX_WORDS:
        return items
    for leaf in leaves:
        leaf.sign = ""
    return items


class Parser:
    """Recursive descent: group := or ([AND] or)* ; or := unary (OR unary)* ; unary := NOT*
    atom ; atom := ( group ) | leaf. OR binds its two neighbours, as in Google's and Bing's
    query language: ``وزير source:a OR source:b`` is وزير in a or b, and ``a b OR c`` is a with b
    or c. Dangling operators and brackets are ignored. The recursion is bounded: brackets
    count up to MAX_DEPTH, a run of NOTs is one NOT or none, and what follows a stray ")"
    joins the top level instead of nesting one level per stray."""

    def __init__(self, items: list) -> None:
        self.items = items
        self.i = 0
        self.depth = 0

    def peek(self):
        return self.items[self.i] if self.i < len(self.items) else None

    def parse(self) -> Node:
        parts = [self.parse_group()]
        while self.peek() is not None:  # a stray ")": skip it and go on
            self.i += 1
            parts.append(self.parse_group())
        return parts[0] if len(parts) == 1 else Node("soft", parts)

    def parse_group(self) -> Node:
        children, hard = [], False
        while True:
            item = self.peek()
            if item in ("AND", "OR"):  # AND makes the group strict; a dangling OR is ignored
                self.i += 1
                hard = hard or item == "AND"
                continue
            if item is None or item == ")":
                break
            children.append(self.parse_or())
        return Node("and" if hard else "soft", children)

    def parse_or(self):
        children = [self.parse_unary()]
        while self.peek() == "OR" and self._operand_follows():
            self.i += 1
            children.append(self.parse_unary())
        if len(children) == 1:
            return children[0]
        # a NOT alone in an OR is a group of its own (it has no word to look for)
        return Node("or", [Node("soft", [c]) if is_not(c) else c for c in children])

    def _operand_follows(self) -> bool:
        after = self.items[self.i + 1] if self.i + 1 < len(self.items) else None
        return after is not None and after not in (")", "OR", "AND")

    def parse_unary(self):
        negations = 0
        while self.peek() == "NOT":
            self.i += 1
            negations += 1
        if negations and (self.peek() is None or self.peek() in (")", "OR", "AND")):
            return Node("soft", [])
        atom = self.parse_atom()
        return Node("not", [atom]) if negations % 2 else atom

    def parse_atom(self):
        item = self.peek()
        self.i += 1
        if item != "(":
            return item
        if self.depth >= MAX_DEPTH:  # too deep: read on as if the bracket were not there
            return Node("soft", [])
        self.depth += 1
        node = self.parse_group()
        self.depth -= 1
        if self.peek() == ")":
            self.i += 1
        return node


def is_not(item) -> bool:
    return isinstance(item, Node) and item.op == "not"


def cut_query(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, at the last space before the limit when there is
    one (a word is not cut in two): the one cut of a query too long, for the library and the
    web's smaller limit alike."""
    if len(text) <= limit:
        return text
    at = text.rfind(" ", 0, limit)
    return text[: at if at > 0 else limit]
