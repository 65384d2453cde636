"""Second stage: re-rank the best BM25 hits by where the query's words stand in the text.

BM25 scores each word on its own: a text that names every word of the query in one sentence
scores the same as one that scatters them over five paragraphs, and a news article whose
first lines are about the query the same as one that mentions it in passing at the end.
Two positional features, computed for the top ``Ranking.rerank_depth`` hits only, mend that:

* window: the largest share of the query (its words weighted by idf) found within
  ``window_size`` consecutive words: the words of the question in the answer's sentence;
* lead: the share of the query (weighted the same way) found in the first ``lead_words``
  words: what a text opens with is what it is about (a news article's lead restates its
  headline).

Each is in [0, 1]; a hit gains ``best score × (window_boost × window + lead_boost × lead)``,
so the bonus keeps its weight whatever the query's length and the index's size. Hits below
the depth keep their order and stay below: paging is stable whatever page is asked for.

Positions are word numbers in the text, read from the document's stem list when the store
keeps one (analyzers/stem_lists.py: what its words became when it was indexed), else found
by asking the index's WordAnalysis (analyzers/words.py) which words of the stored text have
the query's stems (StemMatcher: a dictionary lookup per word once the analysis has learned
the text's words); both give the same positions. Only the first ``SCAN_WORDS`` words of a
text are read (a 20 MB document would otherwise cost seconds for
every query it is a top hit of); the lead is in them, and a window further on is missed.
Keeping positions in the stemmed field instead made every query three times slower, since Whoosh
stores a posting's positions in the same compressed block as its id and weight, so the first
stage would unpack them for every posting it scores.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter

from bahth.analyzers import SCAN_WORDS, StemListFinder, WordAnalysis
from bahth.index.deadline import NO_DEADLINE, RERANKING, Deadline
from bahth.index.fields import TEXT_FIELD, TITLE_FIELD
from bahth.search.ranking import Ranking, bm25_idf

FIELD = TEXT_FIELD
TITLE = TITLE_FIELD
FIELDS = (FIELD, TITLE)  # the fields it reads
# A query of more words is read whole: they are seldom all in one window (of 300 SaudiNewsNet
# titles' hits, 14% were settled in their first part; half of 1-3 word queries' hits), and
# reading in two parts then costs more than it saves.
SETTLE_WORDS = 4


@dataclass(frozen=True)
class Word:
    """One word of the query: its stems (any of them counts) and its weight (idf)."""

    stems: tuple[str, ...]
    weight: float


def query_words(reader, stem_groups: Sequence[Sequence[str]]) -> list[Word]:
    """Weights for the query's words: BM25's idf (Robertson-Sparck Jones, which gives a word
    found in most documents next to nothing) of the word's most common stem in ``text``."""
    documents = reader.collection_size()
    words = []
    for stems in stem_groups:
        stems = tuple(dict.fromkeys(stems))
        if stems:
            found = reader.frequencies(FIELD, stems)
            words.append(Word(stems, bm25_idf(max(found.values()), documents)))
    return words


@dataclass(frozen=True)
class Path:
    """A synonym entry as another path through the query (search/parsed.py's SynonymPath):
    a text that has every one of its ``words`` (each as its stems) has the query's words
    ``covers`` (their indices), at ``factor`` of their weight."""

    words: tuple[tuple[str, ...], ...]
    covers: frozenset[int]
    factor: float


def query_paths(words: Sequence[Word], paths: Sequence) -> list[Path]:
    """The synonym paths (SynonymPath) over ``words``: a query word is covered when it
    shares a stem with a typed word the synonym stands for."""
    found = []
    for path in paths:
        stems = {stem for cover in path.covers for stem in cover}
        covers = frozenset(i for i, word in enumerate(words) if stems & set(word.stems))
        if covers and path.words:
            found.append(Path(tuple(path.words), covers, path.factor))
    return found


def fetch(ranking: Ranking) -> int:
    """How many first-stage hits to ask for: the depth, and room to see ties at its edge."""
    return 2 * ranking.rerank_depth


