"""Stemmers: bahth's light stemmer (default), Snowball's Arabic, and none.

All work on NORMALIZED words (see normalizer.py): alef forms are ا, ة is ه, ى is ي.

The light stemmer follows Larkey's light10 (Larkey, Ballesteros, Connell 2007: strip و, the
article combinations, then a fixed list of suffixes) and mends where it is known to fail:

* A single-letter proclitic (و ف ب ل) cannot be told from a root letter without a
  dictionary: و is a conjunction in وقال but a root letter in وزير. light10 strips و always
  (so وزير and الوزير no longer meet) and never strips ب (so بتمارة never meets تمارة). Here
  such a word gets BOTH readings, indexed at the same position: وقال → وقال, قال. A query
  for either spelling finds both, and the full reading keeps the exact word ranked first.
  و, ب and ل peel when three letters remain (as light10 does for و); ف only when four
  remain, since many words start with it as a root letter (فكرة must not meet كرة). A lone ك
  (كتاب) is nearly always a root letter, so it is peeled only with the article (كال).
* Article combinations (ال وال بال كال فال لل وبال ...) are unambiguous: stripped outright.
* Pronoun suffixes (هم هما كم كن نا ها ه ي), which light10 keeps or strips without looking
  at what is left, are stripped when at least four letters remain, and a ت left in front of
  one is the ة it was (not the ت of the plural ات): حكومتهم and سلطته meet حكومة and سلطة,
  سلطاته meets سلطات, but محاكم and اسهم keep their letters.
* A final ا left when no pronoun was stripped is the accusative tanween (جديدا,
  رسميا), a dual verb's (قالا) or, with و before it, a plural verb's (قالوا): stripped, so
  they meet جديد, رسمي, قال, and a country's name meets its adjective (أمريكا, فرنسا, تركيا
  meet الأمريكي, الفرنسية, التركي). Snowball strips them too; light10 does not.
* Suffixes are stripped until none applies, so a suffix added to a word that already loses
  one gives that word's stem: the adjective of a name in ين or ان meets it in every form
  (فلسطين, الفلسطيني, الفلسطينية, الفلسطينيين; إسبانيا, الإسباني, الإسبانية), and a plural
  its singular (امتحان, امتحانات). One pass stopped at the first: the masculine lost its ان
  and the feminine kept it.
* Every strip leaves at least three letters: ولد, وطن, بيت, علم keep theirs.
* A final ى is never a suffix (the normalizer folds it into ي, and says it did): موسى, عيسى,
  مصطفى, سلمى, ليلى keep their last letter instead of losing it as the pronoun "my" (موس is a
  razor, ليل is night).

Each function takes one normalized word (and the final ى or ة it was written with, see
normalizer.written_ending) and is memoized: news text repeats its words.
"""

from functools import lru_cache

import snowballstemmer

from bahth.analyzers.letters import ALEF_MAKSURA, is_arabic_letter
from bahth.analyzers.normalizer import WORD_FUNCTION_CACHE, as_written

ARTICLE = "ال"
ARTICLE_PREFIXES = (
    "وبال",
    "وكال",
    "فبال",
    "فكال",
    "ولل",
    "فلل",
    "وال",
    "فال",
    "بال",
    "كال",
    "لل",
    "ال",
)
# A single-letter proclitic, and how many letters must remain for it to be peeled.
CONJUNCTIONS = {"و": 3, "ف": 4}
PREPOSITIONS = {"ب": 3, "ل": 3}
PRONOUN_SUFFIXES = ("هما", "كما", "هم", "هن", "كم", "كن", "نا", "ها", "ه", "ي")
# light10's suffix list in its order, after normalization (ة → ه, so ية is يه).
LIGHT10_SUFFIXES = ("ان", "ات", "ون", "ين", "يه", "ه", "ي")
MIN_STEM = 3
MIN_AFTER_ARTICLE = 2  # letters after an article combination for it to be one (light10's)
MIN_STEM_BEFORE_PRONOUN = 4
# Words whose ال is not the article.
PROTECTED = frozenset({"الله", "اللهم"})

_snowball_arabic = snowballstemmer.stemmer("arabic")
_snowball_english = snowballstemmer.stemmer("english")


# What may stand before a word that has no article: a conjunction, a preposition, or both.
PROCLITICS = ("و", "ف", "ب", "ل", "وب", "ول", "فب", "فل")


def proclitic_forms(word: str) -> tuple[str, ...]:
    """The normalized ``word`` as it may be written with a proclitic: its article's
    combinations (الولايات: والولايات, بالولايات, للولايات ...), or a conjunction and
    preposition before a word without one (مجلس: ومجلس, بمجلس ...). The rules the stems
    strip, run the other way: for searching a phrase on the exact fields, which keep them."""
    if not is_arabic(word):
        return ()
    prefix, rest = split_article(word)
    if prefix == ARTICLE:
        return tuple(other + rest for other in ARTICLE_PREFIXES if other != ARTICLE)
    return tuple(clitic + word for clitic in PROCLITICS)


def is_arabic(word: str) -> bool:
    return bool(word) and is_arabic_letter(word[0])


def _strip_suffixes(word: str) -> str:
    # (each loop first asks endswith of the whole tuple, in C: most words end in none)
    pronoun = None
    if word.endswith(PRONOUN_SUFFIXES):
        for suffix in PRONOUN_SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM_BEFORE_PRONOUN:
                pronoun = suffix
                break
    if pronoun:
        word = word[: -len(pronoun)]
        # ة is written ت before a suffix (حكومتهم = حكومة + هم); ات is the plural.
        if word.endswith("ت") and not word.endswith("ات"):
            word = word[:-1] + "ه"
    else:
        word = _strip_final_alef(word)
    while word.endswith(LIGHT10_SUFFIXES):
        before = word
        for suffix in LIGHT10_SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
                word = word[: -len(suffix)]
        if word == before:
            break
    return word


