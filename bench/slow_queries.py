"""The slowest requests of every shape we can think of, on SaudiNewsNet.

    .venv/bin/python -m bench.slow_queries [--data PATH] [--workdir DIR] [--giant-mb N]

A search engine on a server is as fast as its slowest request: one query that runs for a
minute holds a thread, and the users behind it wait. So this benchmark does not time typical
queries (bench/news.py does); it makes requests of every shape from the corpus's own words
(one- and two-letter prefixes, forty prefixes, forty fuzzy words, fuzzy distance 2 on long
words, typos for "did you mean", phrases short, long and of stop words, booleans, nested
brackets, filters, stop words only, very long queries, page 10,000, suggestions for each
prefix length, the document pages of the longest articles...), sends each once through the
library (``SearchEngine.search``, ``suggest``, ``document``; no time limit; a page of 10
with snippets and facets, as the web page asks), and prints, per shape, the count and the
median, 95th percentile and slowest time, then the ten slowest requests of all. The goal:
none above 2 s. A new shape of query belongs here before a user finds it.

The index is built with ``bahth index``'s own code (titles, texts, sources, dates) into
``--workdir``, kept and reused (building it takes about a minute). ``--giant-mb N`` adds one
document of N million characters made of the corpus's texts joined (N = 20: في 160,000
times), in an index of its own, and requests on it: what a page, a snippet and the second
stage cost on a text that long (indexing it takes a minute or more and gigabytes of memory).

The corpus is CC BY-NC-SA and must not be copied into the project: it is read from
../shared beside the repository; without it this says so and exits 2.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.known_item import data_missing
from bench.news import _ARABIC_WORD, DEFAULT_DATA, read_articles

SEED = 42
GOAL_MS = 2000.0
LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
STOP_WORDS = "في من على إلى عن أن إن ما لا هذا هذه التي الذي كان قد مع بين كل ثم".split()
SYMBOLS = ['"', "“", "”", "«", "»", "(", ")", "*", "~", "~2", "+", "-", ":", "؟", "،", "!"]
OPERATORS = ["AND", "OR", "NOT", "title:", "source:", "year:", "date:", "text:"]
ODDITIES = ["1", "2015", "abc", "FBI", "ﻻ", "\u064b", "ـ", "\u200f", "x", "\x00"]


@dataclass(frozen=True)
class Request:
    shape: str
    kind: str  # "search" | "suggest" | "document"
    text: str  # the query, the prefix, or the document's id
    options: tuple = ()  # (name, value) pairs: search() options, or the document page's q

    def label(self, width: int = 60) -> str:
        text = self.text.replace("\n", " ")
        shown = text if len(text) <= width else f"{text[:width]}… ({len(text):,} chars)"
        options = "".join(f", {name}={value!r}" for name, value in self.options)
        return f"{self.kind}({shown!r}{options})"


@dataclass(frozen=True)
class Timing:
    request: Request
    ms: float
    outcome: str  # how many hits (and the page's message), or the exception raised


class Corpus:
    """What the requests are made of: the corpus's titles, long texts, sources and words
    (counted over every title and the first 3,000 texts), and one seeded random source."""

    def __init__(self, articles: list[dict]) -> None:
        self.rng = random.Random(SEED)
        self.articles = articles
        self.titles = [a["title"] for a in articles if (a.get("title") or "").strip()]
        self.texts = [a["text"] for a in articles if len(a.get("text") or "") > 2000]
        self.sources = sorted({a["source"] for a in articles if a.get("source")})
        counts: Counter = Counter()
        for n, article in enumerate(articles):
            counts.update(_ARABIC_WORD.findall(article.get("title") or ""))
            if n < 3000:
                counts.update(_ARABIC_WORD.findall(article.get("text") or ""))
        self.counts = counts
        self.words = [w for w, _ in counts.most_common() if w not in STOP_WORDS]
        starts: Counter = Counter()
        for word, count in counts.items():
            for size in (1, 2, 3):
                if len(word) > size:
                    starts[word[:size]] += count
        self.starts = {n: [s for s, _ in starts.most_common() if len(s) == n] for n in (1, 2, 3)}
        self.frequent = self.words[:400]
        self.long = [w for w in self.words[:20000] if len(w) >= 7][:200]
        self.short = [w for w in self.words[:5000] if 3 <= len(w) <= 5][:200]
        self.rare = [w for w, c in counts.items() if c == 1][:20]

    def sample(self, items: list, n: int) -> list:
        return self.rng.sample(items, n)

    def run_of_words(self, n: int) -> str:
        """``n`` consecutive words of a random long text."""
        words = self.rng.choice(self.texts).split()
        start = self.rng.randrange(max(1, min(50, len(words) - n)))
        return " ".join(words[start : start + n])

    def typo(self, word: str) -> str:
        """A letter dropped, doubled or changed, past the first."""
        i = self.rng.randrange(1, len(word))
        return self.rng.choice(
            [
                word[:i] + word[i + 1 :],
                word[:i] + word[i - 1] + word[i:],
                word[:i] + self.rng.choice(LETTERS) + word[i + 1 :],
            ]
        )

    def unknown_word(self) -> str:
        return "".join(self.rng.choice(LETTERS) for _ in range(self.rng.randrange(3, 8)))

    def garbage(self, size: int) -> str:
        """Words, symbols, operators and oddities, glued or spaced at random."""
        pools = [self.frequent[:300], SYMBOLS, OPERATORS, ODDITIES]
        parts = [self.rng.choice(self.rng.choices(pools, [4, 3, 2, 1])[0]) for _ in range(size)]
        return "".join(p + self.rng.choice(["", " ", " "]) for p in parts)


# ---- the shapes: name -> the requests of that shape --------------------------------------

SHAPES: dict[str, Callable[[Corpus], list[Request]]] = {}


def shape(name: str, kind: str = "search", **options):
    """Register a function giving the texts of one shape (sent as ``kind``, with options)."""

    def register(texts: Callable[[Corpus], list[str]]):
        SHAPES[name] = lambda c: [Request(name, kind, t, tuple(options.items())) for t in texts(c)]
        return texts

    return register


def joined(words: list[str], suffix: str = "", sep: str = " ") -> str:
    return sep.join(w + suffix for w in words)


@shape("one frequent word")
def _(c: Corpus) -> list[str]:
    return c.frequent[:20]


@shape("one rare word")
def _(c: Corpus) -> list[str]:
    return c.rare


@shape("title")
def _(c: Corpus) -> list[str]:
    return c.sample(c.titles, 20)


@shape("longest titles")
def _(c: Corpus) -> list[str]:
    return sorted(c.titles, key=len)[-10:]


@shape("40 frequent words")
def _(c: Corpus) -> list[str]:
    return [joined(c.sample(c.frequent[:200], 40)) for _ in range(5)]


@shape("1-letter prefix")
def _(c: Corpus) -> list[str]:
    return [f"{s}*" for s in c.starts[1][:10]]


@shape("2-letter prefix")
def _(c: Corpus) -> list[str]:
    return [f"{s}*" for s in c.starts[2][:20]]


@shape("3-letter prefix")
def _(c: Corpus) -> list[str]:
    return [f"{s}*" for s in c.starts[3][:20]]


@shape("40 distinct prefixes")
def _(c: Corpus) -> list[str]:
    pool = c.starts[2][:60] + c.starts[3][:60]
    return [joined(c.sample(pool, 40), "*") for _ in range(10)]


@shape("one prefix x40")
def _(c: Corpus) -> list[str]:
    return [joined([s] * 40, "*") for s in ["ال", "وا", "مت", "بال"]]


@shape("prefix among words")
def _(c: Corpus) -> list[str]:
    return [f"{c.frequent[i]} {c.starts[2][i]}* {c.long[i]}" for i in range(10)]


@shape("fuzzy short word")
def _(c: Corpus) -> list[str]:
    return [f"{w}~" for w in c.short[:20]]


@shape("fuzzy ~2 short word")
def _(c: Corpus) -> list[str]:
    return [f"{w}~2" for w in c.short[:20]]


@shape("fuzzy ~2 long word")
def _(c: Corpus) -> list[str]:
    return [f"{w}~2" for w in c.long[:20]]


@shape("40 fuzzy words")
def _(c: Corpus) -> list[str]:
    return [joined(c.sample(c.short, 40), "~2") for _ in range(5)] + [
        joined(c.sample(c.long, 40), "~") for _ in range(5)
    ]


@shape("one fuzzy word x40")
def _(c: Corpus) -> list[str]:
    return [joined([w] * 40, "~2") for w in ["امير", *c.short[:3]]]


@shape("typo (did you mean)")
def _(c: Corpus) -> list[str]:
    return [c.typo(w) for w in c.long[:20]]


@shape("typos in a title")
def _(c: Corpus) -> list[str]:
    return [
        joined([c.typo(w) if len(w) > 3 else w for w in t.split()]) for t in c.sample(c.titles, 10)
    ]


@shape("40 unknown words")
def _(c: Corpus) -> list[str]:
    return [joined([c.unknown_word() for _ in range(40)]) for _ in range(5)]


@shape("phrase of 2-5 words")
def _(c: Corpus) -> list[str]:
    return [f'"{c.run_of_words(c.rng.randrange(2, 6))}"' for _ in range(20)]


@shape("phrase of 40 words")
def _(c: Corpus) -> list[str]:
    return [f'"{c.run_of_words(40)}"' for _ in range(10)]


@shape("phrase of stop words")
def _(c: Corpus) -> list[str]:
    runs = [["في", "من"], ["من", "في"], ["على", "أن"], ["في"] * 4, STOP_WORDS, ["في"] * 40]
    return [f'"{joined(r)}"' for r in runs]


@shape("20 phrases")
def _(c: Corpus) -> list[str]:
    return [joined([f'"{c.run_of_words(2)}"' for _ in range(20)]) for _ in range(5)]


@shape("booleans")
def _(c: Corpus) -> list[str]:
    f = c.frequent
    return [f"{f[i]} {['AND', 'OR', 'NOT', '-'][i % 4]} {f[20 + i]}" for i in range(20)]


@shape("40 words AND")
def _(c: Corpus) -> list[str]:
    return [joined(c.sample(c.frequent[:100], 40), sep=" AND ") for _ in range(5)]


@shape("40 words OR")
def _(c: Corpus) -> list[str]:
    return [joined(c.sample(c.frequent[:100], 40), sep=" OR ") for _ in range(5)]


@shape("required +word")
def _(c: Corpus) -> list[str]:
    return [f"+{c.frequent[i]} {c.frequent[10 + i]} {c.long[i]}" for i in range(10)]


@shape("40 required words")
def _(c: Corpus) -> list[str]:
    return [joined(["+" + w for w in c.sample(c.frequent[:100], 40)]) for _ in range(5)]


@shape("nested brackets")
def _(c: Corpus) -> list[str]:
    return ["(" * n + c.frequent[n % 50] + ")" * (n // 2) for n in (5, 20, 100, 400, 1000)]


@shape("nested booleans")
def _(c: Corpus) -> list[str]:
    words = c.frequent[:40]
    return [
        "".join(f"({w} OR " for w in words) + c.frequent[41] + ")" * 40,
        "".join(f"(NOT {w} AND " for w in words) + c.frequent[41] + ")" * 40,
    ]


@shape("runs of NOT and -")
def _(c: Corpus) -> list[str]:
    return ["NOT " * n + c.frequent[0] for n in (3, 50, 400)] + ["-" * 500 + c.frequent[1]]


@shape("filters")
def _(c: Corpus) -> list[str]:
    f = c.frequent
    return [f"source:{s} {f[i]}" for i, s in enumerate(c.sources[:10])] + [
        "year:2015",
        f"year:2015 {f[0]}",
        "date:2015-07-21..2015-08-11",
        "date:2015-07",
        f"source:{c.sources[0]}",
        f"title:{f[3]}",
        f"title:{f[5]}*",
        f"-source:{c.sources[0]} {f[7]}",
    ]


@shape("stop words only")
def _(c: Corpus) -> list[str]:
    return [joined(c.sample(STOP_WORDS, n)) for n in (1, 2, 3, 5, 10, 15)] + [
        joined(STOP_WORDS * 3)
    ]


@shape("very long")
def _(c: Corpus) -> list[str]:
    texts = c.sample(c.texts, 8)
    return (
        [t[:2000] for t in texts[:5]]
        + [t[:20000] for t in texts[5:]]
        + [
            "الأمن " * 4000,
            "ال* " * 1000,
        ]
    )


@shape("symbols and operators")
def _(c: Corpus) -> list[str]:
    return [c.garbage(n) for n in (5, 20, 100, 500) for _ in range(5)]


@shape("page 10,000", page=10_000)
def _(c: Corpus) -> list[str]:
    return c.frequent[:10]


@shape("50 a page", per_page=50)
def _(c: Corpus) -> list[str]:
    return c.sample(c.titles, 10)


@shape("sorted by date", sort="date")
def _(c: Corpus) -> list[str]:
    return c.frequent[:10]


@shape("suggest", kind="suggest")
def _(c: Corpus) -> list[str]:
    prefixes = [w[:n] for w in c.frequent[:40] for n in (1, 2, 3, 5) if len(w) > n]
    after_a_word = [f"{c.frequent[0]} {s}" for s in c.starts[2][:10]]
    return list(dict.fromkeys(prefixes)) + after_a_word


def documents(c: Corpus, giant: str | None) -> list[Request]:
    """The document pages of the ten longest articles (and of the giant one), highlighted."""
    longest = sorted(c.articles, key=lambda a: len(a.get("text") or ""))[-10:]
    out = [
        Request("document page", "document", a["id"], (("q", c.frequent[i]),))
        for i, a in enumerate(longest)
    ]
    out += [
        Request("document page", "document", a["id"], (("q", "ال* " + c.frequent[i]),))
        for i, a in enumerate(longest[:3])
    ]
    if giant:
        queries = ["في", c.frequent[0], f"{c.frequent[0]} {c.frequent[1]}", '"في من"', "ال*"]
        out += [Request("giant document", "search", q) for q in queries]
        out += [Request("giant document", "document", giant, (("q", q),)) for q in queries[:3]]
    return out


def requests(articles: list[dict], giant: str | None = None) -> list[Request]:
    """Every shape's requests, made from the corpus (seed 42: the same each run)."""
    corpus = Corpus(articles)
    out = [request for make in SHAPES.values() for request in make(corpus)]
    return out + documents(corpus, giant)


