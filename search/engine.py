"""SearchEngine: the one import that embedding code, the CLI and the web need.

    engine = SearchEngine("instance/index")
    engine.index_paths(["seeds"])
    page = engine.search("الحموشي", per_page=5)

The write side is the index's (index/store.py); this class adds everything a reader needs:
ranked search with snippets, facets and "did you mean", autocomplete, one document for
display, and batch runs for evaluation. Every thread reads one view of the index
(search/readers.py), reopened when the index changes (a reindex, or a rebuild swapped in):
a commit reopens only the segments it changed, and the old view closes with its last
request.
"""

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from functools import partial
from os import PathLike

import numpy as np
from whoosh import query as wq

from bahth.analyzers import (
    AnalysisConfig,
    WordAnalysis,
    darija_synonyms,
    too_long,
    unmarked,
    word_analysis,
)
from bahth.index.backends import open_store
from bahth.index.deadline import (
    DID_YOU_MEAN,
    HIGHLIGHTING,
    NO_DEADLINE,
    SCORING,
    SNIPPETS,
    SUGGESTIONS,
    Deadline,
)
from bahth.index.settings import Settings
from bahth.index.sources import parse_date
from bahth.index.whoosh.segments import tie_keys
from bahth.index.whoosh.store import IndexReport
from bahth.search import admission, highlight, rerank
from bahth.search.backends import health, open_view
from bahth.search.expansion import ExpansionBudget, close_words, frequencies, prefix_frequencies
from bahth.search.fastscore import IndexArrays
from bahth.search.filters import FieldFilters, SortKey
from bahth.search.first_stage import EngineMatches, Matches, first_stage
from bahth.search.notices import notice
from bahth.search.query import MIN_PREFIX, ParsedQuery, QueryBuilder
from bahth.search.ranking import DEFAULT_RANKING, Ranking
from bahth.search.results import (
    DocumentView,
    Hit,
    IndexState,
    Page,
    clamp_paging,
    page_bounds,
)
from bahth.search.synonyms import Synonyms, check_groups

# "Did you mean": offered when a query finds fewer documents than this, or has a word found
# in fewer documents than RARE_WORD_DOCS, and a spelling within one or two edits is in at
# least SUGGESTION_ADVANTAGE times as many documents.
SUGGEST_BELOW = 3
RARE_WORD_DOCS = 1
SUGGESTION_ADVANTAGE = 5
# The document page shows at most this many characters of a text (a long book chapter),
# and says so: highlighting a 20 MB text would take seconds for each request.
DOCUMENT_CHARS = 500_000
SUGGESTIONS_MAX = 50  # words suggest() gives at most, whatever the limit asked
SURFACES_KEPT = 20_000  # spellings remembered for suggestions (then the memory starts over)
SYNONYM_SETS_KEPT = 8  # analyzed synonym groups kept, one per (analysis, groups) seen


