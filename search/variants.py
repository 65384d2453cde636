"""Name variants: the other spellings of a transliterated name or loanword that the index holds.

Arabic news spells foreign names as each outlet hears them: ترامب/ترمب, غوغل/جوجل/قوقل,
أميركا/أمريكا, فيسبوك/فيس بوك. A query for one spelling should find the others, ranked below the
spelling typed. Candidates come from the letters transliteration wavers on:

* g: غ ج ق ك گ ڭ ڨ stand for one another (all of a word's g-letters change together: غوغل →
  جوجل; ڭ is Morocco's g, إنزڭان/إنزكان, and ڨ Algeria's and Tunisia's, ڨالمة/قالمة);
* v and p: ف/ڤ, ب/پ;
* long vowels: ا و ي written or not inside the word (ترامب → ترمب), or on either side of a
  neighbour (أميركا → أمريكا); for a rare word (WIDE_BELOW) also beside another vowel or
  before the last letter (فيدو → فيديو, بوتن → بوتين), and two of them in a word of
  TWO_VOWELS_FROM letters (تلغرام → تيليغرام); never where a clitic stands;
* a space inside or not (فيسبوك ↔ فيس بوك): QueryBuilder joins two query words itself.

A candidate counts only if the index has it, and the guard keeps ordinary Arabic words apart
(كلب/قلب, جمر/قمر, غرب/قرب): the word must have at least MIN_LETTERS letters after its
article, and the collection must use the candidate INSTEAD of the typed word: a spelling
variant and its original rarely share a document (an outlet keeps to one spelling), while two
different words share documents as often as chance has them, or more. So a candidate found in
at least ``COOCCURRENCE_SHARE`` of the documents chance would give both is a different word.
That test cannot speak for a rare candidate of a common word (chance gives them less than one
document together), so a candidate more than ``MAX_RARER`` times rarer than the typed word is
no spelling of it either: a typo or another word (منطقة in 5,000 SaudiNewsNet articles, منطوقة
in 3), where the spellings of a name that outlets keep to stand within a few times each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations

from bahth.analyzers import split_article
from bahth.index.fields import TEXT_FIELD, exact_field
from bahth.search.admission import ORDINARY_PHRASE_WORK

MIN_LETTERS = 4
G_LETTERS = "غجقكگڭڨ"
V_LETTERS = {"ف": "ڤ", "ڤ": "ف", "ب": "پ", "پ": "ب"}
LONG_VOWELS = "اوي"
SUFFIX_LETTERS = "هكت"  # a last letter that may be a suffix: no vowel is put before it
DOUBLED = "و"  # a long vowel written twice or once: داوود/داود, هوليوود/هوليود (not اا, يي)
TWO_VOWELS_FROM = 6
# The wider long-vowel steps (beside a vowel, before the last letter, two vowels) only for a
# word in fewer documents than this: on SaudiNewsNet's 3,000 commonest words they found
# ordinary words for 171 (مكتب مكتوب, رابط روابط, اليمني اليميني, بيانات بنات), rare
# enough that the co-occurrence test cannot speak; a name typed in another outlet's
# spelling is rare in the index, or missing.
WIDE_BELOW = 20  # a word this long may differ by two long vowels (تيليغرام/تلغرام)
# Observed co-occurrence at or above this share of chance's expectation: a different word.
COOCCURRENCE_SHARE = 0.5
MAX_VARIANTS = 4  # per word, the most frequent first
MAX_RARER = 100  # a candidate rarer than the typed word by more than this is not its spelling
FIELD = exact_field(TEXT_FIELD)


def candidates(word: str, rare: bool = True) -> Iterator[str]:
    """Spellings one transliteration step away from ``word`` (a normalized exact term); the
    wider long-vowel steps only for a ``rare`` word (see WIDE_BELOW)."""
    head, body = split_article(word)
    if len(body) < MIN_LETTERS:
        return
    seen = {word}
    for variant in _spellings(body, rare):
        full = head + variant
        if full not in seen and len(variant) >= MIN_LETTERS:
            seen.add(full)
            yield full


def _spellings(body: str, wide: bool) -> Iterator[str]:
    gs = {ch for ch in body if ch in G_LETTERS}
    if len(gs) == 1:  # one g-letter, however often: all of it becomes another
        (g,) = gs
        for other in G_LETTERS:
            if other != g:
                yield body.replace(g, other)
    for i, ch in enumerate(body):
        if ch in V_LETTERS:
            yield body[:i] + V_LETTERS[ch] + body[i + 1 :]
    yield from _long_vowels(body, wide)
    if wide and len(body) >= TWO_VOWELS_FROM:
        yield from _two_vowels(body)


def _two_vowels(body: str) -> Iterator[str]:
    """Two long vowels written or not in a long word (تيليغرام/تلغرام): both dropped, or one
    vowel put in two places (only these: all pairs of changes would be hundreds of lookups a
    word)."""
    inside = [i for i in range(1, len(body) - 1) if body[i] in LONG_VOWELS]
    for a, b in combinations(inside, 2):
        yield body[:a] + body[a + 1 : b] + body[b + 1 :]
    places = [i for i in range(1, len(body)) if body[i] not in LONG_VOWELS]
    for vowel in LONG_VOWELS:
        for a, b in combinations(places, 2):
            if vowel not in (body[a - 1], body[b - 1]):
                if b != len(body) - 1 or body[b] not in SUFFIX_LETTERS:
                    yield body[:a] + vowel + body[a:b] + vowel + body[b:]


def _long_vowels(body: str, wide: bool) -> Iterator[str]:
    """A long vowel written or not inside the word (ماكرون/مكرون), or on the other side of a
    neighbour (أميركا/أمريكا): put in only between two other letters. ``wide``: also beside
    another vowel (فيديو/فيدو, بلاتيني/بلاتني) or before the last letter (بوتين/بوتن), a و
    twice (داوود/داود). Never at a clitic's place: not before the first letter or after the
    last (و، ف، ب، ل before; ي، ا، و after), not the first or last letter, nor before a last
    ه، ك or ت (a pronoun, or ات)."""
    last = len(body) - 1
    for i in range(1, last + 1 if wide else last):
        ch, before = body[i], body[i - 1]
        if ch in LONG_VOWELS and i < last:
            yield body[:i] + body[i + 1 :]  # written or not
            if body[i + 1] not in LONG_VOWELS:
                yield body[:i] + body[i + 1] + ch + body[i + 2 :]  # after its neighbour
            if before not in LONG_VOWELS and i > 1:
                yield body[: i - 1] + ch + before + body[i + 1 :]  # before it
        if wide:
            if i == last and ch in SUFFIX_LETTERS:
                continue
            for vowel in LONG_VOWELS:
                if vowel == DOUBLED or vowel not in (ch, before):  # one not written
                    yield body[:i] + vowel + body[i:]
        elif not {ch, before, body[i + 1]} & set(LONG_VOWELS):
            for vowel in LONG_VOWELS:
                yield body[:i] + vowel + body[i:]  # a vowel not written in the typed word


def spelling_variants(reader, word: str, field: str = FIELD) -> list[str]:
    """The index's other spellings of ``word`` (see the module's docstring), most frequent
    first. ``reader``: the index's (index/contract.py Reader)."""
    found = []
    typed = reader.frequency(field, word)
    spellings = list(candidates(word, rare=typed < WIDE_BELOW))
    if not spellings:
        return []
    counts = reader.frequencies(field, spellings)
    for candidate, frequency in counts.items():
        if frequency * MAX_RARER < typed:
            continue  # a typo of the typed word, or another word (see the module's docstring)
        if frequency and _used_instead(reader, field, word, candidate):
            found.append((frequency, candidate))
    found.sort(key=lambda pair: (-pair[0], pair[1]))
    return [candidate for _, candidate in found[:MAX_VARIANTS]]


