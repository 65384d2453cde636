"""SearchEngine: the one import that embedding code, the CLI and the web need.

    engine = SearchEngine("instance/index")
    engine.index_paths(["seeds"])
    page = engine.search("الحموشي", per_page=5)

A folder or a cluster keeps the index (index/contract.py: one contract, two stores); this
class adds everything a reader needs, once for both: ranked search with snippets, facets and
"did you mean", autocomplete, one document for display, and batch runs for evaluation. Each
request reads one generation of the index (the store's ``Readers``), reopened when the index
changes (a reindex, or a rebuild swapped in).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from os import PathLike

from bahth.analyzers import AnalysisConfig, WordAnalysis, darija_synonyms, word_analysis
from bahth.index import nodes
from bahth.index.backends import open_store
from bahth.index.contract import Reader
from bahth.index.deadline import HIGHLIGHTING, NO_DEADLINE, SCORING, SNIPPETS, Deadline
from bahth.index.documents import stored_id
from bahth.index.limits import DOCUMENT_CHARS, MAX_SUGGESTIONS, MIN_PREFIX
from bahth.index.planner import IndexReport
from bahth.index.settings import Settings
from bahth.search import admission, highlight, rerank, stories, suggestions
from bahth.search.arguments import limit_seconds, query_text, whole_number
from bahth.search.expansion import ExpansionBudget
from bahth.search.filters import FieldFilters
from bahth.search.notices import notice
from bahth.search.once import StoredFields, prefixes
from bahth.search.parsed import ParsedQuery
from bahth.search.query import QueryBuilder
from bahth.search.ranking import DEFAULT_RANKING, Ranking
from bahth.search.results import (
    DocumentView,
    Hit,
    IndexState,
    Page,
    clamp_paging,
    cut,
    page_bounds,
    shown_fields,
)
from bahth.search.scorer import Matches, score
from bahth.search.synonyms import Synonyms, check_groups

SUGGESTIONS_MAX = MAX_SUGGESTIONS
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
        """``path`` is an index folder or a cluster's backend URL
        (``sphinx://HOST:PORT,.../TABLE``). ``vectorized=False`` scores a folder's queries
        with Whoosh's own matchers (index/whoosh/reference.py): the same results, slower;
        the reference search/scorer.py is tested against. ``settings``: those of an index
        this engine creates (an existing index keeps its own: the engine reads its fields,
        weights and synonyms from the index). ``synonyms``: groups of equivalent entries
        (words or phrases), searched for one another at query time (search/synonyms.py),
        instead of the index's settings' groups; ValueError says what is wrong with a bad
        group. ``darija_synonyms``: search bahth's built-in Moroccan Darija groups too
        (analyzers/lexicon.py); None: as the index's settings say (on unless they turn it
        off)."""
        self.store = open_store(path, analysis, settings=settings)
        self.ranking = ranking or DEFAULT_RANKING
        self.vectorized = vectorized
        self._readers = self.store.readers()
        self.turns = admission.Turns(self.store.location)  # expensive ones (search.admission)
        self.given_synonyms = check_groups(synonyms)
        self.given_darija = darija_synonyms
        self._synonyms: dict[tuple, Synonyms] = {}
        if self.given_synonyms:
            _ = self.synonyms  # analyzed now: an entry with no word is an error here, not later

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
        return self._filters_of(self.settings)

    @property
    def words(self) -> WordAnalysis:
        """What each word becomes in this index: the one answer the writer used."""
        return word_analysis(self.analysis)

    @property
    def synonyms(self) -> Synonyms:
        """The synonym groups this engine searches (see _synonyms_of)."""
        return self._synonyms_of(self.settings, self.analysis)

    def _filters_of(self, settings: Settings) -> FieldFilters:
        cached = getattr(self, "_filters", None)
        if cached is None or cached.settings is not settings:
            cached = self._filters = FieldFilters(settings)
        return cached

    def _synonyms_of(self, settings: Settings, analysis: AnalysisConfig) -> Synonyms:
        """The synonym groups, analyzed as this index analyzes its text (again after a
        rebuild with another analysis, or when the index records other groups): those given
        to this engine, else those of the index's settings (query time: a reindex that
        records other groups applies at once), and bahth's built-in Darija groups
        (analyzers/lexicon.py) unless this engine, or else the settings, turn them off."""
        own = self.given_synonyms or tuple(settings.synonyms)
        darija = settings.darija_synonyms if self.given_darija is None else self.given_darija
        key = (analysis, own, darija_synonyms() if darija else ())
        found = self._synonyms.get(key)
        if found is None:
            if len(self._synonyms) >= SYNONYM_SETS_KEPT:
                self._synonyms.clear()
            found = Synonyms(key[1], word_analysis(analysis), by_form=key[2])
            self._synonyms[key] = found
        return found

    # ---- the write side: the store's own operations ----------------------------------

    def add_documents(self, documents: Iterable, **options) -> IndexReport:
        """Add or update documents (dicts with id, title, text, and any other fields)."""
        return self.store.add_documents(documents, **options)

    def index_paths(self, paths: Iterable, **options) -> IndexReport:
        """Index files and folders (.txt, .jsonl, .jsonl.gz, .csv); see the store's."""
        return self.store.index_paths(paths, **options)

    def delete(self, doc_id: str) -> bool:
        return self.store.delete(stored_id(doc_id))

    def stats(self) -> dict:
        """The index's statistics, counted on the generation requests read (a folder's
        opening its own reader for it copied every segment into memory)."""
        with self._reading() as reader:
            return self.store.stats(reader)

    def health(self) -> dict:
        """Can the index answer? For a cluster, node by node: {"ok", "backend", "nodes"}."""
        return self.store.health()

    def state(self) -> IndexState:
        """The generation this request reads and its number of documents, opened (or
        reopened after a change) as a search opens it: a cheap proof that the index opens
        and reads, for a health check. IndexMissing, IndexVersionMismatch as a search
        would raise them."""
        with self._reading() as reader:
            return IndexState(generation=reader.generation, documents=reader.doc_count())

    # ---- reading ---------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[Reader]:
        """The current generation's reader, held (shared by threads) until the block ends."""
        with self._readers.lease() as reader:
            yield reader

    def _reader(self) -> Reader:
        """The current reader, not held: for tests and tools that look at the index between
        two changes (a commit after this call may close it)."""
        with self._reading() as reader:
            return reader

    def close(self) -> None:
        """Close the open readers (a request still running keeps its own until it ends)."""
        self._readers.close()
        self.turns.close()

    def _builder(self, reader: Reader) -> QueryBuilder:
        """The query builder of the generation ``reader`` reads: its settings and analysis
        (one request reads one generation's rules, asked of the store once)."""
        settings, words = reader.settings, word_analysis(reader.analysis)
        return QueryBuilder(
            words,
            self.ranking,
            reader,
            self._filters_of(settings),
            settings.text_weights(),
            self._synonyms_of(settings, reader.analysis),
            settings.cross_script,
        )

    def parse(self, q: str) -> ParsedQuery:
        """The query tree bahth runs for ``q`` (index/nodes.py; ``nodes.describe`` prints
        it): useful to see what a query means."""
        with self._reading() as reader:
            return self._builder(reader).parse(q)

    def _matches(
        self, reader: Reader, query, condition, deadline: Deadline = NO_DEADLINE
    ) -> Matches:
        """The first stage: what the query matches, and BM25F scores (search/scorer.py)."""
        selection = reader.select(query, condition, deadline)
        if not self.vectorized:
            found = selection.reference(query, condition, self.ranking, deadline)
            if found is not None:
                scores, eligible = found
                return Matches(selection, scores, eligible, deadline=deadline)
        return score(selection, query, condition, self.ranking, deadline)

    def _ranked(
        self,
        reader: Reader,
        parsed: ParsedQuery,
        matches: Matches,
        depth: int,
        stored: StoredFields,
        deadline: Deadline = NO_DEADLINE,
    ) -> list[tuple[float, int]]:
        """The best ``depth`` (score, handle) hits (0: as deep as the second stage goes):
        the first stage's, then the second's."""
        handles, scores = matches.top(max(depth, rerank.fetch(self.ranking)))
        hits = list(zip(scores.tolist(), handles.tolist(), strict=True))
        lists = {f: read for f in rerank.FIELDS if (read := reader.stem_lists(f)) is not None}
        if len(lists) < len(rerank.FIELDS):  # it reads the texts: ask for them at once
            stored.prefetch([h for _, h in hits[: self.ranking.rerank_depth + 10]])
        words = rerank.query_words(reader, parsed.text_words)
        paths = rerank.query_paths(words, parsed.synonym_paths)
        analysis = word_analysis(reader.analysis)
        ranked = rerank.rerank(
            hits, words, self.ranking, analysis, stored, deadline, paths, stem_lists=lists
        )
        return ranked if depth <= 0 else ranked[:depth]

    def search(
        self,
        q: str,
        page: int = 1,
        per_page: int = 10,
        filters: dict[str, object] | None = None,
        sort: str = "relevance",
        time_limit: float | None = None,
        collapse: bool = True,
    ) -> Page:
        """One page of ranked hits for ``q``, with facets over all matches.

        ``collapse``: each story (near-duplicates, search/stories.py) once, as its
        best-ranked member (``hit.story_size`` says how many documents it holds; ``total``
        counts stories, ``total_documents`` documents); False, or ``[stories] enabled =
        false`` in the index's settings: every document.

        ``filters`` narrows by declared fields: a keyword's value, a date or number range,
        e.g. {"section": "sport", "words": "100..500", "published": "2015-07"};
        ``sort`` is "relevance", or a date or number field ("published": oldest first,
        "-published": newest first; documents without one last either way). A filter field
        or sort key the index does not declare, or a filter value its type cannot read,
        raises FilterError (a ValueError) naming what would work, as do ``filters`` that are
        not a dict and a ``sort`` that is not a str. Never raises on the text of ``q``: a
        query that cannot be run gives an empty page whose ``message`` says why (a number
        is read as its digits, None as no query; any other ``q``, a ``page`` or ``per_page``
        that is not a whole number, or a ``time_limit`` that is not None or seconds above 0,
        raises ArgumentError naming it).
        The one exception: with a ``time_limit`` (seconds), a search still at work past it
        stops and raises SearchTimeout, whose message says how to narrow the query; and an
        expensive query (search.admission) that meets another one running in this engine
        stops before its expensive part with SearchBusy (a SearchTimeout).
        """
        started = time.perf_counter()
        q, time_limit = query_text(q), limit_seconds(time_limit)
        page, per_page = clamp_paging(page, per_page)
        with self._reading() as reader, self.turns.ticket(time_limit, q) as ticket:
            deadline = Deadline(time_limit)
            rules = self._filters_of(reader.settings)
            sort_key = rules.sort_key(sort)
            conditions = rules.conditions(filters)
            parsed = self._builder(reader).parse(q, deadline, ticket)
            if not ticket.free and parsed.query is not None:
                if admission.phrase_work(parsed.query, reader) > admission.ORDINARY_PHRASE_WORK:
                    ticket.need(SCORING)  # an expensive phrase: a turn, or SearchBusy
            if parsed.filter is not None:
                conditions.insert(0, parsed.filter)
            empty = {name: {} for name in reader.settings.facets}
            if parsed.query is None:
                return self._page(q, page, per_page, started, parsed, 0, facets=empty)
            if parsed.query is nodes.NOTHING:  # e.g. a prefix that no indexed word starts with
                parsed.messages.append(notice("no_match"))
                return self._page(q, page, per_page, started, parsed, 0, facets=empty)
            matches = self._matches(reader, parsed.query, nodes.all_of(conditions), deadline)
            view = _Request(self, reader, parsed, matches, deadline)
            collapse = bool(collapse and reader.settings.stories)
            return view.page(q, page, per_page, sort_key, started, collapse)

    def story(self, story_id: str) -> list[str]:
        """The ids of a story's documents, newest first ([]: no such story)."""
        found = self.story_view(story_id)
        return [document.id for document in found.documents] if found else []

    def story_view(self, story_id: str) -> stories.Story | None:
        """A story with each document's title, source, date and url, newest first."""
        with self._reading() as reader:
            return stories.story(reader, str(story_id), shown_fields)

    @staticmethod
    def _page(
        q, page, per_page, started, parsed, total, hits=(), suggestion=None, facets=None
    ) -> Page:
        read_as = [(typed, searched) for typed, searched, _ in parsed.scripts]
        return Page(
            query=q,
            total=total,
            page=page,
            per_page=per_page,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
            hits=list(hits),
            suggestion=suggestion,
            facets=facets or {},
            message=parsed.message,
            notices=parsed.notices,
            also_searched=tuple(dict.fromkeys((*read_as, *parsed.variants, *parsed.synonyms))),
            read_as=tuple(dict.fromkeys(parsed.scripts)),
        )

    @staticmethod
    def _hit(
        fields: dict, score: float | None, parsed: ParsedQuery, words: WordAnalysis, verdicts: dict
    ) -> Hit:
        title, text = fields.get("title") or "", fields.get("text") or ""
        title_spans = highlight.matched_spans(title, parsed.terms, words, verdicts)
        text_spans = highlight.matched_spans(text, parsed.terms, words, verdicts)
        return Hit(
            id=fields["id"],
            title=title,
            title_html=highlight.highlight(title, title_spans),
            snippet_html=highlight.snippet(text, text_spans),
            score=round(float(score or 0.0), 4),
            **shown_fields(fields),
        )

    # ---- autocomplete ----------------------------------------------------------------

    def suggest(self, prefix: str, limit: int = 10, time_limit: float | None = None) -> list[str]:
        """Whole indexed words starting with the last word of ``prefix``, most frequent first,
        spelled as in the documents (not stems, not normalized). The last word needs
        MIN_PREFIX letters, as a prefix search does, and the dictionary is read on the same
        budget as a query's expansions (search.expansion): as far as it goes, the most
        frequent words found. ``time_limit`` as in search(). At most SUGGESTIONS_MAX words,
        each at most MAX_WORD_CHARS characters: a longer one is no word (an index built
        before that rule may hold one), so the answer stays small whatever the index."""
        limit = whole_number(limit, "limit", 1, SUGGESTIONS_MAX)
        prefix, time_limit = query_text(prefix, "prefix"), limit_seconds(time_limit)
        if not prefix.strip() or prefix[-1:].isspace():
            return []
        with self._reading() as reader, self.turns.ticket(time_limit) as ticket:
            words = word_analysis(reader.analysis)
            typed = [w.terms.exact for w in words.tokens(prefix) if w.terms.exact]
            if not typed or len(typed[-1]) < MIN_PREFIX:
                return []
            budget = ExpansionBudget(deadline=Deadline(time_limit), ticket=ticket)
            return suggestions.completions(reader, words, typed[-1], limit, budget)

    # ---- one document; batch runs ------------------------------------------------------

    def document(
        self, doc_id: str, q: str | None = None, time_limit: float | None = None
    ) -> DocumentView | None:
        """The document ``doc_id``, with the words ``q`` matched highlighted: the whole of
        it up to DOCUMENT_CHARS characters; a longer one is cut there, and ``message`` (and
        the last paragraph of ``body_html``) says so. ``time_limit`` as in search()."""
        q = None if q is None else query_text(q)
        deadline = Deadline(limit_seconds(time_limit))
        with self._reading() as reader, self.turns.ticket(deadline.seconds) as ticket:
            fields = reader.document(stored_id(doc_id))
            if fields is None:
                return None
            parsed = ParsedQuery(query=None)
            words = word_analysis(reader.analysis)
            if q:
                parsed = self._builder(reader).parse(q, deadline, ticket)
        title, text = fields.get("title") or "", fields.get("text") or ""
        shown = cut(text, DOCUMENT_CHARS)
        notices = (notice("document_cut", length=len(text), shown=len(shown)),)
        notices = notices if len(shown) < len(text) else ()
        deadline.check(HIGHLIGHTING)
        body_html = highlight.paragraphs(
            shown, highlight.matched_spans(shown, parsed.terms, words, limit=None)
        )
        return DocumentView(
            id=fields["id"],
            title=title,
            text=text,
            title_html=highlight.highlight(
                title, highlight.matched_spans(title, parsed.terms, words)
            ),
            body_html=body_html,
            **shown_fields(fields),
            message=" ".join(map(str, notices)),
            notices=notices,
        )

    def run_queries(
        self, queries: Iterable[tuple[str, str]], limit: int = 100
    ) -> Iterator[tuple[str, list[tuple[str, float]]]]:
        """For each (query id, text): the top ``limit`` (doc id, score), for TREC runs.
        No snippets, facets or counts: only ranking, as fast as it goes."""
        with self._reading() as reader:
            builder = self._builder(reader)
            for qid, text in queries:
                parsed = builder.parse(text or "")
                if parsed.query is None or parsed.query is nodes.NOTHING:
                    yield qid, []
                    continue
                matches = self._matches(reader, parsed.query, parsed.filter)
                top = self._ranked(reader, parsed, matches, limit, StoredFields(reader))
                ids = reader.ids([handle for _, handle in top])
                yield qid, [(doc_id, float(s)) for doc_id, (s, _) in zip(ids, top, strict=True)]


