"""One contract for a store: what the write side does and what the read side gives the engine.

Two stores keep a bahth index: a folder (index/whoosh/: Whoosh segments on disk) and a
cluster (index/sphinx/: Sphinx/Manticore nodes). Everything else, the reindex planner
(index/planner.py), the query compiler, the scorer, the second stage, snippets, facets and
sorting (search/), is written once against these protocols, so a feature works on both
stores the day it works on one. search/ never imports a store's folder; the stores never
import each other; the web knows the engine only.

**Write side** (``Store``): apply a run's documents (add, update, delete, in one commit),
stats, health, the index's settings and analysis, and a pool of readers.

**Read side** (``Reader``, one generation of the index, held for one request): document
counts, term statistics, the vocabulary that ``word*``, ``word~``, "did you mean" and
suggestions walk, stored fields; and for one query a ``Selection``: the documents the
store offers for scoring, as slots ``0 .. size-1``, with each term's postings over them as
arrays, field lengths, positions of phrases, conditions, tie keys, and the facets and sort
order of every match, and each slot's story (near-duplicates share one: index/stories.py).
A folder selects every document (a slot is a docnum) and counts its
matches itself; a cluster selects its engine's best candidates and counts every match on the
engine (``total``).

A document is named between the reader and the engine by a *handle* (an int: a folder's
docnum, a cluster's row key); ``stored(handle)`` gives its stored fields: ``id``, ``title``,
``text`` and ``given`` (its own fields, as given).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from bahth.index.deadline import Deadline

if TYPE_CHECKING:
    from os import PathLike

    from bahth.analyzers import AnalysisConfig
    from bahth.index.documents import Document
    from bahth.index.planner import IndexReport
    from bahth.index.settings import Settings


@dataclass(frozen=True)
class Postings:
    """One term over a selection: the slots that hold it (ascending) and its frequency in
    each, and its document frequency over the whole index (what idf counts)."""

    slots: np.ndarray  # int64
    frequencies: np.ndarray  # float64
    documents: int


@dataclass(frozen=True)
class SortKey:
    """Order by a date or number field; ``descending`` puts the highest first."""

    field: str
    descending: bool


class Selection(Protocol):
    """The documents one query is scored over (see the module docstring)."""

    size: int
    total: int | None  # every match, when the store counted them (None: the scorer counts)
    partial: bool  # a node of a cluster did not answer: its documents are missing
    warning: str | None  # which, in a sentence
    notices: tuple[str, ...]  # codes (search.notices) of what the store could not run

    def collection_size(self) -> int:
        """Documents idf counts (a folder counts deleted ones not yet merged away, as Whoosh
        does)."""
        ...

    def average_length(self, field: str) -> float: ...

    def postings(self, field: str, term: str) -> Postings: ...

    def lengths(self, field: str) -> np.ndarray:
        """Each slot's length in ``field`` as BM25 reads it (quantized as Whoosh stores it)."""
        ...

    def phrase(self, field: str, words: Sequence[str], slop: int, slots: np.ndarray) -> np.ndarray:
        """Which of ``slots`` hold ``words`` in order (``slop`` 1), or (slop > 1) the two words
        within ``slop`` positions: bool per slot given."""
        ...

    def meets(self, condition) -> np.ndarray:
        """Which slots meet a condition (index/nodes.py): bool per slot."""
        ...

    def live(self) -> np.ndarray:
        """Which slots are documents of the index (not deleted): bool per slot."""
        ...

    def keys(self, slots: np.ndarray) -> np.ndarray:
        """The tie key of each of ``slots``' documents (index/keys.py)."""
        ...

    def handles(self, slots: np.ndarray) -> np.ndarray:
        """The handle of each of ``slots``' documents."""
        ...

    def stories(self, handles: np.ndarray) -> np.ndarray:
        """The story key of each of ``handles``' documents (index/stories.py; a document
        alone is in its own), for documents of this selection."""
        ...

    def story_count(self, eligible: np.ndarray) -> int | None:
        """Distinct stories over every match (a folder: the ``eligible`` slots); None when
        the store cannot count them (the engine counts its candidates' instead)."""
        ...

    def facets(self, eligible: np.ndarray, names: Sequence[str]) -> dict[str, dict[str, int]]:
        """For each keyword field named: {value: matches with it} over every match (a folder:
        the ``eligible`` slots), most frequent first, equal counts by value."""
        ...

    def sorted(
        self, eligible: np.ndarray, key: SortKey, limit: int, scores: dict[int, float]
    ) -> list[tuple[float, int]]:
        """The first ``limit`` matches in ``key``'s order, documents without a value last
        either way, equal values by tie key: (score, handle), each with its relevance score
        (``scores``: handle -> score where known; 0 else)."""
        ...

    def reference(
        self, query, condition, ranking, deadline: Deadline
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """(scores, eligible) by slot as the store's own engine scores ``query``, to test the
        one scorer against (a folder: Whoosh's matchers); None for a store that has none."""
        ...


class Reader(Protocol):
    """One generation of an index, as a request reads it."""

    generation: str
    cache: dict  # what the query side learns of this generation (name variants): kept with it
    settings: Settings  # the index's settings as this request reads them
    analysis: AnalysisConfig  # what its words became when written (queries analyze the same)

    def doc_count(self) -> int:
        """Live documents."""
        ...

    def collection_size(self) -> int: ...

    def frequency(self, field: str, term: str) -> int: ...

    def frequencies(self, field: str, terms: Iterable[str]) -> dict[str, int]:
        """Each term's document frequency, asked all at once (a cluster's: one round trip)."""
        ...

    def cooccurrence(self, field: str, a: str, b: str) -> tuple[int, int, int]:
        """Documents with ``a``, with ``b``, and with both (deleted ones not counted)."""
        ...

    def vocabulary(
        self, field: str, prefix: str, deadline: Deadline, stage: str, counted: bool
    ) -> list[Iterator[tuple[str, int | None]]]:
        """The words of ``field`` starting with ``prefix``, as scans to be read in step (a
        folder's: one a segment; a word in several segments is in each, add them up), each
        in order, with its document frequency (None when not ``counted`` and a cluster would
        need a round trip for it). Words longer than any term are passed over unread."""
        ...

    def first_with(self, field: str, term: str) -> int | None:
        """The handle of the first document written with ``term`` (None: none)."""
        ...

    def stored(self, handle: int) -> dict: ...

    def stored_many(self, handles: Sequence[int]) -> dict[int, dict]:
        """Stored fields of several documents at once (a cluster: one round trip)."""
        ...

    def ids(self, handles: Sequence[int]) -> list[str]:
        """The ids of documents (without reading their texts where the store can)."""
        ...

    def document(self, doc_id: str) -> dict | None: ...

    def stem_lists(self, field: str) -> Callable[[int], bytes] | None:
        """A document's stem list of ``field`` by handle (analyzers/stem_lists.py: what its
        words became, for the second stage; b"" for a document without), or None when the
        store keeps none (the second stage then reads the stored text)."""
        ...

    def story_sizes(self, keys: Sequence[int]) -> dict[int, int]:
        """How many documents each story holds (0: none, or no such story)."""
        ...

    def story_members(self, key: int) -> list[int]:
        """The handles of a story's documents, in no order."""
        ...

    def select(self, query, condition, deadline: Deadline) -> Selection:
        """The selection ``query`` (index/nodes.py, never None) is scored over, narrowed by
        ``condition`` (None: none)."""
        ...


class Readers(Protocol):
    """A store's open readers: ``lease()`` gives the current generation's for one request."""

    def lease(self) -> AbstractContextManager[Reader]: ...

    def close(self) -> None: ...


class Store(Protocol):
    """Where an index is kept, as the engine, the CLI and the web use it: its settings and
    analysis, runs that write it (the planner's, index/planner.py: one commit each), its
    state, and its readers. ``location``: the folder's path or the cluster's URL."""

    location: str

    @property
    def analysis(self) -> AnalysisConfig: ...

    @property
    def settings(self) -> Settings: ...

    def exists(self) -> bool: ...

    def settings_for_run(self, loaded: Settings | None, **options) -> Settings | None:
        """The settings a run indexes with: ``loaded`` (a settings file) over the index's."""
        ...

    def index_paths(
        self,
        paths: Iterable[str | PathLike],
        *,
        prune: bool = False,
        rebuild: bool = False,
        progress: bool = False,
        format: str | None = None,  # noqa: A002 - the CLI's --format
    ) -> IndexReport: ...

    def add_documents(
        self, docs: Iterable[Document | dict], *, progress: bool = False
    ) -> IndexReport: ...

    def delete(self, doc_id: str) -> bool: ...

    def generation(self) -> str:
        """Changes with every commit and every rebuild swapped in."""
        ...

    def require_documents(self) -> int:
        """The live documents; IndexMissing or IndexEmpty when there is nothing to search."""
        ...

    def stats(self, reader: Reader | None = None) -> dict: ...

    def health(self) -> dict: ...

    def readers(self) -> Readers: ...
