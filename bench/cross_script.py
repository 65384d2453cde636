"""Queries in the wrong script (search/scripts.py): what bahth finds for Arabic typed on the US
keyboard layout, Darija and names in Latin letters, and what it keeps for Latin words.

    .venv/bin/python -m bench.cross_script [--marsum ../shared/data/marsum_moroccan_test/docs.jsonl]
                                          [--news ../shared/data/saudinewsnet/docs.jsonl.gz]

The collection: MArSum's 1,981 Moroccan articles (Darija headlines) and the first SaudiNewsNet
articles up to 8,000 in all, their TEXT indexed without the title (as bench/news.py (a)), one
folder index. Every figure is through ``SearchEngine.search`` (a page of 10, with snippets),
with cross-script reading on, and off on the same index (``Ranking(cross_script_boost=0)``,
what bahth did before):

1. Headlines typed with the Latin layout active (each Arabic character replaced by the key
   that types it on the Arabic (101) layout): MRR@10 of 500 headlines (seed 42, 3+ words, found
   once), beside the same headlines typed right.
2. Darija words and names in Latin letters: hit@10, a document holding the Arabic word (its
   exact form, with or without ال, or a stem of it) in the top 10. The lists below are OUR OWN
   dev lists, written from the conventions, not taken from any lexicon; only the words the
   collection holds count. Dev figures, not the held-out ones.
3. Latin words of the collection found first: 300 Latin words (3+ letters, in 1 to 50
   documents, seed 42) searched as the collection writes them: the first hit holds the word.
4. Speed, same run: p50 of 300 one-to-three-word Arabic queries with reading on over off
   (interleaved, warm); p95 of one-word Latin queries (the dev lists; the Latin-layout typing
   of 300 one-word Arabic queries) over the p95 of those 300 Arabic words, cold (a fresh
   engine, each word's first search) and warm.

The data is read from ../shared beside the repository (never copied into the project);
without it this says so and exits 2.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bahth.analyzers import normalize_word, word_analysis
from bahth.analyzers.scripts import KEYBOARD, arabic_spellings
from bahth.search.engine import SearchEngine
from bahth.search.ranking import Ranking
from bench.known_item import bahth_engine, known_item_qrels, known_items, read_articles

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
MARSUM = SHARED / "marsum_moroccan_test" / "docs.jsonl"
NEWS = SHARED / "saudinewsnet" / "docs.jsonl.gz"
SIZE = 8_000
SEED = 42
HEADLINES = 500
LATIN_WORDS = 300
ARABIC_WORDS = 300
_ARABIC_WORD = re.compile(r"[\u0621-\u064A]{3,}")
_LATIN_WORD = re.compile(r"\b[A-Za-z]{3,}\b")
# The key that types each Arabic character on the Arabic (101) layout.
KEYS = {arabic: key for key, arabic in KEYBOARD.items() if len(arabic) == 1}

# Our own dev lists (see the module's docstring): (Latin letters, the Arabic word meant).
DARIJA = """lmghrib المغرب|l7kouma الحكومة|sbitar سبيطار|bzaf بزاف|drari دراري|flous فلوس
khdma خدمة|lkhedma الخدمة|daba دابا|bghit بغيت|chouf شوف|mzyan مزيان|zwin زوين
tomobil طوموبيل|lbolis البوليس|tri9 طريق|9ahwa قهوة|kora كورة|lkora الكورة|l7rig الحريك
lmdina المدينة|lhbs الحبس|lmakhzen المخزن|ch3b شعب|cha3b شعب|mrid مريض|l3id العيد
ramadan رمضان|jdid جديد|lyoum اليوم|lbare7 البارح|wlad ولاد|bnat بنات|mra مرا|rajel راجل
tbib طبيب|l9adi القاضي|lmout الموت|9tal قتل|ssri9a السرقة|dar دار|ddar الدار
lmdrasa المدرسة|lbrlaman البرلمان|lwazir الوزير|l7izb الحزب|nnas الناس|l7ouma الحومة
corona كورونا|lflous الفلوس|khouya خويا|sa7ebi صاحبي|3la9a علاقة|mochkil مشكل
lmochkil المشكل|khayb خايب|lbhar البحر|sme3 سمع|chra شرا|bi3 بيع|l7aj الحاج
lkhobz الخبز|atay أتاي|lbrid البريد|7mar حمار|rbe7 ربح|khser خسر|lkhayr الخير|sahl سهل
s3ib صعيب|ghadi غادي|tberguig تبركيك|lgarage الكراج|ttobis الطوبيس|lmatch الماتش"""
NAMES = """Hammouchi حموشي|Pompeo بومبيو|Marrakech مراكش|Akhannouch أخنوش|Benkirane بنكيران
Othmani العثماني|Rabat الرباط|Tanger طنجة|Fes فاس|Meknes مكناس|Agadir أكادير|Oujda وجدة
Tetouan تطوان|Nador الناظور|Laayoune العيون|Dakhla الداخلة|Kenitra القنيطرة
Essaouira الصويرة|Ouarzazate ورزازات|Macron ماكرون|Trump ترامب|Biden بايدن|Putin بوتين
Erdogan أردوغان|Netanyahu نتنياهو|Bourita بوريطة|Mohammed محمد|Ziyech زياش|Hakimi حكيمي
Regragui الركراكي|Bounou بونو|Ronaldo رونالدو|Messi ميسي|Tebboune تبون
Bouteflika بوتفليقة|Sissi السيسي|Mandela مانديلا|Obama أوباما|Merkel ميركل
Sanchez سانشيز|Abdellatif عبد اللطيف|Zefzafi الزفزافي|Ramid الرميد|Amzazi أمزازي
Laftit لفتيت|Wahbi وهبي|Baraka بركة|Lahlimi الحليمي|Riyadh الرياض|Jeddah جدة
Salman سلمان|Khashoggi خاشقجي|Houthi الحوثي|Obeid عبيد|Hariri الحريري|Assad الأسد"""


def pairs(text: str) -> list[tuple[str, str]]:
    return [tuple(item.split(" ", 1)) for item in text.replace("\n", "|").split("|")]


def on_latin_layout(text: str) -> str:
    """``text`` as typed with the US layout active by someone typing Arabic."""
    return "".join(KEYS.get(ch, ch) for ch in text)


def collection(marsum: Path, news: Path, size: int = SIZE) -> list[dict]:
    articles = read_articles(marsum)[:size]
    return articles + read_articles(news)[: size - len(articles)]


def mrr_at_10(engine: SearchEngine, queries: list[tuple[str, str]], qrels: dict) -> float:
    total = 0.0
    for qid, text in queries:
        hits = [hit.id for hit in engine.search(text, per_page=10).hits]
        rank = next((i for i, doc in enumerate(hits, 1) if doc in qrels[qid]), None)
        total += 1 / rank if rank else 0.0
    return total / len(queries)


class Holds:
    """Does a hit hold an Arabic word: its exact form, with or without ال, or a stem of it?"""

    def __init__(self, engine: SearchEngine) -> None:
        self.engine = engine
        self.words = word_analysis(engine.analysis)
        self.texts: dict[str, str] = {}

    def __call__(self, hit, arabic: str) -> bool:
        text = self.texts.get(hit.id)
        if text is None:
            text = self.texts[hit.id] = self.engine.document(hit.id).text
        forms = {" ".join(normalize_word(w) for w in arabic.split())}
        forms |= {"ال" + form for form in forms} | {form.removeprefix("ال") for form in forms}
        if " " in arabic:
            folded = " ".join(t.terms.exact for t in self.words.tokens(text))
            return any(form in folded for form in forms)
        stems = set(self.words.word(arabic).stems)
        return any(
            token.terms.exact in forms or stems & set(token.terms.stems)
            for token in self.words.tokens(text)
        )


def hit_at_10(engine, words: list[tuple[str, str]], holds: Holds) -> float:
    found = 0
    for latin, arabic in words:
        hits = engine.search(latin, per_page=10).hits
        found += any(holds(hit, arabic) for hit in hits)
    return found / max(1, len(words))


def held(engine: SearchEngine, words: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The pairs whose Arabic word the collection holds."""
    return [(latin, arabic) for latin, arabic in words if engine.search(arabic).total]