class SearchEngine:
    def __init__(
        self,
        path: str | PathLike | None = None,
        *,
        analysis: AnalysisConfig | None = None,
        ranking: Ranking | None = None,
        vectorized: bool = True,
        settings: Settings | None = None,
        synonyms: Sequence[Sequence[str]] = (),
        darija_synonyms: bool | None = None,
    ) -> None:
        """``vectorized=False`` runs every query through Whoosh's own matchers: the same
        results, slower; the reference search.fastscore is tested against. ``path`` is an
        index folder or a cluster's backend URL (``sphinx://HOST:PORT,.../TABLE``).
        ``settings``: those of an index this engine creates (an existing index keeps its
        own: the engine reads its fields, weights and synonyms from the index). ``synonyms``:
        groups of equivalent entries (words or phrases), searched for one another at query
        time (search/synonyms.py), instead of the index's settings' groups; ValueError says
        what is wrong with a bad group. ``darija_synonyms``: search bahth's built-in Moroccan
        Darija groups too (analyzers/lexicon.py); None: as the index's settings say (on
        unless they turn it off)."""
        self.store = open_store(path, analysis, settings=settings)
        self.ranking = ranking or DEFAULT_RANKING
        self.vectorized = vectorized
        self._index = open_view(self.store, self.ranking.weighting)
        self.turns = admission.Turns(self.store.location)  # expensive ones (search.admission)
        self._surfaces: dict[str, str] = {}
        self.given_synonyms = check_groups(synonyms)
        self.given_darija = darija_synonyms
        self._synonyms: dict[tuple, Synonyms] = {}
        if self.given_synonyms:
            _ = self.synonyms  # analyzed now: an entry with no word is an error here, not later
        self._surfaces_of: str | None = None  # the generation the surfaces were read from

    @property
    def analysis(self) -> AnalysisConfig:
        return self.store.analysis

    @property
    def settings(self) -> Settings:
        """The index's settings (its fields; query-time ones apply as soon as recorded)."""
        return self.store.settings

    @property
    def filters(self) -> FieldFilters:
        """The filter fields and sort keys of the index (search.filters)."""
        settings = self.settings
        cached = getattr(self, "_filters", None)
        if cached is None or cached.settings is not settings:
            cached = self._filters = FieldFilters(settings)
        return cached

    @property
    def words(self) -> WordAnalysis:
        """What each word becomes in this index: the one answer the writer used."""
        return word_analysis(self.analysis)

    @property
    def synonyms(self) -> Synonyms:
        """The synonym groups, analyzed as this index analyzes its text (again after a
        rebuild with another analysis, or when the index records other groups): those given
        to this engine, else those of the index's settings (query time: a reindex that
        records other groups applies at once), and bahth's built-in Darija groups
        (analyzers/lexicon.py) unless this engine, or else the settings, turn them off. The
        settings are read once: this runs for every query."""
        settings = self.settings
        own = self.given_synonyms or tuple(settings.synonyms)
        darija = settings.darija_synonyms if self.given_darija is None else self.given_darija
        key = (self.analysis, own, darija_synonyms() if darija else ())
        found = self._synonyms.get(key)
        if found is None:
            if len(self._synonyms) >= SYNONYM_SETS_KEPT:
                self._synonyms.clear()
            found = self._synonyms[key] = Synonyms(key[1], self.words, by_form=key[2])
        return found

    # ---- the write side: the index's own operations ----------------------------------

    def add_documents(self, documents: Iterable, **options) -> IndexReport:
        """Add or update documents (dicts with id, title, text, source, date, url)."""
        return self.store.add_documents(documents, **options)

    def index_paths(self, paths: Iterable, **options) -> IndexReport:
        """Index files and folders (.txt, .jsonl, .jsonl.gz, .csv); see IndexStore."""
        return self.store.index_paths(paths, **options)

    def delete(self, doc_id: str) -> bool:
        return self.store.delete(doc_id)

    def stats(self) -> dict:
        """The index's statistics (IndexStore.stats), counted on the shared view: opening
        Whoosh's own reader for it copied every segment into memory."""
        with self._reading() as searcher:
            return self.store.stats(searcher.reader())

    def health(self) -> dict:
        """Can the index answer? For a cluster, node by node (search.backends.health)."""
        return health(self.store)

    def state(self) -> IndexState:
        """The index generation this thread reads and its number of documents, the searcher
        opened (or reopened after a change) as a search would open it: a cheap proof that
        the index opens and reads, for a health check. IndexMissing, IndexVersionMismatch
        as a search would raise them."""
        with self._index.lease() as view:
            return IndexState(generation=view.token, documents=view.searcher.doc_count())

    # ---- reading ---------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator:
        """The current searcher, held open (shared by threads) until the block ends."""
        with self._index.lease() as view:
            if view.token != self._surfaces_of:
                self._surfaces, self._surfaces_of = {}, view.token
            yield view.searcher

    def _searcher(self):
        """The current searcher, not held: for tests and tools that look at the index
        between two changes (a commit after this call may close it)."""
        with self._reading() as searcher:
            return searcher

    def close(self) -> None:
        """Close the open view (a request still running keeps it until it ends)."""
        self._index.close()
        self.turns.close()

    def _builder(self, searcher) -> QueryBuilder:
        settings = self.settings
        weights = settings.text_weights()
        return QueryBuilder(
            self.words, self.ranking, searcher.reader(), self.filters, weights, self.synonyms
        )

    def parse(self, q: str) -> ParsedQuery:
        """The Whoosh query bahth runs for ``q`` (useful to see what a query means)."""
        with self._reading() as searcher:
            return self._builder(searcher).parse(q)

    def _matches(
        self,
        searcher,
        parsed: ParsedQuery,
        filter: wq.Query | None,
        deadline: Deadline = NO_DEADLINE,
    ) -> Matches:
        """The first stage: what the query matches, and BM25F scores (search.first_stage)."""
        return first_stage(
            searcher,
            parsed.query,
            filter,
            vectorized=self.vectorized,
            deadline=deadline,
        )

    def _ranked(
        self,
        searcher,
        parsed: ParsedQuery,
        matches: Matches,
        depth: int,
        deadline: Deadline = NO_DEADLINE,
        stored: Callable[[int], dict] | None = None,
    ) -> list[tuple[float, int]]:
        """The best ``depth`` (score, docnum) hits: the first stage's, then the second's."""
        docs, scores = matches.top(max(depth, rerank.fetch(self.ranking)))
        hits = list(zip(scores.tolist(), docs.tolist(), strict=True))
        words = rerank.query_words(searcher, parsed.text_words)
        ranked = rerank.rerank(searcher, hits, words, self.ranking, self.words, deadline, stored)
        return ranked if depth <= 0 else ranked[:depth]

    def search(
        self,
        q: str,
        page: int = 1,
        per_page: int = 10,
        filters: dict[str, object] | None = None,
        sort: str = "relevance",
        time_limit: float | None = None,
    ) -> Page:
        """One page of ranked hits for ``q``, with facets over all matches.

        ``filters`` narrows by declared fields: a keyword's value, a date or number range,
        e.g. {"section": "sport", "words": "100..500", "published": "2015-07"};
        ``sort`` is "relevance", or a date or number field ("published": oldest first,
        "-published": newest first; documents without one last either way). A filter field
        or sort key the index does not declare, or a filter value its type cannot read,
        raises FilterError (a ValueError) naming what would work. Never raises on the text
        of ``q``: a query that cannot be run gives an empty page whose ``message`` says why.
        The one exception: with a ``time_limit`` (seconds), a search still at work past it
        stops and raises SearchTimeout, whose message says how to narrow the query; and an
        expensive query (search.admission) that meets another one running in this engine
        stops before its expensive part with SearchBusy (a SearchTimeout).
        """
        started = time.perf_counter()
        with self._reading() as searcher, self.turns.ticket(time_limit, q or "") as ticket:
            return self._search(
                searcher, started, q, page, per_page, filters, sort, time_limit, ticket
            )

    def _search(
        self, searcher, started, q, page, per_page, filters, sort, time_limit, ticket
    ) -> Page:
        deadline = Deadline(time_limit)
        page, per_page = clamp_paging(page, per_page)
        rules = self.filters
        sort_key = rules.sort_key(sort)
        conditions = [
            rules.condition(name, value)
            for name, value in (filters or {}).items()
            if value is not None and value != ""
        ]
        parsed = self._builder(searcher).parse(q or "", deadline, ticket)
        if not ticket.free and parsed.query is not None:
            counted = partial(frequencies, searcher.reader())
            if admission.phrase_work(parsed.query, counted) > admission.ORDINARY_PHRASE_WORK:
                ticket.need(SCORING)  # an expensive phrase: a turn, or SearchBusy
        if parsed.filter is not None:
            conditions.insert(0, parsed.filter)
        if parsed.query is None:
            return self._page(q, page, per_page, started, parsed, total=0)
        if parsed.query is wq.NullQuery:  # e.g. a prefix that no indexed word starts with
            parsed.messages.append(notice("no_match"))
            return self._page(q, page, per_page, started, parsed, total=0)
        condition = wq.And(conditions) if len(conditions) > 1 else next(iter(conditions), None)
        matches = self._matches(searcher, parsed, condition, deadline)
        if isinstance(matches, EngineMatches):
            parsed.messages.extend(notice(code) for code in matches.notices)
        total = matches.total
        shown, start, stop = page_bounds(total, page, per_page)
        if total and shown != page:
            parsed.messages.append(notice("page_past_end", page=page, shown=shown))
        stored = _stored_fields(searcher)
        if sort_key is not None and isinstance(matches, EngineMatches):
            reranked = self._ranked(searcher, parsed, matches, 0, deadline, stored)
            ranked = matches.sorted_by(sort_key, stop, reranked)[start:stop]
        elif sort_key is not None:
            # the scores shown are the relevance page's: the second stage's for its top hits
            reranked = self._ranked(searcher, parsed, matches, 0, deadline, stored)
            ranked = self._sorted(searcher, matches, sort_key, reranked)[start:stop]
        else:
            ranked = self._ranked(searcher, parsed, matches, stop, deadline, stored)[start:stop]
        verdicts: dict[str, bool | None] = {}  # the highlighter's, shared by the page's hits
        hits = []
        for score, docnum in ranked:
            deadline.check(SNIPPETS)
            hits.append(self._hit(stored(docnum), score, parsed, verdicts))
        suggestion = self._did_you_mean(searcher, parsed, total)
        if not total and not parsed.messages:
            parsed.messages.append(notice("no_match"))
        if isinstance(matches, EngineMatches):
            facets = matches.facet_counts(self.settings.facets)
        else:
            facets = self._facets(searcher, matches)
        page = self._page(q, shown, per_page, started, parsed, total, hits, suggestion, facets)
        if isinstance(matches, EngineMatches) and matches.partial:
            page = replace(page, partial=True, warning=matches.warning)
        return page

    def _sorted(
        self, searcher, matches: Matches, key: SortKey, reranked: list[tuple[float, int]]
    ) -> list[tuple[float, int]]:
        """Every match in the order of a date or number field, ascending or descending;
        those without a value last either way; equal values by key (index/keys.py). Each
        with its relevance
        score, as the relevance order shows it (``reranked``: the second stage's top hits):
        a sort changes the order, not what a score means."""
        keys, present = IndexArrays.of(searcher).sort_keys(key.field)
        docs, scores = matches.top(matches.total)
        if reranked:
            position = {docnum: i for i, docnum in enumerate(docs.tolist())}
            scores = scores.copy()
            for score, docnum in reranked:
                scores[position[docnum]] = score
        values = keys[docs]
        if key.descending:
            values = np.iinfo(np.uint64).max - values
        missing = ~present[docs]
        order = np.lexsort((tie_keys(searcher)[docs], values, missing))
        return list(zip(scores[order].tolist(), docs[order].tolist(), strict=True))

    def _facets(self, searcher, matches: Matches) -> dict[str, dict[str, int]]:
        """For each facet field, {value: number of matches with it}, the most frequent first
        (ties in the order the values first appear in the index). A document with several
        values counts once for each."""
        arrays = IndexArrays.of(searcher)
        matched = np.zeros(arrays.size, dtype=bool)
        matched[matches.docnums()] = True
        facets = {}
        for name in self.settings.facets:
            codes, docs, names = arrays.values(name)
            counts = np.bincount(codes[matched[docs]], minlength=len(names))
            found = np.flatnonzero(counts)
            order = found[np.lexsort((found, -counts[found]))]
            facets[name] = {names[code]: int(counts[code]) for code in order.tolist()}
        return facets

    def _page(
        self, q, page, per_page, started, parsed, total, hits=(), suggestion=None, facets=None
    ):
        return Page(
            query=q,
            total=total,
            page=page,
            per_page=per_page,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
            hits=list(hits),
            suggestion=suggestion,
            facets=facets or {name: {} for name in self.settings.facets},
            message=parsed.message,
            notices=parsed.notices,
            also_searched=tuple(dict.fromkeys((*parsed.variants, *parsed.synonyms))),
        )

    def _hit(self, fields: dict, score: float | None, parsed: ParsedQuery, verdicts: dict) -> Hit:
        title, text = fields.get("title") or "", fields.get("text") or ""
        title_spans = highlight.matched_spans(title, parsed.terms, self.words, verdicts)
        text_spans = highlight.matched_spans(text, parsed.terms, self.words, verdicts)
        return Hit(
            id=fields["id"],
            title=title,
            title_html=highlight.highlight(title, title_spans),
            snippet_html=highlight.snippet(text, text_spans),
            score=round(float(score or 0.0), 4),
            **_shown_fields(fields),
        )

    # ---- did you mean, autocomplete ---------------------------------------------------

    def _doc_frequency(self, reader, word: str) -> int:
        return reader.doc_frequency("text_exact", word) + reader.doc_frequency("title_exact", word)

    def _did_you_mean(self, searcher, parsed: ParsedQuery, total: int) -> str | None:
        """A respelling of the query when it finds little, or one of its words is rare and a
        close spelling is much more common (a doubled, dropped or wrong letter). The close
        spellings are looked up on the query's expansion budget: what * and ~ left of it."""
        reader = searcher.reader()
        frequencies = [self._doc_frequency(reader, word) for _, word in parsed.plain_words]
        if total >= SUGGEST_BELOW and min(frequencies, default=RARE_WORD_DOCS) >= RARE_WORD_DOCS:
            return None
        changed, words = False, []
        for (typed, word), frequency in zip(parsed.plain_words, frequencies, strict=True):
            best, best_frequency = None, max(1, frequency * SUGGESTION_ADVANTAGE) - 1
            if frequency < RARE_WORD_DOCS and len(word) >= 3:
                distance = 1 if len(word) <= 5 else 2
                budget = parsed.expansion
                close = close_words(reader, "text_exact", word, distance, budget, DID_YOU_MEAN)
                for candidate in close:
                    candidate_frequency = self._doc_frequency(reader, candidate)
                    if candidate_frequency > best_frequency:
                        best, best_frequency = candidate, candidate_frequency
            if best:
                changed = True
                words.append(self._surface(searcher, best))
            else:
                words.append(typed)
        return " ".join(words) if changed else None

    def suggest(self, prefix: str, limit: int = 10, time_limit: float | None = None) -> list[str]:
        """Whole indexed words starting with the last word of ``prefix``, most frequent first,
        spelled as in the documents (not stems, not normalized). The last word needs
        MIN_PREFIX letters, as a prefix search does, and the dictionary is read on the same
        budget as a query's expansions (search.expansion): as far as it goes, the most
        frequent words found. ``time_limit`` as in search(). At most SUGGESTIONS_MAX words,
        each at most MAX_WORD_CHARS characters: a longer one is no word (an index built
        before that rule may hold one), so the answer stays small whatever the index."""
        limit = min(max(1, int(limit)), SUGGESTIONS_MAX)
        typed = [w.terms.exact for w in self.words.tokens(prefix or "") if w.terms.exact]
        if not typed or (prefix or "")[-1:].isspace() or len(typed[-1]) < MIN_PREFIX:
            return []
        with self._reading() as searcher, self.turns.ticket(time_limit) as ticket:
            budget = ExpansionBudget(deadline=Deadline(time_limit), ticket=ticket)
            counts, _ = prefix_frequencies(
                searcher.reader(), ("text_exact", "title_exact"), typed[-1], budget, SUGGESTIONS
            )
            ranked: list[str] = []
            for word in sorted(counts, key=lambda w: (-counts[w], w)):
                if not too_long(word) and not self.words.word(word).stop:
                    ranked.append(word)
                    if len(ranked) == limit:
                        break
            surfaces = []
            for word in ranked:  # each reads a document's stored text
                budget.deadline.check(SUGGESTIONS)
                surfaces.append(self._surface(searcher, word))
            return list(dict.fromkeys(surfaces))

    def _surface(self, searcher, word: str) -> str:
        """How the documents write ``word`` (a normalized term): the first spelling found,
        without diacritics, tatweel or format characters (analyzers.unmarked), e.g. احمد →
        أحمد; the term itself when none is found, or when the spelling is too long."""
        if word in self._surfaces:
            return self._surfaces[word]
        surface, reader = word, searcher.reader()
        for fieldname, stored in (("title_exact", "title"), ("text_exact", "text")):
            if (fieldname, word) not in reader:
                continue
            docnum = reader.postings(fieldname, word).id()
            text = (searcher.stored_fields(docnum).get(stored) or "")[: highlight.SCAN_CHARS]
            spans = self.words.spans(text, lambda terms: True if terms.exact == word else None, {})
            if spans:
                start, end = spans[0]
                found = unmarked(text[start:end])
                surface = word if too_long(found) else found
                break
        if len(self._surfaces) >= SURFACES_KEPT:
            self._surfaces = {}
        self._surfaces[word] = surface
        return surface

    # ---- one document; batch runs ------------------------------------------------------

    def document(
        self, doc_id: str, q: str | None = None, time_limit: float | None = None
    ) -> DocumentView | None:
        """The document ``doc_id``, with the words ``q`` matched highlighted: the whole of
        it up to DOCUMENT_CHARS characters; a longer one is cut there, and ``message`` (and
        the last paragraph of ``body_html``) says so. ``time_limit`` as in search()."""
        deadline = Deadline(time_limit)
        with self._reading() as searcher, self.turns.ticket(time_limit) as ticket:
            fields = searcher.document(id=str(doc_id))
            if fields is None:
                return None
            parsed = ParsedQuery(query=None)
            if q:
                parsed = self._builder(searcher).parse(q, deadline, ticket)
        title, text = fields.get("title") or "", fields.get("text") or ""
        shown = _cut(text, DOCUMENT_CHARS)
        notices = (notice("document_cut", length=len(text), shown=len(shown)),)
        notices = notices if len(shown) < len(text) else ()
        deadline.check(HIGHLIGHTING)
        body_html = highlight.paragraphs(
            shown, highlight.matched_spans(shown, parsed.terms, self.words, limit=None)
        )
        return DocumentView(
            id=fields["id"],
            title=title,
            text=text,
            title_html=highlight.highlight(
                title, highlight.matched_spans(title, parsed.terms, self.words)
            ),
            body_html=body_html,
            **_shown_fields(fields),
            message=" ".join(map(str, notices)),
            notices=notices,
        )

    def run_queries(
        self, queries: Iterable[tuple[str, str]], limit: int = 100
    ) -> Iterator[tuple[str, list[tuple[str, float]]]]:
        """For each (query id, text): the top ``limit`` (doc id, score), for TREC runs.
        No snippets, facets or counts: only ranking, as fast as it goes."""
        with self._reading() as searcher:
            builder = self._builder(searcher)
            ids = searcher.reader().column_reader("id")
            for qid, text in queries:
                parsed = builder.parse(text or "")
                if parsed.query is None or parsed.query is wq.NullQuery:
                    yield qid, []
                    continue
                matches = self._matches(searcher, parsed, parsed.filter)
                top = self._ranked(searcher, parsed, matches, limit)
                yield qid, [(ids[docnum], float(score)) for score, docnum in top]


