"""The other words a query word searches beside itself: the index's other spellings of a name
(search/variants.py), the entries of a synonym group it is in (search/synonyms.py), and two
query words the index holds as one (فيس بوك → فيسبوك). Each is searched below the words as
typed (Ranking.variant_boost, synonym_boost), and weighed down further when it is rarer
than the typed word (a rarer term weighs more). Part of the query compiler
(search/query.py's QueryBuilder), kept apart for its size."""

from __future__ import annotations

from itertools import islice

from bahth.analyzers import WordTerms
from bahth.index.deadline import EXPANDING
from bahth.index.fields import TEXT_FIELD, exact_field
from bahth.index.nodes import Or, Phrase, Term
from bahth.search.expansion import ExpansionBudget
from bahth.search.notices import notice
from bahth.search.parsed import ParsedQuery, SynonymPath
from bahth.search.synonyms import (
    Entry,
    found_already,
    phrase_forms,
    proximity_weight,
    searched_weight,
    weight,
)
from bahth.search.variants import MIN_LETTERS, spelling_variants, split_variants

VARIANT_CACHE_LIMIT = 50_000  # words whose spelling variants a reader keeps
VARIANT_LOOKUP_COST = 100  # budget units for looking up one word's spelling variants


class Alternatives:
    """The other words a word searches (the QueryBuilder's: ``words``, ``ranking``,
    ``reader``, ``boosts``, ``searched``, ``synonyms``)."""

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
                Term(exact_field(f), exact, boost * r.exact_boost * self.boosts[f]) for f in fields
            ]
        typed = [WordTerms(exact, tuple(stems), False)]
        for variant in variants:
            if " " in variant:  # written as two words: the two, standing together
                parsed.terms.exact.update(variant.split())
                weight = boost * r.variant_boost * self._below(typed, variant.split(), True)
                subs += [Phrase(exact_field(f), tuple(variant.split()), 1, weight) for f in fields]
                continue
            terms = self.words.word(variant)
            new = [s for s in terms.stems if s not in stems]
            parsed.terms.stems.update(new)
            parsed.terms.exact.add(variant)
            weight = boost * r.variant_boost * self._below(typed, [variant], False)
            subs += [Term(f, s, weight) for f in fields for s in new]
            subs += [Term(exact_field(f), variant, weight * r.exact_boost) for f in fields]
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
        its one-word entries, or with ``phrases`` its entries of several words. An entry is
        another path through the query: boosted so that a document with the whole of it
        scores as one with the whole of the words matched, times ``synonym_boost``
        (search.synonyms.searched_weight), and a path for the second stage. Each entry
        searched is charged its words to the query's expansion budget; past it, the rest
        are left out and the page says so."""
        clauses: list = []
        budget, r = parsed.expansion, self.ranking
        for match in self.synonyms.matches([terms for _, terms in run], phrases):
            typed = " ".join(surface for surface, _ in run[match.start : match.end])
            matched = [terms for _, terms in run[match.start : match.end]]
            typed_weight = searched_weight(self.reader, r, matched, False)
            typed_weight += proximity_weight(self.reader, r, matched)
            entries = list(islice(match.others, budget.terms_left + 1))
            stems = {stem for terms in matched for stem in terms.stems}
            for entry in entries:
                if found_already(entry, entries, stems):
                    parsed.synonyms.append((typed, entry.text))
                    continue
                if len(entry.words) == 1:
                    stems.update(entry.words[0].stems)
                size = len(entry.words)
                if size > budget.terms_left:
                    parsed.messages.append(notice("synonyms_cut"))
                    return clauses
                forms = phrase_forms(self.reader, entry.exact) if size > 1 else [entry.exact]
                forms = forms[: budget.terms_left // size]  # the phrase as given first
                budget.terms += size * len(forms)
                parsed.synonyms.append((typed, entry.text))
                parsed.synonym_paths.append(_path(matched, entry, r.synonym_boost))
                own_weight = searched_weight(self.reader, r, entry.words, size > 1)
                boost = r.synonym_boost * typed_weight / own_weight if own_weight else 0.0
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
                Phrase(exact_field(f), tuple(form), 1, boost * self.boosts[f])
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
        run = [
            (t[w.start : w.end], w.terms.exact)
            for t in plain_texts
            for w in self.words.tokens(t)
            if w.terms.exact
        ]
        clauses = []
        for (typed_a, a), (typed_b, b) in zip(run, run[1:], strict=False):
            joined = a + b
            if (
                len(a) >= 2
                and len(b) >= 2
                and self.reader.frequency(exact_field(TEXT_FIELD), joined)
            ):
                terms = self.words.word(joined)
                if terms.stems:
                    parsed.variants.append((f"{typed_a} {typed_b}", joined))
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


def _path(typed: list[WordTerms], entry: Entry, factor: float) -> SynonymPath:
    """A synonym entry as another path through the typed words, for the second stage (stop
    words left out: they stand in any text)."""
    return SynonymPath(
        tuple(word.stems for word in typed if word.stems),
        tuple(word.stems for word in entry.words if word.stems),
        factor,
    )