def latin_words(articles: list[dict], rng: random.Random) -> list[str]:
    """Latin words of 3+ letters in 1 to 50 articles' texts, as the collection writes them."""
    documents: dict[str, int] = {}
    written: dict[str, str] = {}
    for article in articles:
        for word in set(_LATIN_WORD.findall(article.get("text") or "")):
            documents[word.lower()] = documents.get(word.lower(), 0) + 1
            written.setdefault(word.lower(), word)
    usable = sorted(written[w] for w, n in documents.items() if 1 <= n <= 50)
    return rng.sample(usable, min(LATIN_WORDS, len(usable)))


def first_holds(engine: SearchEngine, words: list[str]) -> float:
    found = 0
    for word in words:
        hits = engine.search(word, per_page=1).hits
        text = f"{hits[0].title} {engine.document(hits[0].id).text}" if hits else ""
        found += bool(re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE))
    return found / max(1, len(words))


def times(engine: SearchEngine, queries: list[str]) -> list[float]:
    out = []
    for q in queries:
        started = time.perf_counter()
        engine.search(q, per_page=10)
        out.append(1000 * (time.perf_counter() - started))
    return out


def p50_p95(values: list[float]) -> tuple[float, float]:
    return statistics.median(values), statistics.quantiles(values, n=100, method="inclusive")[94]


