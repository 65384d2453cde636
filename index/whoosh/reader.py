"""The folder store's read side (index/contract.py): one generation of a Whoosh index, read
straight from its segments.

Whoosh scores a query one posting at a time in Python (matcher trees, ``score()`` per
posting): on SaudiNewsNet that was nearly all of a query's time. Here a term's postings are
read as Whoosh stores them, block by block (index/whoosh/postings.py), kept decoded per
segment (index/whoosh/segments.py), and given to the scorer (search/scorer.py) as arrays over
the whole index: a slot is a docnum. Field lengths, live documents, tie keys, facet values
and sort keys are arrays too, made once per generation from what each segment keeps.

A ``FolderReader`` is made once per generation (``of``) and shared by every thread that
reads it; a ``FolderSelection`` is one query's view of it (every document, counted here).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from bahth.analyzers import AnalysisConfig
from bahth.index import nodes
from bahth.index.contract import Postings, SortKey
from bahth.index.deadline import NO_DEADLINE, Deadline
from bahth.index.settings import Settings
from bahth.index.whoosh.joined import IndexSegment, JoinedPostings
from bahth.index.whoosh.readers import IndexView, OpenIndex
from bahth.index.whoosh.reference import reference_scores
from bahth.index.whoosh.schema import STEM_LISTS
from bahth.index.whoosh.segments import (
    by_handle,
    segment_data,
)
from bahth.index.whoosh.term_table import TermTable
from bahth.index.whoosh.vocabulary import segment_words

_EMPTY = np.zeros(0, dtype=np.int64)
_EMPTY_FLOATS = np.zeros(0, dtype=np.float64)
_READERS_LOCK = threading.Lock()
FREQUENCIES_KEPT = 50_000  # document frequencies a reader keeps (about 12 MB: 100,000 traced 24 MB)


class FolderReaders:
    """The folder's open readers (index/contract.py Readers): one per generation, shared by
    every thread, reopened when the index changes (index/whoosh/readers.py)."""

    def __init__(self, store) -> None:
        self.views = OpenIndex(store)

    @contextmanager
    def lease(self) -> Iterator[FolderReader]:
        with self.views.lease() as view:
            yield FolderReader.of(view, self.views.store)

    def close(self) -> None:
        self.views.close()


class FolderReader:
    """One generation of a folder index, as every request reads it."""

    def __init__(self, view: IndexView, store) -> None:
        self.store = store
        self.generation = view.token
        self.searcher = view.searcher  # Whoosh's: stored fields, the reference search
        self.whoosh = view.searcher.reader()
        self.schema = view.searcher.schema
        self.cache: dict = {}
        self.size = self.searcher.doc_count_all()
        self.segments: list[IndexSegment] = []
        for sub, offset in self.searcher.leaf_searchers():
            reader = sub.reader()
            if not reader.doc_count_all():  # an index with no segment yet: Whoosh's EmptyReader
                continue
            data = segment_data(reader)
            self.segments.append(IndexSegment.of(reader, offset, data))
        self.live = (
            np.concatenate([s.live for s in self.segments])
            if self.segments
            else np.zeros(0, dtype=bool)
        )
        self._arrays: dict[tuple, object] = {}
        self._frequencies: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()
        self.joined = JoinedPostings(self.schema, self.segments)

    @classmethod
    def of(cls, view: IndexView, store) -> FolderReader:
        """The reader of ``view``, made on first use and kept with it."""
        reader = getattr(view, "reader", None)
        if reader is None:
            with _READERS_LOCK:
                reader = getattr(view, "reader", None)
                if reader is None:
                    reader = view.reader = cls(view, store)
        return reader

    @property
    def settings(self) -> Settings:
        """The folder's settings (read again when its meta file changes: query-time settings
        a reindex records apply at once)."""
        return self.store.settings

    @property
    def analysis(self) -> AnalysisConfig:
        return self.store.analysis

    def _once(self, key: tuple, make):
        value = self._arrays.get(key)
        if value is None:
            with self._lock:
                value = self._arrays.get(key)
                if value is None:
                    value = self._arrays[key] = make()
        return value

    # ---- counts and statistics -----------------------------------------------------------

    def doc_count(self) -> int:
        return self.searcher.doc_count()

    def collection_size(self) -> int:
        return self.size

    def frequency(self, field: str, term: str) -> int:
        """A term's document frequency, asked of Whoosh once per generation (a query asks
        for its words' several times: parsing, synonyms, the second stage's weights)."""
        key = (field, term)
        found = self._frequencies.get(key)
        if found is None:
            found = self._doc_frequency(field, term) if field in self.schema else 0
            if len(self._frequencies) >= FREQUENCIES_KEPT:
                self._frequencies.clear()
            self._frequencies[key] = found
        return found

    def _doc_frequency(self, field: str, term: str) -> int:
        """Whoosh's doc_frequency (deleted documents counted), read from each segment's term
        table straight (index/whoosh/term_table.py says why)."""
        btext = self.schema[field].to_bytes(term)
        total = 0
        for segment in self.segments:
            table = TermTable.of(segment.reader)
            if table is None:
                return self.whoosh.doc_frequency(field, term)
            total += table.doc_frequency(field, btext)
        return total

    def frequencies(self, field: str, terms: Iterable[str]) -> dict[str, int]:
        return {term: self.frequency(field, term) for term in terms}

    def cooccurrence(self, field: str, a: str, b: str) -> tuple[int, int, int]:
        mine, theirs = self.postings(field, a).slots, self.postings(field, b).slots
        return len(mine), len(theirs), len(np.intersect1d(mine, theirs, assume_unique=True))

    def average_length(self, field: str) -> float:
        return self.searcher.avg_field_length(field) or 1

    def vocabulary(
        self, field: str, prefix: str, deadline: Deadline, stage: str, counted: bool
    ) -> list[Iterator[tuple[str, int | None]]]:
        if field not in self.schema:
            return []
        try:
            bprefix = self.schema[field].to_bytes(prefix)
        except (ValueError, TypeError):
            return []
        return [segment_words(s.reader, field, bprefix, deadline, stage) for s in self.segments]

    # ---- documents -------------------------------------------------------------------

    def first_with(self, field: str, term: str) -> int | None:
        if field not in self.schema or (field, term) not in self.whoosh:
            return None
        return self.whoosh.postings(field, term).id()

    def stored(self, handle: int) -> dict:
        return self.searcher.stored_fields(int(handle))

    def stored_many(self, handles: Sequence[int]) -> dict[int, dict]:
        return {int(h): self.stored(h) for h in handles}

    def document(self, doc_id: str) -> dict | None:
        return self.searcher.document(id=str(doc_id))

    def ids(self, handles: Sequence[int]) -> list[str]:
        """The ids of documents, from Whoosh's id column (no stored fields unpacked)."""
        column = self._once(("ids",), lambda: self.whoosh.column_reader("id"))
        return [column[int(h)] for h in handles]

    def stem_lists(self, field: str) -> Callable[[int], bytes] | None:
        """A document's stem list of ``field`` (analyzers/stem_lists.py; b"" for one written
        without), from its segment's column; None when the index keeps none."""
        column = STEM_LISTS.get(field)
        if column not in self.schema:
            return None
        return self._once(("stem lists", field), lambda: by_handle(self.segments, column))

    def select(self, query, condition, deadline: Deadline = NO_DEADLINE) -> FolderSelection:
        return FolderSelection(self, deadline)

    # ---- arrays by docnum ------------------------------------------------------------

    def postings(self, field: str, term: str) -> Postings:
        """A term's live postings over the index (index/whoosh/joined.py)."""
        return self.joined.postings(field, term)

    def positions(self, field: str, term: str) -> tuple[np.ndarray, list]:
        """A term's live docnums and each posting's raw value (its positions)."""
        return self.joined.positions(field, term)

    def lengths(self, field: str) -> np.ndarray:
        """Each document's length in ``field`` as Whoosh's doc_field_length gives it."""

        def make() -> np.ndarray:
            parts = [s.data.lengths(s.reader, field) for s in self.segments]
            return np.concatenate(parts) if parts else _EMPTY_FLOATS

        return self._once(("lengths", field), make)

    def keys(self) -> np.ndarray:
        """Each document's tie key (index/keys.py), by docnum."""

        def make() -> np.ndarray:
            parts = [s.data.tie_keys(s.reader) for s in self.segments]
            return np.concatenate(parts) if parts else _EMPTY

        return self._once(("keys",), make)

    def story_keys(self) -> np.ndarray:
        """Each document's story key (index/stories.py), by docnum."""

        def make() -> np.ndarray:
            parts = [s.data.story_keys(s.reader) for s in self.segments]
            return np.concatenate(parts) if parts else _EMPTY

        return self._once(("stories",), make)

    def _story_sizes(self) -> dict[int, int]:
        stories = self.story_keys()  # made outside the lock _once holds (it is not reentrant)

        def make() -> dict[int, int]:
            keys, counts = np.unique(stories[self.live], return_counts=True)
            return dict(zip(keys.tolist(), counts.tolist(), strict=True))

        return self._once(("story sizes",), make)

    def story_codes(self) -> tuple[np.ndarray, int]:
        """Each document's story as a number 0 .. n-1, and n: a query counts its stories
        with a bincount, not a sort of its matches' keys."""

        stories = self.story_keys()  # outside the lock _once holds

        def make() -> tuple[np.ndarray, int]:
            keys, codes = np.unique(stories, return_inverse=True)
            return codes.astype(np.int64), len(keys)

        return self._once(("story codes",), make)

    def story_sizes(self, keys: Sequence[int]) -> dict[int, int]:
        sizes = self._story_sizes()
        return {int(key): sizes.get(int(key), 0) for key in keys}

    def story_members(self, key: int) -> list[int]:
        return np.flatnonzero((self.story_keys() == int(key)) & self.live).tolist()

    def values(self, name: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Every (value code, docnum) pair of a keyword field, as two arrays, and the value
        of each code (in the values' order). A facet is one ``bincount`` of the codes of the
        matched documents' pairs, for a field with one value per document or many."""

        def make():
            codes, docs, names = [], [], []
            if name in self.schema:
                for term in self.whoosh.lexicon(name):
                    slots = self.postings(name, term.decode("utf-8")).slots
                    if len(slots):
                        codes.append(np.full(len(slots), len(names), dtype=np.int64))
                        docs.append(slots)
                        names.append(term.decode("utf-8"))
            if not names:
                return _EMPTY, _EMPTY, []
            return np.concatenate(codes), np.concatenate(docs), names

        return self._once(("values", name), make)

    def sort_keys(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Each document's key of a date or number field (index/fields.py), and whether it
        has one (the ``has`` field's postings)."""

        def make():
            keys = np.zeros(self.size, dtype=np.float64)
            present = np.zeros(self.size, dtype=bool)
            if name not in self.schema:
                return keys, present
            for segment in self.segments:
                column = segment.reader.column_reader(name)
                keys[segment.offset : segment.offset + segment.size] = np.fromiter(
                    (float(v) for v in column), dtype=np.float64, count=segment.size
                )
            present[self.postings("has", name).slots] = True
            return keys, present & self.live

        return self._once(("sort", name), make)

    def meets(self, condition) -> np.ndarray:
        """Which documents meet a condition (index/nodes.py)."""
        if isinstance(condition, nodes.Is):
            met = np.zeros(self.size, dtype=bool)
            met[self.postings(condition.field, condition.value).slots] = True
            return met
        if isinstance(condition, nodes.Between):
            keys, present = self.sort_keys(condition.field)
            met = present.copy()
            if condition.low is not None:
                met &= keys >= condition.low
            if condition.high is not None:
                met &= keys <= condition.high
            return met
        if isinstance(condition, nodes.Not):
            return self.live & ~self.meets(condition.part)
        if isinstance(condition, nodes.AllOf | nodes.AnyOf):
            parts = [self.meets(part) for part in condition.parts]
            combine = np.logical_and if isinstance(condition, nodes.AllOf) else np.logical_or
            return combine.reduce(parts)
        raise TypeError(f"not a condition: {condition!r}")

    # ---- facets and order over the matches ---------------------------------------------

    def facets(self, eligible: np.ndarray, names: Sequence[str]) -> dict[str, dict[str, int]]:
        facets = {}
        for name in names:
            codes, docs, values = self.values(name)
            counts = np.bincount(codes[eligible[docs]], minlength=len(values))
            found = [(values[c], int(counts[c])) for c in np.flatnonzero(counts).tolist()]
            found.sort(key=lambda pair: (-pair[1], pair[0]))
            facets[name] = dict(found)
        return facets

    def sorted(
        self, eligible: np.ndarray, key: SortKey, limit: int, scores: dict[int, float]
    ) -> list[tuple[float, int]]:
        keys, present = self.sort_keys(key.field)
        docs = np.flatnonzero(eligible)
        values = -keys[docs] if key.descending else keys[docs]
        order = np.lexsort((self.keys()[docs], values, ~present[docs]))[: max(0, limit)]
        return [(scores.get(int(d), 0.0), int(d)) for d in docs[order].tolist()]


class FolderSelection:
    """One query's selection of a folder: every document, a slot is a docnum."""

    total = None
    partial = False
    warning = None
    notices: tuple[str, ...] = ()

    def __init__(self, reader: FolderReader, deadline: Deadline = NO_DEADLINE) -> None:
        self.reader = reader
        self.size = reader.size
        self.deadline = deadline
        self._positions: dict[tuple[str, str], tuple[np.ndarray, list]] = {}

    def collection_size(self) -> int:
        return self.reader.size

    def average_length(self, field: str) -> float:
        return self.reader.average_length(field)

    def postings(self, field: str, term: str) -> Postings:
        return self.reader.postings(field, term)

    def lengths(self, field: str) -> np.ndarray:
        return self.reader.lengths(field)

    def live(self) -> np.ndarray:
        return self.reader.live

    def keys(self, slots: np.ndarray) -> np.ndarray:
        return self.reader.keys()[slots]

    def handles(self, slots: np.ndarray) -> np.ndarray:
        return slots

    def stories(self, handles: np.ndarray) -> np.ndarray:
        return self.reader.story_keys()[np.asarray(handles, dtype=np.int64)]

    def story_count(self, eligible: np.ndarray) -> int | None:
        codes, stories = self.reader.story_codes()
        return int(np.count_nonzero(np.bincount(codes[eligible], minlength=stories)))

    def meets(self, condition) -> np.ndarray:
        return self.reader.meets(condition)

    def facets(self, eligible: np.ndarray, names: Sequence[str]) -> dict[str, dict[str, int]]:
        return self.reader.facets(eligible, names)

    def sorted(self, eligible, key: SortKey, limit: int, scores: dict[int, float]):
        return self.reader.sorted(eligible, key, limit, scores)

    def reference(self, query, condition, ranking, deadline: Deadline):
        """Whoosh's own scores of ``query``: (scores, eligible) by docnum
        (index/whoosh/reference.py), what the one scorer is tested against."""
        return reference_scores(self.reader, query, condition, ranking, deadline)

    def phrase(self, field: str, words: Sequence[str], slop: int, slots: np.ndarray) -> np.ndarray:
        """Which of ``slots`` hold ``words`` at consecutive positions (``slop`` 1), or the
        second of two words 1..``slop`` positions after the first (Whoosh's SpanNear2,
        ordered). Each word's positions are read once per query."""
        fmt = self.reader.schema[field].format
        lists = {w: self._positions_of(field, w) for w in dict.fromkeys(words)}
        where = {w: np.searchsorted(ids, slots) for w, (ids, _) in lists.items()}
        found = np.zeros(len(slots), dtype=bool)
        for i in range(len(slots)):
            self.deadline.check("scoring")  # (a tenth of a µs; a document's positions: 15 µs)
            at = {
                w: fmt.decode_as("positions", values[where[w][i]])
                for w, (_, values) in lists.items()
            }
            if slop == 1:
                found[i] = _in_sequence(list(words), at)
            else:
                first, second = at[words[0]], set(at[words[1]])
                found[i] = any(p + gap in second for p in first for gap in range(1, slop + 1))
        return found

    def _positions_of(self, field: str, word: str) -> tuple[np.ndarray, list]:
        key = (field, word)
        found = self._positions.get(key)
        if found is None:
            found = self._positions[key] = self.reader.positions(field, word)
        return found


def _in_sequence(words: list[str], positions: dict[str, list[int]]) -> bool:
    """Is there a position p with ``words[i]`` at p + i for every i?"""
    sets = {w: set(at) for w, at in positions.items()}
    following = [sets[w] for w in words[1:]]
    return any(
        all(p + i in after for i, after in enumerate(following, start=1))
        for p in positions[words[0]]
    )
