"""Saying things right in Arabic: a count agrees with its number, and what the engine says
about a search (its notices, stable codes with English sentences for library users) is said
in Arabic on the page.

Counts follow CLDR's plural categories for Arabic, which are Arabic grammar's: 0, 1, 2, then
3 to 10 (a plural), 11 to 99 (a singular), 100 and up by their last two digits (103 نتائج,
111 نتيجة, 100 and 101 نتيجة). One table per counted word, written by hand: with digits the
words are ``نتيجة واحدة، نتيجتان، 3 نتائج … 10 نتائج، 11 نتيجة … 100 نتيجة``.
"""

from __future__ import annotations

from typing import Any

# For each counted word: the forms for zero, one, two, few (3-10), many (11-99), other.
COUNTED = {
    "result": ("لا نتائج", "نتيجة واحدة", "نتيجتان", "{n} نتائج", "{n} نتيجة", "{n} نتيجة"),
    "page": ("لا صفحات", "صفحة واحدة", "صفحتان", "{n} صفحات", "{n} صفحة", "{n} صفحة"),
    "character": ("لا حروف", "حرف واحد", "حرفان", "{n} أحرف", "{n} حرفا", "{n} حرف"),
    "word": ("لا كلمات", "كلمة واحدة", "كلمتان", "{n} كلمات", "{n} كلمة", "{n} كلمة"),
    "letter": ("لا حروف", "حرف واحد", "حرفان", "{n} حروف", "{n} حرفا", "{n} حرف"),
    "document": ("لا وثائق", "وثيقة واحدة", "وثيقتان", "{n} وثائق", "{n} وثيقة", "{n} وثيقة"),
    # a story's other members, under its hit: "و 3 مصادر أخرى"
    "other_source": (
        "لا مصادر أخرى",
        "مصدر آخر",
        "مصدران آخران",
        "{n} مصادر أخرى",
        "{n} مصدرا آخر",
        "{n} مصدر آخر",
    ),
}
CATEGORIES = ("zero", "one", "two", "few", "many", "other")


def plural_category(n: int) -> str:
    """CLDR's plural category of the whole number ``n`` in Arabic."""
    n = abs(int(n))
    last_two = n % 100
    if n == 0:
        return "zero"
    if n == 1:
        return "one"
    if n == 2:
        return "two"
    if 3 <= last_two <= 10:
        return "few"
    if 11 <= last_two <= 99:
        return "many"
    return "other"


def count(n: int, word: str) -> str:
    """``n`` and the counted ``word`` (a key of COUNTED), as Arabic says them."""
    form = COUNTED[word][CATEGORIES.index(plural_category(n))]
    return form.format(n=f"{int(n):,}")


def _count_of(word: str, key: str) -> Any:
    return lambda values: count(int(values[key]), word)


# What each notice of search.notices says on the page. None: the page says it otherwise (an
# empty result has its own heading) and shows nothing.
NOTICES: dict[str, Any] = {
    "query_cut": lambda v: f"قُصّ الاستعلام إلى أول {count(int(v['chars']), 'character')}.",
    "stop_words_only": "كل كلمات البحث شائعة جدا: بُحث عنها كما كُتبت.",
    "empty_query": "اكتب كلمة للبحث عنها.",
    "no_positive_word": "يحتاج البحث إلى كلمة واحدة على الأقل يبحث عنها، لا كلمات مستبعدة فقط.",
    "too_many_words": lambda v: f"بُحث عن أول {count(int(v['words']), 'word')} فقط.",
    "condition_inside_or": (
        "لا يستطيع العنقود أن يضع مرشّح حقل داخل OR بجانب كلمات (وزير OR source:a): ضع المرشّح"
        " خارج OR، مثل وزير (source:a OR source:b)."
    ),
    "expansion_cut": (
        "بعض الكلمات المنتهية بـ * أو ~ تطابق كلمات أكثر مما يتسع له بحث واحد، فبُحث عن بعضها"
        " فقط. اكتب حروفا أكثر قبل *، أو قلّل من كلمات * و~."
    ),
    "synonyms_cut": "لبعض الكلمات مرادفات أكثر مما يتسع له بحث واحد، فبُحث عن أولها فقط.",
    "prefix_too_short": lambda v: (
        f"أقل ما يحتاجه البحث ببداية كلمة: {count(int(v['letters']), 'letter')} قبل *."
    ),
    "bad_date": lambda v: (
        f"تعذّرت قراءة التاريخ «{v['value']}»: اكتبه مثل 2015 أو 2015-07 أو 2015-07-01..2015-07-31."
    ),
    "bad_number": lambda v: (
        f"الحقل {v['field']} رقمي: اكتب رقما أو مدى مثل 100..500 (أو 100.. أو ..500)، "
        f"لا «{v['value']}»."
    ),
    "bad_year": lambda v: f"الحقل {v['field']} سنة من أربعة أرقام مثل 2015، لا «{v['value']}».",
    "reversed_range": lambda v: (
        f"المدى «{v['value']}» في الحقل {v['field']} ينتهي قبل أن يبدأ: اكتب الطرف الأصغر"
        f" (الأقدم) أولا، {v['swapped']}."
    ),
    "no_match": None,
    "page_past_end": lambda v: f"الصفحة {v['page']} بعد آخر صفحة: هذه الصفحة {v['shown']}.",
    "document_cut": lambda v: (
        f"هذه الوثيقة طويلة ({count(int(v['length']), 'character')}): "
        f"يُعرض منها أول {count(int(v['shown']), 'character')}."
    ),
    "other": "عُدّل البحث ليمكن تنفيذه.",
}


def notice_text(code: str, values: dict[str, Any]) -> str | None:
    """The Arabic sentence for a notice, or None when the page shows nothing for it."""
    said = NOTICES.get(code, NOTICES["other"])
    return said(values) if callable(said) else said