def interleaved_p50(on, off, queries: list[str]) -> tuple[float, float]:
    """p50 ms of each engine, each query run by one then the other (order alternating)."""
    a: list[float] = []
    b: list[float] = []
    for i, q in enumerate(queries):
        pair = ((on, a), (off, b)) if i % 2 == 0 else ((off, b), (on, a))
        for engine, out in pair:
            out += times(engine, [q])
    return statistics.median(a), statistics.median(b)


def speed(folder: Path, arabic_words: list[str], short: list[str], latin: list[str]) -> None:
    arabic_spellings.cache_clear()
    cold_engine = SearchEngine(folder)
    cold_engine.search("المغرب")  # the engine opened: what follows is each word's first time
    cold = {
        "arabic": times(cold_engine, arabic_words),
        "layout": times(cold_engine, [on_latin_layout(w) for w in arabic_words]),
        "latin": times(cold_engine, latin),
    }
    warm = {name: times(cold_engine, qs) for name, qs in
            (("arabic", arabic_words), ("layout", [on_latin_layout(w) for w in arabic_words]),
             ("latin", latin))}  # fmt: skip
    cold_engine.close()
    print("\n| one-word queries | cold p50 | cold p95 | warm p50 | warm p95 | p95 / Arabic |")
    print("|---|---|---|---|---|---|")
    for name, label in (("arabic", "Arabic"), ("layout", "Arabic typed on the Latin layout"),
                        ("latin", "Darija and names in Latin letters")):  # fmt: skip
        c50, c95 = p50_p95(cold[name])
        w50, w95 = p50_p95(warm[name])
        ratio = w95 / p50_p95(warm["arabic"])[1]
        cold_ratio = c95 / p50_p95(cold["arabic"])[1]
        print(
            f"| {label} | {c50:.1f} | {c95:.1f} | {w50:.1f} | {w95:.1f} | {ratio:.2f} "
            f"(cold {cold_ratio:.2f}) |"
        )
    on, off = SearchEngine(folder), SearchEngine(folder, ranking=Ranking(cross_script_boost=0))
    for engine in (on, off):
        times(engine, short)  # warm
    p_on, p_off = interleaved_p50(on, off, short)
    print(
        f"\nArabic 1-3 word queries ({len(short)}), warm, interleaved: p50 {p_on:.2f} ms with "
        f"reading on, {p_off:.2f} ms off: ratio {p_on / p_off:.3f}"
    )
    on.close()
    off.close()


