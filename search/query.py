"""Turn what a person types into a Whoosh query. Never raises on user text.

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

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from bahth.analyzers import WordAnalysis, WordTerms
from bahth.index import nodes
from bahth.index.deadline import EXPANDING, NO_DEADLINE, Deadline
from bahth.index.nodes import NOTHING, And, AndMaybe, AndNot, Every, Or, Phrase, Term
from bahth.index.settings import Settings
from bahth.search.admission import FREE, Ticket
from bahth.search.expansion import Expansion, ExpansionBudget, fuzzy_words, prefix_words
from bahth.search.filters import FieldFilters, FilterError
from bahth.search.notices import Notice, notice, unique
from bahth.search.ranking import Ranking
from bahth.search.synonyms import Entry, Synonyms, phrase_forms, weight
from bahth.search.variants import MIN_LETTERS, spelling_variants, split_variants

MAX_QUERY_CHARS = 2000
MAX_WORDS = 40
MIN_PREFIX = 2
VARIANT_CACHE_LIMIT = 50_000  # words whose spelling variants a reader keeps
VARIANT_LOOKUP_COST = 100  # budget units for looking up one word's spelling variants
OPERATOR_MAX_WORDS = 5  # longer queries without other syntax read +word and -word as words
# Every quotation mark Arabic text uses reads as the ASCII one.
QUOTES = str.maketrans(dict.fromkeys("“”«»„‟″", '"'))
# Brackets nested deeper than this are read as if they were not there: their words count at
# the depth reached. (400 nested brackets used to exhaust Python's stack.)
MAX_DEPTH = 10
EXPANSION_CUT = str(notice("expansion_cut"))
OPERATORS = {"AND", "OR", "NOT"}
SEARCH_FIELDS = {"title", "text"}

_LEXEME = re.compile(
    r"(?P<open>(?P<open_sign>[-+]?)\()"
    r"|(?P<sign>[-+]?)(?:(?P<field>[A-Za-z_][A-Za-z0-9_]*):)?"
    r'(?:"(?P<phrase>[^"]*)(?:"|$)|(?P<word>[^\s()"]+))'
    r"|(?P<close>\))|(?P<quote>\")"
)
_FUZZY = re.compile(r"~(\d?)$")
Part = tuple[object | None, object | None]  # (query node, condition): see _compile


@dataclass
class Terms:
    """What a query matches, for the highlighter: stems (stemmed fields), exact words."""

    stems: set[str] = field(default_factory=set)
    exact: set[str] = field(default_factory=set)


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
    # (word as typed, another spelling of it the index holds) for each name variant searched
    variants: list[tuple[str, str]] = field(default_factory=list)
    # (words as typed, a synonym entry searched for them) for each synonym searched
    synonyms: list[tuple[str, str]] = field(default_factory=list)
    messages: list[Notice | str] = field(default_factory=list)  # search.notices
    # what expanding * and ~ words (and "did you mean") may still read, and what they read
    expansion: ExpansionBudget = field(default_factory=ExpansionBudget)

    @property
    def message(self) -> str:
        return " ".join(str(item) for item in self.notices)

    @property
    def notices(self) -> tuple[Notice, ...]:
        return unique(self.messages)


# ---- lexing and parsing into a small tree -------------------------------------------------


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


def _lex(
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


class _Parser:
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
        return Node("or", [Node("soft", [c]) if _is_not(c) else c for c in children])

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


def _is_not(item) -> bool:
    return isinstance(item, Node) and item.op == "not"


# ---- compiling the tree into Whoosh queries ---------------------------------------------


class QueryBuilder:
    """Compiles user text for one index: its analysis, its ranking, its term dictionary."""

    def __init__(
        self,
        words: WordAnalysis,
        ranking: Ranking,
        reader,
        filters: FieldFilters | None = None,
        weights: dict[str, float] | None = None,
        synonyms: Synonyms | None = None,
    ) -> None:
        """``filters``: the index's declared fields (``FIELD:value``); ``weights``: each text
        field's weight from its settings (title, text and any declared text field), on top of
        ``ranking``. A word is searched in every text field. ``synonyms``: the groups to
        search for one another (search.synonyms)."""
        self.words = words
        self.ranking = ranking
        self.reader = reader
        self.filters = filters or FieldFilters(Settings())
        weights = {"title": 1.0, "text": 1.0, **(weights or {})}
        self.boosts = {name: weight for name, weight in weights.items()}
        self.boosts["title"] *= ranking.title_boost
        self.searched = tuple(self.boosts)  # title, text, then the declared text fields
        self.synonyms = synonyms if synonyms and ranking.synonym_boost else None

    def _exact_words(self, text: str) -> list[str]:
        """The exact terms of the words of ``text`` (stop words included), in order."""
        return [word.terms.exact for word in self.words.tokens(text) if word.terms.exact]

    def parse(
        self, text: str, deadline: Deadline = NO_DEADLINE, ticket: Ticket = FREE
    ) -> ParsedQuery:
        """The query for ``text``. Expanding its * and ~ words is charged to one budget
        (``parsed.expansion``), checked against ``deadline``; past an ordinary query's
        share, ``ticket`` says whether it may go on (search.admission)."""
        budget = ExpansionBudget(deadline=deadline, ticket=ticket)
        parsed = ParsedQuery(query=None, expansion=budget)
        text = text or ""
        if len(text) > MAX_QUERY_CHARS:
            cut = text.rfind(" ", 0, MAX_QUERY_CHARS)
            text = text[: cut if cut > 0 else MAX_QUERY_CHARS]
            parsed.messages.append(notice("query_cut", chars=len(text)))
        self._words_left = MAX_WORDS
        self._stop_words: list[str] = []
        self._negated = 0
        tree = _Parser(_lex(text, set(self.filters.names), set(self.searched))).parse()
        parsed.query, parsed.filter = self._compile(tree, parsed)
        if parsed.query is None and self._stop_words:
            # Only stop words: match them as written, in the exact fields.
            parsed.messages.append(notice("stop_words_only"))
            words = list(dict.fromkeys(self._stop_words))[:MAX_WORDS]
            parsed.terms.exact.update(words)
            parsed.query = self._exact_terms(words, self.searched)
        if parsed.query is None and parsed.filter is not None:
            parsed.query = Every()
        if parsed.query is None and not parsed.messages:
            parsed.messages.append(notice("empty_query"))
        return parsed

    # nodes

    def _compile(self, node, parsed: ParsedQuery) -> Part:
        """The (scored query, condition) of a node of the tree: it matches the documents the
        query matches (every document when None) that meet the condition (all when None).
        Field clauses are conditions: they narrow, and never add to a score."""
        if isinstance(node, Leaf):
            if node.field and node.field not in self.searched:
                return None, self._filter(node, parsed)
            return self._leaf(node, parsed), None
        if node.op == "or":
            return self._union(node, parsed)
        return self._group(node, parsed)

    def _group(self, node: Node, parsed: ParsedQuery) -> Part:
        """A group of words and clauses (``soft``: any word matches, more rank higher;
        ``and``: every one). Its field clauses narrow the whole group; NOT and - exclude."""
        positives, negatives, required, proximity, conditions = [], [], [], [], []
        plain_run: list[str] = []
        for child in node.children:
            negated = _is_not(child)
            negative = negated or (isinstance(child, Leaf) and child.sign == "-")
            target = child.children[0] if negated else child
            if isinstance(child, Leaf) and child.kind == "word" and not child.field:
                if not negative and not child.text.endswith(("*", "~")):
                    plain_run.append(child.text)
            self._negated += negated
            query, condition = self._compile(target, parsed)
            self._negated -= negated
            if negative:
                if query is None and condition is not None:
                    conditions.append(nodes.Not(condition))
                elif query is not None:
                    negatives.append(_narrowed(query, condition))
            else:
                if condition is not None:
                    conditions.append(condition)
                if query is not None:
                    positives.append(query)
                    if isinstance(child, Leaf) and child.sign == "+":
                        required.append(query)
        condition = nodes.all_of(conditions)
        if not positives:
            if negatives:
                parsed.messages.append(notice("no_positive_word"))
                return None, None
            return None, condition
        if node.op == "soft":
            if len(positives) > 1:
                proximity = self._joined(plain_run, parsed)
            # a run of plain words that is a phrase of a synonym group
            proximity += self._run_synonyms(plain_run, parsed)
            if len(positives) > 1:
                # last: search/fastscore.py checks the positions of two-word phrases at the
                # end of the Or lazily, for the documents that can reach the top only
                proximity += self._proximity(plain_run)
        if node.op == "and":
            combined = And(tuple(positives))
        elif required:
            combined = self._required(positives, required, proximity)
        elif len(positives) == 1 and not proximity:
            combined = positives[0]
        else:
            combined = Or(tuple(_flat(positives) + self._all_words(positives) + proximity))
        if negatives:
            combined = AndNot(combined, Or(tuple(negatives)))
        return combined, condition

    def _union(self, node: Node, parsed: ParsedQuery) -> Part:
        """``a OR b``: the documents either side matches. Sides that are field clauses only
        make one condition; sides narrowed alike keep their condition outside; sides
        narrowed each their own way are each narrowed inside the Or (search.filters)."""
        parts = [self._compile(child, parsed) for child in node.children]
        parts = [(q, c) for q, c in parts if q is not None or c is not None]
        if not parts:
            return None, None
        queries = [query for query, _ in parts]
        conditions = [condition for _, condition in parts]
        if all(query is None for query in queries):
            return None, nodes.any_of(conditions)
        if all(query is not None for query in queries) and all(
            condition == conditions[0] for condition in conditions
        ):
            return _either(queries), conditions[0]
        return _either([_narrowed(query, condition) for query, condition in parts]), None

    def _required(self, positives: list, required: list, proximity: list) -> object:
        """Documents with every +word (or +"phrase"), scored by all the words: the required
        ones, plus each optional one the document also has (Whoosh's AndMaybe)."""
        must = required[0] if len(required) == 1 else And(tuple(required))
        optional = [q for q in positives if not any(q is r for r in required)]
        if not optional and not proximity:
            return must
        return AndMaybe(must, Or(tuple(_flat(optional) + proximity)))

    def _leaf(self, leaf: Leaf, parsed: ParsedQuery) -> object | None:
        if self._words_left <= 0:
            parsed.messages.append(notice("too_many_words", words=MAX_WORDS))
            return None
        fields = self.searched  # text: means every text field, as plain words do
        if leaf.field and leaf.field != "text":
            fields = (leaf.field,)
        if leaf.kind == "phrase":
            strict = leaf.sign in ("+", "-") or self._negated > 0
            return self._phrase(leaf.text, fields, parsed, strict)
        if leaf.text.endswith("*"):
            return self._prefix(leaf.text.rstrip("*"), fields, parsed)
        fuzzy = _FUZZY.search(leaf.text)
        if fuzzy:
            distance = int(fuzzy.group(1) or 0)
            return self._fuzzy(leaf.text[: fuzzy.start()], distance, fields, parsed)
        return self._words(leaf.text, fields, parsed, leaf.sign)

    def _words(self, text: str, fields, parsed: ParsedQuery, sign: str = "", synonyms: bool = True):
        """Plain words: per word, its stems in the stemmed fields OR its exact form, OR (with
        ``synonyms``) the other entries of a synonym group it is a one-word entry of."""
        words = self.words.tokens(text)
        clauses = []
        for word in words:
            stems, exact = word.terms.stems, word.terms.exact
            if not stems:  # a stop word (or nothing indexable)
                continue
            if self._words_left <= 0:
                break
            self._words_left -= 1
            typed = text[word.start : word.end]
            variants = []
            if sign != "-" and not self._negated:
                variants = self._variants(exact, parsed.expansion)
            parsed.variants += [(typed, v) for v in variants]
            also = tuple(s for v in variants for s in self.words.word(v).stems if s not in stems)
            parsed.terms.stems.update(stems + also)
            if "text" in fields and sign != "-" and not self._negated:
                parsed.text_words.append(stems + also)
            if exact:
                parsed.plain_words.append((typed, exact))
            clause = self._word_clause(stems, exact, fields, parsed, variants)
            if synonyms and self.synonyms:
                also_searched = self._synonym_clauses([(typed, word.terms)], fields, parsed, False)
                clause = Or((clause, *also_searched)) if also_searched else clause
            clauses.append(clause)
        if not clauses:
            self._stop_words += [word.terms.exact for word in words if word.terms.exact]
            return None
        if len(clauses) == 1:
            return clauses[0]
        if sign == "+":
            return And(tuple(clauses))
        return Or(tuple(_flat(clauses) + self._all_words(clauses)))

    def _all_words(self, clauses: list) -> list:
        """The bonus clause for documents that have every word (see Ranking.all_words_*)."""
        r = self.ranking
        if r.all_words_boost and 1 < len(clauses) <= r.all_words_max:
            return [And(tuple(clauses), boost=r.all_words_boost)]
        return []

    def _word_clause(
        self, stems, exact, fields, parsed: ParsedQuery, variants=(), boost: float = 1.0
    ) -> object:
        """One word: its stems, its exact form at ``exact_boost``, and each other spelling of
        it the index holds (search.variants) at ``variant_boost``, so that documents with the
        spelling typed rank above those with another one."""
        r = self.ranking
        subs = [Term(f, s, boost * self.boosts[f]) for f in fields for s in stems]
        if r.use_exact and exact:
            parsed.terms.exact.add(exact)
            subs += [
                Term(f"{f}_exact", exact, boost * r.exact_boost * self.boosts[f]) for f in fields
            ]
        typed = [WordTerms(exact, tuple(stems), False)]
        for variant in variants:
            if " " in variant:  # written as two words: the two, standing together
                parsed.terms.exact.update(variant.split())
                weight = boost * r.variant_boost * self._below(typed, variant.split(), True)
                subs += [Phrase(f"{f}_exact", tuple(variant.split()), 1, weight) for f in fields]
                continue
            terms = self.words.word(variant)
            new = [s for s in terms.stems if s not in stems]
            parsed.terms.stems.update(new)
            parsed.terms.exact.add(variant)
            weight = boost * r.variant_boost * self._below(typed, [variant], False)
            subs += [Term(f, s, weight) for f in fields for s in new]
            subs += [Term(f"{f}_exact", variant, weight * r.exact_boost) for f in fields]
        return subs[0] if len(subs) == 1 else Or(tuple(subs))

    def _below(self, typed: list[WordTerms], spelling: list[str], phrase: bool) -> float:
        """What keeps another spelling below the typed one: 1, or less when the spelling is
        rarer (a rarer term weighs more: توتير in 17 articles would outrank تويتر in 1,060)."""
        other = [self.words.word(word) for word in spelling]
        mine = weight(self.reader, self.ranking, typed, phrase)
        theirs = weight(self.reader, self.ranking, other, phrase)
        return min(1.0, mine / theirs) if theirs > 0 else 1.0

    def _run_synonyms(self, plain_texts: list[str], parsed: ParsedQuery) -> list:
        """Query words, one after the other, that read as a synonym entry of two words or
        more (الأمم المتحدة): the other entries of its group, as optional clauses."""
        if not self.synonyms or not plain_texts:
            return []
        run = [
            (text[w.start : w.end], w.terms)
            for text in plain_texts
            for w in self.words.tokens(text)
            if w.terms.exact
        ]
        return self._synonym_clauses(run, self.searched, parsed, True)

    def _synonym_clauses(
        self, run: list[tuple[str, WordTerms]], fields, parsed: ParsedQuery, phrases: bool
    ) -> list:
        """The clauses for the synonyms of ``run`` (query words as typed, and their terms):
        its one-word entries, or with ``phrases`` its entries of several words. Each entry
        searched is charged its words to the query's expansion budget; past it, the rest
        are left out and the page says so."""
        clauses: list = []
        budget, r = parsed.expansion, self.ranking
        for match in self.synonyms.matches([terms for _, terms in run], phrases):
            typed = " ".join(surface for surface, _ in run[match.start : match.end])
            typed_weight = weight(
                self.reader, r, [terms for _, terms in run[match.start : match.end]], False
            )
            for entry in match.others:
                size = len(entry.words)
                if size > budget.terms_left:
                    parsed.messages.append(notice("synonyms_cut"))
                    return clauses
                forms = phrase_forms(self.reader, entry.exact) if size > 1 else [entry.exact]
                forms = forms[: budget.terms_left // size]  # the phrase as given first
                budget.terms += size * len(forms)
                parsed.synonyms.append((typed, entry.text))
                boost = (
                    r.synonym_boost * typed_weight / weight(self.reader, r, entry.words, size > 1)
                )
                clauses += self._synonym_clause(entry, forms, fields, parsed, boost)
        return clauses

    def _synonym_clause(
        self, entry: Entry, forms: list[tuple[str, ...]], fields, parsed: ParsedQuery, boost
    ) -> list:
        """One synonym entry at ``boost``: a word as a query word is searched (its stems,
        its exact form), a phrase as its exact words standing together, in each of
        ``forms`` (search.synonyms.phrase_forms)."""
        if len(entry.words) > 1:
            for form in forms:
                parsed.terms.exact.update(form)
            return [
                Phrase(f"{f}_exact", tuple(form), 1, boost * self.boosts[f])
                for form in forms
                for f in fields
            ]
        (word,) = entry.words
        if not word.stems:  # a stop word: as written
            parsed.terms.exact.add(word.exact)
            return [self._exact_terms([word.exact], fields, boost)]
        parsed.terms.stems.update(word.stems)
        return [self._word_clause(word.stems, word.exact, fields, parsed, (), boost)]

    def _variants(self, exact: str, budget: ExpansionBudget) -> list[str]:
        """Other spellings of ``exact`` in the index (search.variants), kept per reader;
        looking them up is charged to the query's expansion budget."""
        if not (self.ranking.variant_boost and exact) or len(exact) < MIN_LETTERS:
            return []
        cache = self.reader.cache.setdefault("variants", {})
        found = cache.get(exact)
        if found is None:
            if not budget.charge(VARIANT_LOOKUP_COST, EXPANDING):
                return []
            if len(cache) > VARIANT_CACHE_LIMIT:
                cache.clear()
            found = spelling_variants(self.reader, exact)
            found += [f"{a} {b}" for a, b in split_variants(self.reader, exact)]
            cache[exact] = found
        return found

    def _joined(self, plain_texts: list[str], parsed: ParsedQuery) -> list:
        """Two query words the index holds as one (فيس بوك → فيسبوك): that word, as a variant."""
        if not self.ranking.variant_boost:
            return []
        exact = [w.terms.exact for t in plain_texts for w in self.words.tokens(t) if w.terms.exact]
        clauses = []
        for a, b in zip(exact, exact[1:], strict=False):
            joined = a + b
            if len(a) >= 2 and len(b) >= 2 and self.reader.frequency("text_exact", joined):
                terms = self.words.word(joined)
                if terms.stems:
                    parsed.variants.append((f"{a} {b}", joined))
                    clause = self._word_clause(
                        terms.stems,
                        joined,
                        self.searched,
                        parsed,
                        (),
                        self.ranking.variant_boost,
                    )
                    clauses.append(clause)
        return clauses

    def _exact_terms(self, words: Iterable[str], fields, boost: float = 1.0) -> object:
        subs = [Term(f"{f}_exact", w, boost * self.boosts[f]) for f in fields for w in words]
        return subs[0] if len(subs) == 1 else Or(tuple(subs))

    def _phrase(self, text: str, fields, parsed: ParsedQuery, strict: bool) -> object | None:
        """A quoted phrase. ``strict`` (+"…", -"…", NOT "…"): the phrase as written, on the
        exact fields. Otherwise its words as plain words, plus ``Ranking.phrase_boost`` for
        the documents that have them as that phrase."""
        words = self._exact_words(text)
        if not words:
            return None
        loose = None if strict else self._words(text, fields, parsed, synonyms=False)
        if loose is not None and len(words) == 1:
            return loose
        parsed.terms.exact.update(words)
        boost = 1.0 if loose is None else self.ranking.phrase_boost
        if len(words) == 1:
            phrase = self._exact_terms(words, fields, boost)
        else:
            phrase = Or(
                tuple(Phrase(f"{f}_exact", tuple(words), 1, boost * self.boosts[f]) for f in fields)
            )
        if loose is None:  # strict, or only stop words: the phrase alone
            self._words_left -= len(words)
            parts = getattr(phrase, "parts", None)
            return parts[0] if parts is not None and len(parts) == 1 else phrase
        return Or(tuple(_flat([loose, phrase])))

    def _expanded(self, expansion: Expansion, fields, parsed: ParsedQuery) -> object:
        """The exact-field terms of an expansion; a word the budget cut short says so."""
        if not expansion.complete:
            parsed.messages.append(notice("expansion_cut"))
        if not expansion.words:
            return NOTHING
        parsed.terms.exact.update(expansion.words)
        return self._exact_terms(expansion.words, fields)

    def _prefix(self, text: str, fields, parsed: ParsedQuery) -> object | None:
        tokens = self._exact_words(text)
        prefix = tokens[-1] if tokens else ""
        if len(prefix) < MIN_PREFIX:
            parsed.messages.append(notice("prefix_too_short", letters=MIN_PREFIX))
            return None
        self._words_left -= 1
        exact_fields = [f"{f}_exact" for f in fields]
        limit = self.ranking.max_expansions
        expansion = prefix_words(self.reader, exact_fields, prefix, parsed.expansion, limit)
        return self._expanded(expansion, fields, parsed)

    def _fuzzy(self, text: str, distance: int, fields, parsed: ParsedQuery) -> object | None:
        tokens = self._exact_words(text)
        if not tokens:
            return None
        word = tokens[-1]
        distance = min(distance or (1 if len(word) <= 5 else 2), 2)
        self._words_left -= 1
        exact_fields = [f"{f}_exact" for f in fields]
        limit = self.ranking.max_expansions
        budget = parsed.expansion
        expansion = fuzzy_words(self.reader, exact_fields, word, distance, budget, limit)
        return self._expanded(expansion, fields, parsed)

    def _proximity(self, plain_texts: list[str]) -> list:
        """Adjacent content words of the query found near each other in the text (within
        ``proximity_slop`` positions of the exact field, in order) add a bonus."""
        r = self.ranking
        if not (r.proximity_boost and r.use_exact):
            return []
        content = [  # the exact forms of the words that are not stop words
            word.terms.exact
            for text in plain_texts
            for word in self.words.tokens(text)
            if word.terms.stems and word.terms.exact
        ]
        if len(content) > r.proximity_max_words:
            return []
        pairs = [pair for pair in zip(content, content[1:], strict=False) if pair[0] != pair[1]]
        return [
            Phrase("text_exact", tuple(pair), r.proximity_slop, r.proximity_boost)
            for pair in pairs[:8]
        ]

    def _filter(self, leaf: Leaf, parsed: ParsedQuery) -> object | None:
        """``FIELD:value`` on a declared field; a value it cannot read is a message (user
        text never raises)."""
        value = leaf.text.strip()
        if not value:
            return None
        try:
            return self.filters.condition(leaf.field, value)
        except FilterError as error:
            parsed.messages.append(error.notice or str(error))
            return None


def _flat(queries: list) -> list:
    """Nested plain ORs as one list: one Or adds every term's score up, instead of one Or per
    query word (the sum is the same; 30% of a title query's time was the per-word ORs)."""
    flat: list = []
    for q in queries:
        if type(q) is Or and q.boost == 1.0:
            flat.extend(_flat(list(q.parts)))
        else:
            flat.append(q)
    return flat


def _either(queries: list) -> object:
    return queries[0] if len(queries) == 1 else Or(tuple(queries))


def _narrowed(query, condition):
    """``query`` kept to the documents that meet ``condition``, as one query node: the
    condition matches and adds nothing (index/nodes.py's Condition)."""
    if condition is None:
        return query
    if query is None:
        return nodes.Condition(condition)
    return And((query, nodes.Condition(condition)))