# ---- running and reporting ---------------------------------------------------------------


def send(engine, request: Request) -> str:
    """Send one request; what it gave, in a few words."""
    options = dict(request.options)
    if request.kind == "suggest":
        return f"{len(engine.suggest(request.text))} words"
    if request.kind == "document":
        view = engine.document(request.text, q=options.get("q"))
        return "no such document" if view is None else f"{len(view.body_html):,} chars of HTML"
    page = engine.search(request.text, **options)
    return f"{page.total:,} hits" + (f"; {page.message}" if page.message else "")


def timed(engine, todo: list[Request]) -> Iterator[Timing]:
    for request in todo:
        started = time.perf_counter()
        try:
            outcome = send(engine, request)
        except Exception as error:  # what this benchmark is for: report it, go on
            outcome = f"RAISED {type(error).__name__}: {str(error)[:80]}"
        yield Timing(request, 1000 * (time.perf_counter() - started), outcome)


def report(timings: list[Timing]) -> float:
    """Print the per-shape table and the ten slowest requests; return the slowest, in ms."""
    shapes: dict[str, list[float]] = {}
    for t in timings:
        shapes.setdefault(t.request.shape, []).append(t.ms)
    print("\n| shape | requests | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|")
    for name, times in shapes.items():
        p95 = statistics.quantiles(times, n=20, method="inclusive")[-1] if len(times) > 1 else 0
        median, slowest = statistics.median(times), max(times)
        print(f"| {name} | {len(times)} | {median:.1f} | {p95 or slowest:.1f} | {slowest:.1f} |")
    worst = sorted(timings, key=lambda t: -t.ms)[:10]
    print("\nThe ten slowest requests:\n\n| ms | shape | request | outcome |\n|---|---|---|---|")
    for t in worst:
        print(f"| {t.ms:.1f} | {t.request.shape} | {t.request.label()} | {t.outcome[:80]} |")
    raised = [t for t in timings if t.outcome.startswith("RAISED")]
    slowest = worst[0].ms if worst else 0.0
    verdict = "met" if slowest <= GOAL_MS else "NOT met"
    print(
        f"\n{len(timings)} requests; the slowest {slowest:,.0f} ms (goal: none above "
        f"{GOAL_MS:,.0f} ms: {verdict}); {len(raised)} raised an exception"
    )
    for t in raised:
        print(f"  {t.request.label()}: {t.outcome}")
    return slowest


