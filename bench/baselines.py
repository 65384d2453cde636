"""What people get from Whoosh 2.7.4 without bahth: the baselines every benchmark prints beside
bahth's rows. This code is the baseline, not the product, so it stays as plain as a user's
first attempt would be:

* ``stock``: Whoosh's StandardAnalyzer (regex words, lowercase, English stop words), default
  BM25F, title and text searched with MultifieldParser as an OR of the question's words;
* ``whoosh+snowball``: the same, with the Snowball Arabic stemmer as the only Arabic step.

The one courtesy: query punctuation (Arabic ؟ ، ؛ « » and ASCII) becomes a space before
parsing, so that it is neither query syntax nor glued to a word.
"""

import os
import re
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from whoosh import index as whoosh_index
from whoosh.analysis import (
    Analyzer,
    LowercaseFilter,
    RegexTokenizer,
    StandardAnalyzer,
    StemFilter,
    StopFilter,
)
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import MultifieldParser, OrGroup

_PUNCTUATION = re.compile(r"[^\w\s]+")


@lru_cache(maxsize=1)
def _arabic_stemmer():
    return snowballstemmer.stemmer("arabic")


def snowball_arabic(word: str) -> str:
    """Module-level (so the analyzer pickles into the index) Snowball Arabic stem."""
    return _arabic_stemmer().stemWord(word)


def stock_analyzer() -> Analyzer:
    return StandardAnalyzer()


def snowball_analyzer() -> Analyzer:
    return RegexTokenizer() | LowercaseFilter() | StopFilter() | StemFilter(stemfn=snowball_arabic)


BASELINES = {"stock": stock_analyzer, "whoosh+snowball": snowball_analyzer}


@dataclass
class Indexed:
    name: str
    index: whoosh_index.Index
    seconds: float


def build_index(
    name: str,
    docs: Iterable[dict],
    directory: str | None = None,
    with_title: bool = True,
    procs: int = 1,
) -> Indexed:
    """Index ``docs`` ({"id", "title", "text"}) with baseline ``name``'s analyzer."""
    analyzer = BASELINES[name]()
    fields = {"id": ID(stored=True, unique=True), "text": TEXT(analyzer=analyzer)}
    if with_title:
        fields["title"] = TEXT(analyzer=analyzer)
    directory = directory or tempfile.mkdtemp(prefix=f"bahth-bench-{name}-")
    os.makedirs(directory, exist_ok=True)
    ix = whoosh_index.create_in(directory, Schema(**fields))
    started = time.perf_counter()
    writer = ix.writer(procs=procs, limitmb=256) if procs > 1 else ix.writer(limitmb=256)
    for doc in docs:
        values = {"id": doc["id"], "text": doc["text"]}
        if with_title:
            values["title"] = doc.get("title") or ""
        writer.add_document(**values)
    writer.commit()
    return Indexed(name, ix, time.perf_counter() - started)


def clean_query(text: str) -> str:
    return _PUNCTUATION.sub(" ", text)


class BaselineSearcher:
    """A warm searcher over one baseline index: parse as OR of words, top ``limit`` ids."""

    def __init__(self, indexed: Indexed) -> None:
        self.searcher = indexed.index.searcher()
        fields = [f for f in ("title", "text") if f in indexed.index.schema]
        self.parser = MultifieldParser(fields, indexed.index.schema, group=OrGroup)

    def search(self, text: str, limit: int = 100) -> list[tuple[str, float]]:
        query = self.parser.parse(clean_query(text))
        results = self.searcher.search(query, limit=limit)
        return [(hit["id"], hit.score) for hit in results]

    def run_queries(
        self, queries: Iterable[tuple[str, str]], limit: int = 100
    ) -> Iterator[tuple[str, list[tuple[str, float]]]]:
        for qid, text in queries:
            yield qid, self.search(text, limit)

    def close(self) -> None:
        self.searcher.close()
