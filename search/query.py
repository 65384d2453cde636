"""Compile what a person types into a query tree (index/nodes.py): the query language's tree
(search/language.py) made of the index's terms. Never raises on user text.

Words become terms as the documents' words did: the index's WordAnalysis says what each one
becomes. A plain word searches its stems in the stemmed fields and its exact form in the exact
ones, and its other spellings and synonyms below it (search/alternatives.py); a quoted
phrase its words, and a bonus where they stand together; * and ~ words the indexed words they
expand to (search/expansion.py); field clauses are conditions (index/nodes.py), which narrow
and never score. See search/language.py for the language itself.
"""

import re
from collections.abc import Iterable

from bahth.analyzers import WordAnalysis
from bahth.index import nodes
from bahth.index.deadline import NO_DEADLINE, Deadline
from bahth.index.fields import TEXT_FIELD, TITLE_FIELD, exact_field
from bahth.index.limits import MAX_QUERY_CHARS, MAX_QUERY_WORDS, MIN_PREFIX
from bahth.index.nodes import NOTHING, And, AndMaybe, AndNot, Every, Or, Phrase, Term
from bahth.index.settings import Settings
from bahth.search.admission import FREE, Ticket
from bahth.search.alternatives import Alternatives
from bahth.search.expansion import Expansion, ExpansionBudget, fuzzy_words, prefix_words
from bahth.search.filters import FieldFilters, FilterError
from bahth.search.final_ya import collection_stems
from bahth.search.language import Leaf, Node, Parser, cut_query, is_not, lex
from bahth.search.notices import notice
from bahth.search.parsed import ParsedQuery
from bahth.search.ranking import Ranking
from bahth.search.scripts import CrossScript, read_keyboard
from bahth.search.synonyms import Synonyms

MAX_WORDS = MAX_QUERY_WORDS
EXPANSION_CUT = str(notice("expansion_cut"))

_FUZZY = re.compile(r"~(\d?)$")
Part = tuple[object | None, object | None]  # (query node, condition): see _compile


class QueryBuilder(Alternatives, CrossScript):
    """Compiles user text for one index: its analysis, its ranking, its term dictionary."""

    def __init__(
        self,
        words: WordAnalysis,
        ranking: Ranking,
        reader,
        filters: FieldFilters | None = None,
        weights: dict[str, float] | None = None,
        synonyms: Synonyms | None = None,
        cross_script: bool = True,
    ) -> None:
        """``filters``: the index's declared fields (``FIELD:value``); ``weights``: each text
        field's weight from its settings (title, text and any declared text field), on top of
        ``ranking``. A word is searched in every text field. ``synonyms``: the groups to
        search for one another (search.synonyms). ``cross_script``: read words typed on the
        wrong keyboard layout or in Latin letters (search.scripts)."""
        self.words = words
        self.ranking = ranking
        self.reader = reader
        self.filters = filters or FieldFilters(Settings())
        weights = {TITLE_FIELD: 1.0, TEXT_FIELD: 1.0, **(weights or {})}
        self.boosts = {name: weight for name, weight in weights.items()}
        self.boosts[TITLE_FIELD] *= ranking.title_boost
        self.searched = tuple(self.boosts)  # title, text, then the declared text fields
        self.synonyms = synonyms if synonyms and ranking.synonym_boost else None
        self.cross_script = cross_script and ranking.cross_script_boost > 0

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
            text = cut_query(text, MAX_QUERY_CHARS)
            parsed.messages.append(notice("query_cut", chars=len(text)))
        if self.cross_script:
            text = read_keyboard(self.reader, self.words, text, parsed)
        self._words_left = MAX_WORDS
        self._stop_words: list[str] = []
        self._negated = 0
        tree = Parser(lex(text, set(self.filters.names), set(self.searched))).parse()
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
            negated = is_not(child)
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
                # last: search/scorer.py checks the positions of two-word phrases at the
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
        if leaf.field and leaf.field != TEXT_FIELD:
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
        spelled = None  # a word in Latin letters: its Arabic spellings (search.scripts)
        if synonyms and sign != "-" and not self._negated:
            spelled = self._spelled(text, parsed)
        first = len(parsed.text_words)
        clauses = []
        for word in words:
            stems, exact = word.terms.stems, word.terms.exact
            if not stems:  # a stop word (or nothing indexable)
                continue
            if self._words_left <= 0:
                break
            self._words_left -= 1
            typed = text[word.start : word.end]
            stems = collection_stems(self.reader, self.words, typed, word.terms)
            variants = []
            if sign != "-" and not self._negated:
                variants = self._variants(exact, parsed.expansion)
                if stems != word.terms.stems:  # read as the collection writes it: say so
                    parsed.variants.append((typed, exact))
            parsed.variants += [(typed, v) for v in variants]
            also = tuple(s for v in variants for s in self.words.word(v).stems if s not in stems)
            parsed.terms.stems.update(stems + also)
            if TEXT_FIELD in fields and sign != "-" and not self._negated:
                parsed.text_words.append(stems + also)
            if exact:
                parsed.plain_words.append((typed, exact))
            clause = self._word_clause(stems, exact, fields, parsed, variants)
            if synonyms and self.synonyms:
                also_searched = self._synonym_clauses([(typed, word.terms)], fields, parsed, False)
                clause = Or((clause, *also_searched)) if also_searched else clause
            clauses.append(clause)
        if spelled:
            clauses = self._with_spellings(clauses, spelled, text, fields, parsed, first)
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

    def _exact_terms(self, words: Iterable[str], fields, boost: float = 1.0) -> object:
        subs = [Term(exact_field(f), w, boost * self.boosts[f]) for f in fields for w in words]
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
                tuple(
                    Phrase(exact_field(f), tuple(words), 1, boost * self.boosts[f]) for f in fields
                )
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
        exact_fields = [exact_field(f) for f in fields]
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
        exact_fields = [exact_field(f) for f in fields]
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
            Phrase(exact_field(TEXT_FIELD), tuple(pair), r.proximity_slop, r.proximity_boost)
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