def _used_instead(reader, field: str, word: str, candidate: str) -> bool:
    """Do documents use ``candidate`` instead of ``word``, rather than beside it?"""
    mine, theirs, shared = reader.cooccurrence(field, word, candidate)
    if not mine:
        return True  # the typed spelling is not in the index: nothing to tell them apart by
    expected = mine * theirs / max(1, reader.doc_count())
    return shared < max(1.0, COOCCURRENCE_SHARE * expected)


SPLIT_BELOW = 20  # a word in fewer documents may be written as two words elsewhere
MIN_PART = 3
# a split's rarer part is in at most this many documents: its phrase (two words, in the two
# exact fields) stays an ordinary query's work, so that a rare word of a pasted headline that
# reads as two common words (بينالي: بين الي) does not make the query wait for a turn
SPLIT_PART_MOST = ORDINARY_PHRASE_WORK // 8


def split_variants(reader, word: str, field: str = FIELD) -> list[tuple[str, str]]:
    """(a, b) pairs of indexed words that ``word`` may be written as (فيسبوك → فيس بوك), when
    ``word`` itself is rare; the caller searches them as a phrase, so a chance split of a
    word into two unrelated words finds nothing unless they stand together."""
    if reader.frequency(field, word) >= SPLIT_BELOW or split_article(word)[0]:
        return []
    return [
        (word[:k], word[k:])
        for k in range(MIN_PART, len(word) - MIN_PART + 1)
        if 0
        < min(reader.frequency(field, word[:k]), reader.frequency(field, word[k:]))
        <= SPLIT_PART_MOST
    ]
