"""Synonym groups as data: their shape, checked, and bahth's built-in Moroccan Darija groups.

A group lists entries (words or phrases) that mean the same; search/synonyms.py searches
them for one another at query time. With ``=>`` among its entries a group is one way (Solr's
explicit mapping): the entries after the arrow are searched for those before it, never the
other way.

The built-in groups (darija_synonyms.txt) are one way, from Moroccan Darija to Modern
Standard Arabic: Moroccan readers search in the words they speak (كازا, البوليس, السبيطار,
الحراكة), and the news they search is mostly written in the standard language (الدار البيضاء,
الشرطة, المستشفى, المهاجرين). Only words that are not also ordinary standard Arabic are
listed (not مات, خدمة, سنين, العافية: the standard reading would be widened by a dialect's
meaning), and one way, so a query in the standard language is never widened by them.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources

ONE_WAY = "=>"  # in a group: the entries before it find those after it, not the other way
DARIJA_FILE = "darija_synonyms.txt"


def check_groups(groups: Sequence[Sequence[str]]) -> tuple[tuple[str, ...], ...]:
    """``groups`` as tuples of entries; ValueError saying what is wrong for anything else
    than a list of groups, each a list of two or more entries (strings)."""
    if isinstance(groups, str) or not isinstance(groups, Sequence):
        raise ValueError(f"synonyms must be a list of groups (lists of entries), not {groups!r}")
    checked = []
    for group in groups:
        if isinstance(group, str) or not isinstance(group, Sequence):
            raise ValueError(
                f"synonyms: {group!r} is not a group: write each group as a list of entries, "
                'e.g. [["الأمم المتحدة", "UN"]]'
            )
        if len(group) < 2 or not all(isinstance(entry, str) and entry.strip() for entry in group):
            raise ValueError(
                f"synonyms: the group {list(group)!r} needs two or more entries, each a word or "
                "a phrase"
            )
        arrows = [k for k, entry in enumerate(group) if entry.strip() == ONE_WAY]
        if arrows and (len(arrows) > 1 or arrows[0] in (0, len(group) - 1)):
            raise ValueError(
                f"synonyms: the group {list(group)!r} needs one {ONE_WAY!r} with entries on "
                f'both sides, e.g. ["كازا", "{ONE_WAY}", "الدار البيضاء"]'
            )
        checked.append(tuple(entry.strip() for entry in group))
    return tuple(checked)


def one_way(group: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A checked group as (the entries looked up, the entries searched for them): both all of
    the group's entries, or for a one-way group those before ``=>`` and those after it."""
    if ONE_WAY not in group:
        return tuple(group), tuple(group)
    arrow = group.index(ONE_WAY)
    return tuple(group[:arrow]), tuple(group[arrow + 1 :])


@cache
def darija_synonyms() -> tuple[tuple[str, ...], ...]:
    """The built-in Moroccan Darija groups: one per line of darija_synonyms.txt, written
    ``دارجة | دارجة => فصحى | فصحى`` (a # starts a comment)."""
    text = resources.files("bahth.analyzers").joinpath(DARIJA_FILE).read_text("utf-8")
    groups = []
    for line in text.splitlines():
        line = line.split("#")[0].strip()
        if line:
            typed, searched = line.split(ONE_WAY)
            groups.append((*_entries(typed), ONE_WAY, *_entries(searched)))
    return check_groups(groups)


def _entries(side: str) -> list[str]:
    return [entry.strip() for entry in side.split("|") if entry.strip()]
