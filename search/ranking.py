"""Every ranking constant bahth uses, in one place, each with the reason for its value.

Values were tuned on the arwiki benchmark's tuning split (ARCD train + XQuAD; see
bench/README.md) and checked on its held-out split (ARCD test + TyDi). The MRR@10 changes
quoted below come from one-at-a-time sweeps on that benchmark (bench/README.md has the
tables). Ablations in the benchmark pass their own ``Ranking(...)``.
"""

from dataclasses import dataclass
from math import log

import numpy as np

from bahth.index.fields import TITLE_FIELD, searched_field


@dataclass(frozen=True)
class Ranking:
    # Deltas quoted below are tuning-split MRR@10 when one value changes from these defaults
    # (bench/tune.py, 2026-11-30; the defaults score 0.884 there).
    #
    # BM25 term-frequency saturation. 0.6 beat the textbook 1.2 (0.9: -0.001, 1.2: -0.004):
    # a passage that mentions a word once is nearly as relevant as one repeating it.
    k1: float = 0.6
    # idf: "bm25" is BM25's own, log(1 + (N - n + 0.5) / (n + 0.5)), which gives words found
    # in most documents next to nothing; "whoosh" is Whoosh's log(N / (n + 1)) + 1 (-0.002).
    idf: str = "bm25"
    # Length normalization for the body: the textbook 0.75 (0.6: -0.003).
    b: float = 0.75
    # Titles: a title word counts as a body word (0.5: -0.004, 2.0: -0.004), and title length
    # is normalized less than body length (0.3: -0.0002, 0.0: -0.001).
    title_b: float = 0.6
    title_boost: float = 1.0
    # Weight of the exact-form twin fields (normalized, unstemmed): a document that has the
    # query's very word ranks above one that only shares its stem, all else equal. Without
    # them MRR@10 drops by 0.011; weight 1.0 was 0.004 worse than 0.5.
    use_exact: bool = True
    exact_boost: float = 0.5
    # An optional bonus for documents that have every word of a keyword query of up to
    # ``all_words_max`` words: they score their words once more, times this. Off: BM25
    # already ranks a document with more of the words higher, and the second stage below
    # lifts the ones that have them together; the bonus on top cost 0.002 (0.5) to 0.003
    # (1.0) on questions, and news known-item search did not gain from it.
    all_words_boost: float = 0.0
    all_words_max: int = 3
    # Proximity: in a query of at most ``proximity_max_words`` content words, adjacent ones
    # found near each other (within ``proximity_slop`` positions of the exact field, in
    # order) add this much: "الأمن الوطني" prefers the text that says it (0: -0.002,
    # 1.0: -0.002). Longer queries (titles, questions) vary their word order: the second
    # stage's window serves them. 0 turns it off.
    proximity_boost: float = 0.5
    proximity_slop: int = 3
    proximity_max_words: int = 3
    # A quoted phrase (not +"…") is its words, plus this weight on the phrase itself on the
    # exact fields: documents that quote it rank above those that paraphrase it, which are
    # still found by its words (issue 12: pasted headlines quote what articles paraphrase).
    phrase_boost: float = 0.5
    # Other spellings of a query word that the index holds (search/variants.py: ترامب/ترمب,
    # غوغل/جوجل): searched at this weight, so the spelling typed ranks first.
    variant_boost: float = 0.5
    # Synonyms a user declares (search/synonyms.py): each other entry of a group a query
    # word or phrase is in is another path through the query. A document with the whole of
    # an entry scores as one with the whole of what was typed, times this: the entry is
    # searched at it, times what the typed words' clauses weigh over what the entry's weigh
    # (idf, synonyms.searched_weight: a rare synonym of a common word must not outrank the
    # word), and the second stage counts the typed words found at it. Near 1 since a user
    # declared them the same; below 1 so that of two documents alike the one with the words
    # as typed ranks first. 0 turns them off.
    synonym_boost: float = 0.9
    # Second stage (search/rerank.py): the best ``rerank_depth`` hits gain, in units of the
    # best hit's score, ``window_boost`` times the share of the query (idf-weighted) found
    # within ``window_size`` consecutive words of the text (0: -0.013, 0.5: -0.002, 1.5 was
    # worse too; size 24: -0.0003, 12: -0.003), and ``lead_boost`` times the share found in
    # its first ``lead_words`` words (0: -0.004, 0.5: -0.001; 40 words: -0.001, 100: -0.004).
    # Depth 20 and 50 scored the same as 30 (-0.0001).
    # A third feature: the share of the query (idf-weighted) found in the hit's title. A pasted
    # headline finds its own article's title whole (issue 12: exact headline lookup).
    title_share_boost: float = 1.0
    title_share_power: float = 6.0
    rerank_depth: int = 30
    window_boost: float = 1.0
    window_size: int = 40
    lead_boost: float = 0.35
    lead_words: int = 60
    # Prefix (word*) and fuzzy (word~) queries expand to at most this many indexed words,
    # the most frequent first: a one-letter prefix must not expand to the whole dictionary.
    max_expansions: int = 50
    # A word typed on the wrong keyboard layout is searched as the Arabic it reads as, at full
    # weight (it is what was typed); a word in Latin letters searches its Arabic spellings the
    # index holds (search/scripts.py) at this weight, as name variants are: below a word
    # typed in Arabic. 0 turns both off.
    cross_script_boost: float = 0.5

    def word_idf(self, frequency: int, documents: int) -> float:
        """The idf scoring gives a term in ``frequency`` of ``documents`` documents: BM25's
        own (Robertson and Sparck Jones), or Whoosh's, as ``idf`` says. The one formula."""
        if self.idf == "bm25":
            return bm25_idf(frequency, documents)
        return log(documents / (frequency + 1)) + 1  # whoosh.scoring.WeightingModel.idf

    def field_b(self, field: str) -> float:
        """BM25's length normalization for ``field``: the title's (and its exact twin's),
        else the body's."""
        return self.title_b if searched_field(field) == TITLE_FIELD else self.b

    def bm25(
        self, field: str, frequencies: np.ndarray, lengths: np.ndarray, average: float
    ) -> np.ndarray:
        """BM25's term-frequency part for ``frequencies`` in documents of ``lengths`` (times
        the idf, a term's score): whoosh.scoring.bm25, term for term, so that a folder's
        numbers are the ones Whoosh's own search gives."""
        k1, b = self.k1, self.field_b(field)
        average = average or 1
        return (frequencies * (k1 + 1)) / (frequencies + k1 * ((1 - b) + b * lengths / average))


def bm25_idf(frequency: int, documents: int) -> float:
    """BM25's idf (Robertson and Sparck Jones), log(1 + (N - n + 0.5) / (n + 0.5)): a word
    found in most documents weighs next to nothing. The second stage weighs words by it."""
    return log(1 + (documents - frequency + 0.5) / (frequency + 0.5))


DEFAULT_RANKING = Ranking()
