"""Every ranking constant bahth uses, in one place, each with the reason for its value.

Values were tuned on the arwiki benchmark's tuning split (ARCD train + XQuAD; see
bench/README.md) and checked on its held-out split (ARCD test + TyDi). The MRR@10 changes
quoted below come from one-at-a-time sweeps on that benchmark (bench/README.md has the
tables). Ablations in the benchmark pass their own ``Ranking(...)``.
"""

from dataclasses import dataclass
from math import log

from whoosh import scoring


@dataclass(frozen=True)
class Ranking:
    # BM25 term-frequency saturation. 0.6 (found by bench/tune.py on the tuning split) beat
    # the textbook 1.2: a passage that mentions a word once is nearly as relevant as one
    # repeating it.
    k1: float = 0.6
    # idf: "whoosh" (log(N / (n + 1)) + 1) or "bm25" (Robertson-Sparck Jones); see _BM25F.idf.
    idf: str = "whoosh"
    # Length normalization for the body: the textbook 0.75 (0.6: +0.002, 0.9: -0.003; kept).
    b: float = 0.75
    # Titles: many documents share one (an article's paragraphs, a newspaper's sections), so
    # a title word counts half a body word (1.0: -0.003 MRR@10, 2.0: -0.012 on all questions)
    # and title length is normalized more (0.6) than the textbook would for short fields.
    title_b: float = 0.6
    title_boost: float = 0.5
    # Weight of the exact-form twin fields (normalized, unstemmed): a document that has the
    # query's very word ranks above one that only shares its stem, all else equal. Without
    # them MRR@10 drops by 0.011; weight 1.0 was 0.004 worse than 0.5.
    use_exact: bool = True
    exact_boost: float = 0.5
    # Documents with all the query's words rank first, but a missing word does not empty
    # the list: the words are OR'ed, and a document that has every one of them scores its
    # words once more, times this. Only for keyword queries of up to ``all_words_max`` words:
    # on longer ones (questions, titles) it cost MRR@10 (max 6: -0.007, max 3: -0.003).
    all_words_boost: float = 1.0
    all_words_max: int = 3
    # Proximity: in a query of at most ``proximity_max_words`` content words, adjacent ones
    # found near each other (within ``proximity_slop`` positions of the exact field, in
    # order) add this much: "الأمن الوطني" prefers the text that says it. Longer queries
    # (titles, questions) vary their word order: there it cost 0.008 MRR@10 on Moroccan news
    # known-item search (titles as queries) and doubled the query time. 0 turns it off.
    proximity_boost: float = 1.0
    proximity_slop: int = 3
    proximity_max_words: int = 3
    # Second stage (search/rerank.py): the best ``rerank_depth`` hits gain, in units of the
    # best hit's score, ``window_boost`` times the share of the query (idf-weighted) found
    # within ``window_size`` consecutive words of the text, and ``lead_boost`` times the share
    # found in its first ``lead_words`` words. Values: bench/tune.py on the tuning split.
    rerank_depth: int = 30
    window_boost: float = 0.7
    window_size: int = 24
    lead_boost: float = 0.35
    lead_words: int = 60
    # Prefix (word*) and fuzzy (word~) queries expand to at most this many indexed words,
    # the most frequent first: a one-letter prefix must not expand to the whole dictionary.
    max_expansions: int = 50

    def weighting(self) -> scoring.WeightingModel:
        weighting = _BM25F(B=self.b, K1=self.k1, title_B=self.title_b, title_exact_B=self.title_b)
        weighting.rsj_idf = self.idf == "bm25"
        return weighting


class _BM25F(scoring.BM25F):
    """Whoosh's BM25F, reading each document's field length from a list made once per
    segment instead of from the index for every posting scored (a fifth of the query time)."""

    rsj_idf = False

    def idf(self, searcher, fieldname, text) -> float:
        """Whoosh's idf, log(N / (n + 1)) + 1, or with ``rsj_idf`` BM25's own (Robertson and
        Sparck Jones), log(1 + (N - n + 0.5) / (n + 0.5)), which weighs common words less."""
        if not self.rsj_idf:
            return super().idf(searcher, fieldname, text)
        parent = searcher.get_parent()
        n = parent.doc_frequency(fieldname, text)
        documents = parent.doc_count_all()
        return log(1 + (documents - n + 0.5) / (n + 0.5))

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if isinstance(scorer, scoring.BM25FScorer):
            scorer.dfl = field_lengths(searcher, fieldname).__getitem__
        return scorer


def field_lengths(searcher, fieldname: str) -> list[int]:
    """Every document's length in ``fieldname``, cached on the segment's reader."""
    reader = searcher.reader()
    cache = reader.__dict__.setdefault("_bahth_field_lengths", {})
    if fieldname not in cache:
        cache[fieldname] = [
            searcher.doc_field_length(docnum, fieldname, 1)
            for docnum in range(reader.doc_count_all())
        ]
    return cache[fieldname]


DEFAULT_RANKING = Ranking()