def giant_document(articles: list[dict], millions: int) -> dict:
    """One document of ``millions`` million characters: the corpus's texts, joined."""
    parts, size = [], 0
    for article in articles:
        parts.append(article.get("text") or "")
        size += len(parts[-1]) + 1
        if size >= millions * 1_000_000:
            break
    text = "\n".join(parts)[: millions * 1_000_000]
    return {"id": f"giant-{millions}mb", "title": "وثيقة طويلة جدا", "text": text}


def open_engine(data: Path, workdir: Path, articles: list[dict], giant_mb: int):
    """The benchmark's index in ``workdir``: built on first use, reused after."""
    from bahth.index.whoosh.store import IndexStore
    from bahth.search.engine import SearchEngine

    folder = workdir / (f"bahth-giant-{giant_mb}mb" if giant_mb else "bahth")
    store = IndexStore(folder)
    if not store.exists():
        started = time.perf_counter()
        store.index_paths([data])
        if giant_mb:
            store.add_documents([giant_document(articles, giant_mb)])
        print(f"(index built in {time.perf_counter() - started:.0f} s: {folder})")
    return SearchEngine(folder)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="docs.jsonl.gz")
    parser.add_argument("--workdir", type=Path, help="keep the index here (reused if present)")
    parser.add_argument("--giant-mb", type=int, default=0, help="add one N MB document")
    args = parser.parse_args(argv)
    if data_missing(args.data):
        return 2
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bahth-slow-"))
    workdir.mkdir(parents=True, exist_ok=True)
    articles = read_articles(args.data)
    engine = open_engine(args.data, workdir, articles, args.giant_mb)
    todo = requests(articles, f"giant-{args.giant_mb}mb" if args.giant_mb else None)
    engine.search(todo[0].text)  # opening the searcher and its arrays is not a request's cost
    print(f"\nSaudiNewsNet, {len(articles):,} articles; {len(todo)} requests, each sent once")
    report(list(timed(engine, todo)))
    engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