def _strip_final_alef(word: str) -> str:
    """Without its tanween ا (جديدا), a dual verb's ا (قالا) or a plural verb's وا (قالوا).
    Asked only when no pronoun was stripped (مدينتنا loses نا); a word too short to lose a
    pronoun's نا or ها loses its ا: tanween after ن is common (زمنا, قرنا), and بلدن is no
    further from بلد than بلدنا was."""
    for ending in ("وا", "ا"):
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return word


def split_article(word: str) -> tuple[str, str]:
    """(its article combination, the rest) of a normalized ``word``: ال and the clitics
    written with it (وال بال كال لل وبال ...), when at least two letters follow and the
    word is not one whose ال is no article (الله); else ("", word). The one rule of what an
    article is: the stems strip it, a phrase is searched with its other combinations, name
    variants and close spellings keep it apart from the word after it."""
    if word.startswith(ARTICLE_PREFIXES) and word not in PROTECTED:
        for prefix in ARTICLE_PREFIXES:
            if word.startswith(prefix) and len(word) - len(prefix) >= MIN_AFTER_ARTICLE:
                return prefix, word[len(prefix) :]
    return "", word


def _strip_article(word: str) -> str | None:
    prefix, rest = split_article(word)
    return rest if prefix else None


def _proclitic_readings(word: str) -> list[str]:
    """The word itself, then each reading with one or two single-letter proclitics peeled."""
    readings = [word]
    rest = word
    if len(rest) - 1 >= CONJUNCTIONS.get(rest[0], 99):
        rest = rest[1:]
        readings.append(rest)
    if len(rest) - 1 >= PREPOSITIONS.get(rest[0], 99):
        readings.append(rest[1:])
    return readings


def clitic_readings(word: str) -> tuple[str, ...]:
    """The normalized ``word`` as written, then without its article combination and with
    the article alone (بالبوليس: بوليس, البوليس) or, when it has none, without one or two
    single-letter proclitics (وكازا: كازا): for matching a word by its form."""
    if not is_arabic(word) or word in PROTECTED:
        return (word,)
    without_article = _strip_article(word)
    if without_article:
        readings = [without_article, ARTICLE + without_article]
    else:
        readings = _proclitic_readings(word)[1:]
    return tuple(dict.fromkeys((word, *readings)))


@lru_cache(maxsize=WORD_FUNCTION_CACHE)
def light_stems(word: str, ending: str = "") -> tuple[str, ...]:
    """All stems of one normalized word: one, or more when a proclitic is ambiguous.

    >>> light_stems("والمغربية")
    ('مغرب',)
    >>> light_stems("وقال")
    ('وقال', 'قال')
    >>> light_stems("موسي", "ى")
    ('موسي',)
    """
    if not is_arabic(word) or word in PROTECTED:
        return (word,)
    without_article = _strip_article(word)
    readings = [without_article] if without_article else _proclitic_readings(word)
    stems: list[str] = []
    for reading in readings:
        # a final ى is no suffix; and no suffix bahth strips ends in ي but ي itself
        stem = reading if ending == ALEF_MAKSURA else _strip_suffixes(reading)
        if stem not in stems:
            stems.append(stem)
    return tuple(stems)


@lru_cache(maxsize=WORD_FUNCTION_CACHE)
def snowball_stem(word: str, ending: str = "") -> str:
    """Snowball's Arabic stemmer, on the word with its final ة or ى as written (its suffix
    rules look for ية, not the folded يه: المغربية and المغربي meet), after stripping و/ف + ال,
    which Snowball leaves on."""
    if not is_arabic(word):
        return word
    word = as_written(word, ending)
    for prefix in ("وال", "فال"):
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            word = word[1:]
            break
    return _snowball_arabic.stemWord(word)


@lru_cache(maxsize=WORD_FUNCTION_CACHE)
def english_stem(word: str) -> str:
    """Snowball's English stemmer for Latin words (letters a-z only)."""
    if word.isascii() and word.isalpha():
        return _snowball_english.stemWord(word)
    return word


def stems_for(word: str, kind: str, ending: str = "") -> tuple[str, ...]:
    """Stems of one normalized word with the named stemmer: 'light', 'snowball' or 'none'.
    ``ending`` is the final ى or ة the word was written with (normalizer.written_ending)."""
    if kind == "none" or not word:
        return (word,)
    if word.isascii():
        return (english_stem(word),)
    if kind == "light":
        return light_stems(word, ending)
    if kind == "snowball":
        return (snowball_stem(word, ending),)
    raise ValueError(f"unknown stemmer {kind!r}: use light, snowball or none")


def stem_piece(stem: str, kind: str) -> str | None:
    """A piece of every normalized word that has ``stem`` with the named stemmer: the second
    stage asks, before learning a word of a hit's text, whether the word holds it. The light
    stemmer only strips letters from a word's ends, but for the ت of a ة before a pronoun,
    which it writes back as ه (حكومتهم: حكومه), so a stem ending in ه promises the letters
    before it; with no stemmer the stem is the word. Snowball's stemmers (Arabic, and the
    English one the light stemmer uses for Latin words: dying, die) replace letters: None, no
    promise."""
    if kind == "none":
        return stem
    if kind != "light":
        return None
    if stem.isascii():  # a Latin word's English stem; a number (or CIA2) is the word
        return None if stem.isalpha() else stem
    return stem[:-1] if stem.endswith("ه") else stem