def report(name: str, on: Callable[[], float], off: Callable[[], float]) -> None:
    print(f"| {name} | {on():.3f} | {off():.3f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--marsum", type=Path, default=MARSUM, help="MArSum docs.jsonl")
    parser.add_argument("--news", type=Path, default=NEWS, help="SaudiNewsNet docs.jsonl.gz")
    parser.add_argument("--workdir", type=Path, help="keep the index here (reused if present)")
    parser.add_argument("--size", type=int, default=SIZE, help="articles in all (smoke: fewer)")
    args = parser.parse_args(argv)
    for path in (args.marsum, args.news):
        if not path.exists():
            print(
                f"{path} not found: this benchmark reads MArSum and SaudiNewsNet from ../shared "
                "beside the repository (never copied into the project); pass --marsum, --news",
                file=sys.stderr,
            )
            return 2
    articles = collection(args.marsum, args.news, args.size)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bahth-cross-script-"))
    folder = workdir / "bahth"
    on = bahth_engine(folder, articles, with_title=False)
    off = SearchEngine(folder, ranking=Ranking(cross_script_boost=0))
    rng = random.Random(SEED)
    eligible = known_items(articles, min_words=3, min_chars=200)
    items = known_items(articles, n=min(HEADLINES, len(eligible)), seed=SEED, min_words=3,
                        min_chars=200)  # fmt: skip
    qrels = known_item_qrels(articles, items)
    typed = [(i.qid, i.title) for i in items]
    wrong = [(qid, on_latin_layout(text)) for qid, text in typed]
    holds = Holds(on)
    darija, names = held(on, pairs(DARIJA)), held(on, pairs(NAMES))
    latin = latin_words(articles, rng)
    print(f"\n{len(articles)} articles (MArSum, then SaudiNewsNet), text indexed without titles")
    print("\n| measure | reading on | off (as before) |\n|---|---|---|")
    report("headlines typed right: MRR@10", lambda: mrr_at_10(on, typed, qrels),
           lambda: mrr_at_10(off, typed, qrels))  # fmt: skip
    report("headlines on the Latin layout: MRR@10", lambda: mrr_at_10(on, wrong, qrels),
           lambda: mrr_at_10(off, wrong, qrels))  # fmt: skip
    report(f"Darija in Latin letters ({len(darija)} dev words): hit@10",
           lambda: hit_at_10(on, darija, holds), lambda: hit_at_10(off, darija, holds))  # fmt: skip
    report(f"names in Latin letters ({len(names)} dev names): hit@10",
           lambda: hit_at_10(on, names, holds), lambda: hit_at_10(off, names, holds))  # fmt: skip
    report(f"Latin words of the collection ({len(latin)}) found first",
           lambda: first_holds(on, latin), lambda: first_holds(off, latin))  # fmt: skip
    on.close()
    off.close()
    words = [w for i in items for w in _ARABIC_WORD.findall(i.title)]
    arabic_words = rng.sample(sorted(set(words)), min(ARABIC_WORDS, len(set(words))))
    titles = [_ARABIC_WORD.findall(i.title) for i in items[:ARABIC_WORDS]]
    short = [" ".join(rng.sample(words, min(len(words), rng.choice((1, 2, 3)))))
             for words in titles if words]  # fmt: skip
    speed(folder, arabic_words, short, [latin for latin, _ in darija + names])
    return 0


if __name__ == "__main__":
    sys.exit(main())
