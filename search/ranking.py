"""Every ranking constant bahth uses, in one place, each with the reason for its value.

Values were tuned on the arwiki benchmark's tuning split (ARCD train + XQuAD; see
bench/README.md) and checked on its held-out split (ARCD test + TyDi). Ablations in the
benchmark pass their own ``Ranking(...)``.
"""

from dataclasses import dataclass

from whoosh import scoring


@dataclass(frozen=True)
class Ranking:
    # BM25 saturation: the textbook 1.2. News repeats its key words; a higher k1 lets the
    # fifth mention still count a little.
    k1: float = 1.2
    # Length normalization for the body: the textbook 0.75.
    b: float = 0.75
    # Titles are short and all of similar length: normalizing their length adds noise.
    title_b: float = 0.3
    # A word in the title says more about the document than one in the body.
    title_boost: float = 2.0
    # Weight of the exact-form twin fields (normalized, unstemmed): a document that has the
    # query's very word ranks above one that only shares its stem, all else equal.
    use_exact: bool = True
    exact_boost: float = 0.5
    # Documents with all the query's words rank first, but a missing word does not empty
    # the list: the words are OR'ed, and a document that has every one of them scores its
    # words once more, times this. Applied to queries of up to ``all_words_max`` words
    # (longer ones, such as questions, rarely have every word in one document). 0 turns it off.
    all_words_boost: float = 1.0
    all_words_max: int = 6
    # Proximity: adjacent query words found near each other (within ``slop`` positions, in
    # the exact field) add this much. 0 turns it off.
    proximity_boost: float = 1.0
    proximity_slop: int = 3
    # Prefix (word*) and fuzzy (word~) queries expand to at most this many indexed words,
    # the most frequent first: a one-letter prefix must not expand to the whole dictionary.
    max_expansions: int = 50

    def weighting(self) -> scoring.WeightingModel:
        return scoring.BM25F(B=self.b, K1=self.k1, title_B=self.title_b, title_exact_B=self.title_b)


DEFAULT_RANKING = Ranking()