class _Request:
    """One search request's page: its hits in order (relevance, or a field's), snippets,
    facets, "did you mean", what the store said of the query."""

    def __init__(self, engine: SearchEngine, reader: Reader, parsed, matches, deadline) -> None:
        self.engine, self.reader, self.parsed = engine, reader, parsed
        self.matches, self.deadline = matches, deadline
        self.stored = StoredFields(reader)

    def page(self, q, page: int, per_page: int, sort_key, started, collapse: bool) -> Page:
        engine, parsed, matches = self.engine, self.parsed, self.matches
        selection = matches.selection
        parsed.messages.extend(notice(code) for code in selection.notices)
        fetch = self._fetch(sort_key)
        total = documents = matches.total
        if collapse and documents:
            total = stories.story_total(selection, matches.eligible, lambda: fetch(documents))
        shown, start, stop = page_bounds(total, page, per_page)
        if total and shown != page:
            parsed.messages.append(notice("page_past_end", page=page, shown=shown))
        ranked = stories.collapsed(fetch, selection, stop) if collapse else fetch(stop)
        ranked = ranked[start:stop]
        self.stored.prefetch([handle for _, handle in ranked])
        words = word_analysis(self.reader.analysis)
        verdicts: dict[str, bool | None] = {}  # the highlighter's, shared by the page's hits
        hits = []
        handles = [handle for _, handle in ranked]
        for (hit_score, handle), (story, size) in zip(
            ranked, stories.sizes(self.reader, selection, handles), strict=True
        ):
            self.deadline.check(SNIPPETS)
            hit = engine._hit(self.stored(handle), hit_score, parsed, words, verdicts)
            hits.append(replace(hit, story_id=story, story_size=size))
        suggestion = suggestions.did_you_mean(
            self.reader, words, parsed.plain_words, documents, parsed.expansion
        )
        if not total and not parsed.messages:
            parsed.messages.append(notice("no_match"))
        names = self.reader.settings.facets
        facets = selection.facets(matches.eligible, names) or {name: {} for name in names}
        more = fetch(stop) if collapse and parsed.variants else []  # a story's other copies
        read = dict.fromkeys(handle for _, handle in ranked + more)
        parsed.variants = suggestions.as_written(
            self.reader, words, parsed.variants, map(self.stored, read)
        )
        result = engine._page(q, shown, per_page, started, parsed, total, hits, suggestion, facets)
        result = replace(result, total_documents=documents)
        if selection.partial:
            result = replace(result, partial=True, warning=selection.warning)
        return result

    def _fetch(self, sort_key):
        """The page's order as ``fetch(depth)``: the first ``depth`` (score, handle) hits by
        relevance (the second stage's), or by ``sort_key``'s field with relevance scores."""
        engine, matches = self.engine, self.matches
        if sort_key is None:
            return prefixes(
                lambda depth: engine._ranked(
                    self.reader, self.parsed, matches, depth, self.stored, self.deadline
                )
            )
        # the scores shown are the relevance page's: the second stage's for its top hits
        reranked = engine._ranked(self.reader, self.parsed, matches, 0, self.stored, self.deadline)
        scores = {**matches.scored(), **{h: s for s, h in reranked}}
        return lambda depth: matches.selection.sorted(matches.eligible, sort_key, depth, scores)