def rerank(
    hits: list[tuple[float, int]],
    words: Sequence[Word],
    ranking: Ranking,
    analysis: WordAnalysis,
    stored: Callable[[int], dict],
    deadline: Deadline = NO_DEADLINE,
    paths: Sequence[Path] = (),
    stem_lists: Mapping[str, Callable[[int], bytes]] | None = None,
) -> list[tuple[float, int]]:
    """``hits`` as (score, handle), best first; the top ``rerank_depth`` re-ordered (and any
    hit tied with the last of them, so that index order never decides which). The deadline
    is looked at before each document is read; ``stored`` reads a document's stored fields.
    ``paths``: synonyms of the query's words; a text with the whole of one has those words,
    at the path's factor. ``stem_lists``: field -> a document's stem list, for the fields
    the store keeps them of (Reader.stem_lists): a document with one is not read."""
    depth = ranking.rerank_depth
    if depth < 1 or not hits or not words:
        return hits
    if not (ranking.window_boost or ranking.lead_boost or ranking.title_share_boost):
        return hits
    cut = min(depth, len(hits))
    while cut < len(hits) and hits[cut][0] == hits[cut - 1][0]:
        cut += 1  # hits tied with the last one in depth go too: which one is first is chance
    head, tail = hits[:cut], hits[cut:]
    handles = [handle for _, handle in head]
    mass = _Mass(words, paths)
    reader = _Texts(stored, analysis, _settled(len(words), paths, ranking), stem_lists or {})
    positions = reader.positions(handles, mass, deadline)
    titles = {}
    if ranking.title_share_boost:
        titles = reader.positions(handles, mass, deadline, TITLE)
    total = sum(w.weight for w in words) or 1.0
    best = head[0][0]
    rescored = []
    for score, handle in head:
        occurrences = positions.get(handle, [])
        window = _best_window(occurrences, mass, ranking.window_size) / total
        lead = _lead(occurrences, mass, ranking.lead_words) / total
        title = (mass({i for _, i in titles.get(handle, [])}) / total) ** ranking.title_share_power
        bonus = best * (
            ranking.window_boost * window
            + ranking.lead_boost * lead
            + ranking.title_share_boost * title
        )
        rescored.append((score + bonus, handle))
    rescored.sort(key=lambda hit: -hit[0])
    return rescored + tail


class _Mass:
    """The idf mass of the query found, given the indices of the words found: the query's
    words (0 .. n-1) and its synonym paths' words (n on). A query word counts its weight when
    found, else the best factor of a path it is covered by whose words are all found."""

    def __init__(self, words: Sequence[Word], paths: Sequence[Path]) -> None:
        self.words = words
        self.groups: list[tuple[str, ...]] = [word.stems for word in words]
        self.paths: list[tuple[frozenset[int], Path]] = []
        for path in paths:
            start = len(self.groups)
            self.groups += path.words
            self.paths.append((frozenset(range(start, len(self.groups))), path))

    def __call__(self, found: set[int] | Counter) -> float:
        # summed in the words' order: the same words give the same float whatever the order
        # they were found in (so a text read only until its features are settled scores as
        # the whole of it would)
        if not self.paths:
            return sum(self.words[i].weight for i in sorted(found))
        credit = {i: 1.0 for i in found if i < len(self.words)}
        for needed, path in self.paths:
            if needed.issubset(found):
                for i in path.covers:
                    credit[i] = max(credit.get(i, 0.0), path.factor)
        return sum(self.words[i].weight * credit[i] for i in sorted(credit))


def _settled(words: int, paths: Sequence[Path], ranking: Ranking) -> Callable | None:
    """When a text's features are settled by what its first words hold (StemMatcher's
    ``settled``): once one window holds every word of the query. That window has the whole
    query's mass, which no later window can pass; every word was found, so the title share is
    known; and so is the lead: a window within the words read so far, if they end before the
    lead does, puts every word in it. Most hits of a short query have its words together
    early in the text: the rest of it is neither split nor looked up. (A synonym weighed
    above the word it stands for could still add: read all then; and a long query, see
    SETTLE_WORDS.)"""
    if words > SETTLE_WORDS or any(path.factor > 1 for path in paths):
        return None
    size = ranking.window_size

    def settled(found: list[tuple[int, int]], read: int) -> bool:
        return _holds_all(found, words, size)

    return settled


