"""Kinds of query, so that a loss on one kind cannot hide in a mean.

A mean MRR over thousands of questions can stay put while one kind of query (pasted headlines
with quotes, a name spelled another way) gets much worse. Every benchmark prints MRR@10 for:

* quoted / unquoted: the query holds a quotation mark of any kind (" “ ” « » „ ‟ ″);
* short / long: 1 to 3 words, or 4 and more;
* variant / no variant: a name-variant rule touched one of its words (when the engine says);
* darija / no darija: a built-in Darija group searched a standard word for one of its words
  (when the engine says).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

QUOTE_MARKS = '"“”«»„‟″'
_QUOTE = re.compile(f"[{QUOTE_MARKS}]")
_WORD = re.compile(r"\w+")
SHORT_WORDS = 3


def kind_groups(
    queries: list[tuple[str, str]],
    touched: Callable[[str], bool] | None = None,
    darija: Callable[[str], bool] | None = None,
) -> dict[str, list[str]]:
    """{kind: [query ids]} for the kinds above (variant ones only when ``touched`` is given,
    darija ones only when ``darija`` is)."""
    groups: dict[str, list[str]] = {"quoted": [], "unquoted": [], "short": [], "long": []}
    for name, said in (("variant", touched), ("darija", darija)):
        if said is not None:
            groups.update({name: [], f"no {name}": []})
    for qid, text in queries:
        groups["quoted" if _QUOTE.search(text) else "unquoted"].append(qid)
        groups["short" if len(_WORD.findall(text)) <= SHORT_WORDS else "long"].append(qid)
        for name, said in (("variant", touched), ("darija", darija)):
            if said is not None:
                groups[name if said(text) else f"no {name}"].append(qid)
    return groups


def without_quotes(text: str) -> str:
    """The query with every quotation mark deleted (the quoted words stay)."""
    return _QUOTE.sub("", text)


def format_kinds(
    results: Mapping[str, Mapping[str, Mapping[str, float]]], groups: Mapping[str, list[str]]
) -> str:
    """A table of MRR@10 per engine (rows) and kind of query (columns, with their sizes)."""
    kinds = [k for k in groups if groups[k]]
    head = " | ".join(f"{k} ({len(groups[k])})" for k in kinds)
    lines = [f"| MRR@10 by kind | {head} |", "|---|" + "---|" * len(kinds)]
    for name, metrics in results.items():
        cells = " | ".join(f"{metrics[k]['mrr@10']:.3f}" for k in kinds)
        lines.append(f"| {name} | {cells} |")
    return "\n".join(lines)
