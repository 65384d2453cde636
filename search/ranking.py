"""Every ranking constant bahth uses, in one place, each with the reason for its value.

Values were tuned on the arwiki benchmark's tuning split (ARCD train + XQuAD; see
bench/README.md) and checked on its held-out split (ARCD test + TyDi). The MRR@10 changes
quoted below are on the tuning split, one constant changed at a time. Ablations in the
benchmark pass their own ``Ranking(...)``.
"""

from dataclasses import dataclass

from whoosh import scoring


@dataclass(frozen=True)
class Ranking:
    # BM25 term-frequency saturation. 0.9 beat the textbook 1.2 (+0.004 MRR@10) and 1.5
    # (-0.001): a passage that mentions a word once is nearly as relevant as one repeating it.
    k1: float = 0.9
    # Length normalization for the body: the textbook 0.75 (0.6: +0.002, 0.9: -0.003; kept).
    b: float = 0.75
    # Titles are short and all of similar length: normalizing their length adds noise.
    title_b: float = 0.3
    # A word in the title says more about the document than one in the body, but many
    # documents share a title (an article's paragraphs, a newspaper's sections): 1.0 beat 2.0
    # by +0.003 MRR@10, and 0.5 was 0.001 worse.
    title_boost: float = 1.0
    # Weight of the exact-form twin fields (normalized, unstemmed): a document that has the
    # query's very word ranks above one that only shares its stem, all else equal. Without
    # them MRR@10 drops by 0.011; weight 1.0 was 0.004 worse than 0.5.
    use_exact: bool = True
    exact_boost: float = 0.5
    # Documents with all the query's words rank first, but a missing word does not empty
    # the list: the words are OR'ed, and a document that has every one of them scores its
    # words once more, times this. Applied to queries of up to ``all_words_max`` words
    # (longer ones, such as questions, rarely have every word in one document). 0 turns it off
    # (-0.005 MRR@10).
    all_words_boost: float = 1.0
    all_words_max: int = 6
    # Proximity: in a query of at most ``proximity_max_words`` words, adjacent query words
    # found near each other (within ``proximity_slop`` positions of the exact field, in
    # order) add this much: "الأمن الوطني" prefers the text that says it. Longer queries
    # (titles, questions) vary their word order: there it cost 0.008 MRR@10 on Moroccan news
    # known-item search (titles as queries) and doubled the query time. 0 turns it off.
    proximity_boost: float = 1.0
    proximity_slop: int = 3
    proximity_max_words: int = 4
    # Prefix (word*) and fuzzy (word~) queries expand to at most this many indexed words,
    # the most frequent first: a one-letter prefix must not expand to the whole dictionary.
    max_expansions: int = 50

    def weighting(self) -> scoring.WeightingModel:
        return scoring.BM25F(B=self.b, K1=self.k1, title_B=self.title_b, title_exact_B=self.title_b)


DEFAULT_RANKING = Ranking()