def _stored_fields(searcher) -> Callable[[int], dict]:
    """One query's reader of stored fields: the second stage and the page read the same top
    hits, and a long text costs its unpacking (0.2 s for 20 MB) once, not twice."""
    memo: dict[int, dict] = {}

    def stored(docnum: int) -> dict:
        fields = memo.get(docnum)
        if fields is None:
            fields = memo[docnum] = searcher.stored_fields(docnum)
        return fields

    return stored


def _cut(text: str, limit: int) -> str:
    """``text`` up to ``limit`` characters, cut at a line or a space near there if any."""
    if len(text) <= limit:
        return text
    for separator in ("\n", " "):
        at = text.rfind(separator, limit - 2_000, limit)
        if at > 0:
            return text[:at]
    return text[:limit]


def _shown_fields(stored: dict) -> dict:
    """A hit's fields as given (``fields``), and the default schema's source, date (ISO
    8601) and url, read from them as the page and older callers show them."""
    given = stored.get("given") or {}
    source, url = given.get("source"), given.get("url")
    date = parse_date(given.get("date"))
    return {
        "source": str(source).strip() or None if isinstance(source, (str, int, float)) else None,
        "date": date.isoformat() if isinstance(date, datetime) else None,
        "url": url.strip() or None if isinstance(url, str) else None,
        "fields": dict(given),
    }