def _holds_all(occurrences: list[tuple[int, int]], words: int, size: int) -> bool:
    """Whether some ``size`` consecutive positions hold each of the words 0 .. words-1."""
    if len(set(map(itemgetter(1), occurrences))) < words:
        return False  # some word is not there at all (most texts of a long query)
    start, inside = 0, Counter()
    for position, index in occurrences:
        if index >= words:
            continue  # a synonym path's word: not needed
        inside[index] += 1
        while position - occurrences[start][0] >= size:
            gone = occurrences[start][1]
            if gone < words:
                inside[gone] -= 1
                if not inside[gone]:
                    del inside[gone]
            start += 1
        if len(inside) == words:
            return True
    return False


class _Texts:
    """Where a query's words stand in its hits' texts: from their stem lists where the store
    keeps them, else from the stored texts (read only then)."""

    def __init__(
        self,
        stored: Callable[[int], dict],
        analysis: WordAnalysis,
        settled: Callable | None,
        stem_lists: Mapping[str, Callable[[int], bytes]],
    ) -> None:
        self.stored = stored
        self.analysis = analysis
        self.settled = settled
        self.stem_lists = stem_lists

    def positions(
        self, handles: list[int], mass: _Mass, deadline: Deadline = NO_DEADLINE, field: str = FIELD
    ) -> dict[int, list[tuple[int, int]]]:
        """For each document: (position, word index) of every query word and synonym path
        word (``mass.groups``) in the first SCAN_WORDS words of its ``field``, in order (read
        from a text: until its features are ``settled``)."""
        index_of: dict[str, tuple[int, ...]] = {}
        for index, stems in enumerate(mass.groups):
            for stem in stems:
                index_of[stem] = (*index_of.get(stem, ()), index)
        shared = any(len(indices) > 1 for indices in index_of.values())
        # a stem of one word only (a query without synonyms): its index, as found
        wanted = index_of if shared else {s: i for s, (i,) in index_of.items()}
        matcher = self.analysis.matcher(wanted)
        settled = _by_index(self.settled) if shared and self.settled else self.settled
        stem_list = self.stem_lists.get(field)
        finder = StemListFinder(wanted, matcher.verdict) if stem_list else None
        found = {}
        for docnum in handles:
            deadline.check(RERANKING)
            positions = finder.positions(stem_list(docnum)) if finder else None
            if positions is None:  # no stem list: its text
                text = self.stored(docnum).get(field) or ""
                positions = matcher.positions(text, settled, limit=SCAN_WORDS)
            if shared:  # a stem of two words (a synonym's and a typed one's): each of them
                positions = [(at, index) for at, indices in positions for index in indices]
            found[docnum] = positions
        return found


def _by_index(settled: Callable) -> Callable:
    """``settled`` for a matcher whose values are tuples of word indices (shared stems)."""
    return lambda found, read: settled([(at, i) for at, ids in found for i in ids], read)


def _best_window(occurrences: list[tuple[int, int]], mass: _Mass, size: int) -> float:
    """The largest idf mass of distinct query words within ``size`` consecutive positions."""
    best, start, inside = 0.0, 0, Counter()
    for position, index in occurrences:
        inside[index] += 1
        while position - occurrences[start][0] >= size:
            gone = occurrences[start][1]
            inside[gone] -= 1
            if not inside[gone]:
                del inside[gone]
            start += 1
        best = max(best, mass(inside))
    return best


def _lead(occurrences: list[tuple[int, int]], mass: _Mass, lead_words: int) -> float:
    """The idf mass of distinct query words found in the first ``lead_words`` positions."""
    return mass({index for position, index in occurrences if position < lead_words})
