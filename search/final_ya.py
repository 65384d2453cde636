"""A final ى typed where the collection writes ي: the word is read as the collection writes it.

Egyptian and much informal writing puts ى (alef maksura) for a final ي: الدستورى for الدستوري,
ثانى for ثاني, النادى for النادي, كتابى for كتابي. The analysis reads a written ى as written
(analyzers/stemmer.py: a final ى is never the nisba or pronoun ي, so موسى, ليلى and ذكرى keep
their last letter), which is right for the words spelled with ى and leaves these apart from
every other form of the word: الدستورى's stem is دستوري, while الدستوري, الدستورية and دستور
are دستور. A question typed so found its paragraph only through the exact form.

Which one a typed ى is, the collection says. A spelling habit leaves the ى to a few of the
documents that hold the word (its exact form folds ى into ي; counted with or without its
article): arwiki writes الدستورى in 0 of 9, SaudiNewsNet ثانى in 17 of 626, النادى in 44 of
3,389. Two words that the fold merges are each written often: الأسرى (captives) in 152 of
the 306 that hold الاسري (الأسري, domestic, the rest), موسى in all of them. So when fewer
than RARE_SHARE of them have the ى reading's stem, the word searches the ي reading's stems,
as if typed with ي; else it stays as typed: موسى, ذكرى, الكبرى, الأسرى keep apart from
موس, ذكر, كبر, أسر (half instead of a tenth took الأسرى for أسر on a SaudiNewsNet title).

Only this direction: a final ي typed for a word written with ى is as often another word's
standard spelling (أولي "prime" and أولى "first"; معني, مباني: on arwiki's tuning questions
it cost 3 and helped none).
"""

from __future__ import annotations

from bahth.analyzers import WordAnalysis, WordTerms, clitic_readings, written_ending
from bahth.index.fields import TEXT_FIELD, exact_field

ALEF_MAKSURA = "ى"
STEMMED, EXACT = TEXT_FIELD, exact_field(TEXT_FIELD)
# The ى reading in fewer than this share of the documents that hold the word: a spelling habit.
RARE_SHARE = 0.1


def collection_stems(reader, words: WordAnalysis, typed: str, terms: WordTerms) -> tuple[str, ...]:
    """The stems to search for the word ``typed`` (whose terms are ``terms``): its stems,
    or those of its ي reading when it ends in ى and the collection writes it with ي."""
    stems = terms.stems
    if not stems or not terms.exact or written_ending(typed) != ALEF_MAKSURA:
        return stems
    other = words.word(terms.exact).stems  # the exact form is folded: its ى is a ي
    if not other or other == stems:
        return stems
    written_so = max(reader.frequency(STEMMED, stem) for stem in stems)
    holding = sum(reader.frequency(EXACT, form) for form in clitic_readings(terms.exact))
    return other if written_so < RARE_SHARE * holding else stems
