"""The settings file's values, each read and checked (index/settings.py composes them): a value
that cannot be used is one SettingsError naming the file, the table, the key and the fix."""

from __future__ import annotations

import json

from bahth.analyzers import ONE_WAY, AnalysisConfig, check_groups, word_analysis
from bahth.index.errors import BahthError

# A text field's weight multiplies its scores: 1e308 made every score inf (ranking lost) and
# 1e-300 every score 0.0, so a weight is kept to where scores still rank and read.
WEIGHTS = (0.001, 1000.0)
STORY_THRESHOLDS = (0.5, 1.0)  # below 0.5, two articles on one subject would join


class SettingsError(BahthError):
    """A settings file that cannot be used: the message names the file, the key and the fix."""


def table_value(data: dict, name: str, where: str) -> dict:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise SettingsError(f"{where}: [{name}] must be a table.")
    return value


def check_keys(table: dict, allowed: set[str], where: str, place: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise SettingsError(
            f"{where}: {place} has no setting {unknown[0]!r}: use {', '.join(sorted(allowed))}."
        )


def check_only(spec: dict, allowed: set[str], where: str, place: str, kind: str) -> None:
    extra = sorted(set(spec) - allowed)
    if extra:
        raise SettingsError(f"{where}: {place} is {kind}: {extra[0]!r} does not apply to it.")


def text_value(table: dict, key: str, default: str, where: str, place: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value:
        raise SettingsError(f"{where}: {place} {key} must be a non-empty string.")
    return value


def weight_value(spec: dict, where: str, place: str) -> float:
    weight = spec.get("weight", 1.0)
    low, high = WEIGHTS
    number = isinstance(weight, (int, float)) and not isinstance(weight, bool)
    if not number or not low <= weight <= high:  # nan is neither <= nor >=
        raise SettingsError(f"{where}: {place} weight must be a number from {low:g} to {high:g}.")
    return float(weight)


def words_value(table: dict, key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
        raise SettingsError(f"{where}: [analysis] {key} must be a list of words.")
    try:
        AnalysisConfig(**{key: value})  # the analysis' own rule: one word each
    except ValueError as error:
        raise SettingsError(f"{where}: [analysis] {error}.") from None
    return tuple(w.strip() for w in value)


def flag_value(table: dict, key: str, default: bool, place: str) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise SettingsError(f"{place} {key} must be true or false.")
    return value


def threshold_value(table: dict, where: str) -> float:
    value = table.get("threshold", 0.7)
    low, high = STORY_THRESHOLDS
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise SettingsError(f"{where}: [stories] threshold must be a number from {low} to {high}.")
    return float(value)


def synonyms_value(table: dict, where: str) -> tuple[tuple[str, ...], ...]:
    value = table.get("synonyms", [])
    groups = []
    for number, group in enumerate(value if isinstance(value, list) else [None], start=1):
        if (
            not isinstance(group, list)
            or len(group) < 2
            or not all(isinstance(w, str) and w.strip() for w in group)
        ):
            # which group, when there are groups: a long list's one bad group is found at once
            which = f" (group {number}, {shown(group)}, is not one)" if group is not None else ""
            raise SettingsError(
                f"{where}: [analysis] synonyms is a list of groups of two or more words or "
                f'phrases{which}: [["الأمم المتحدة", "UN"], ...]; ["كازا", "=>", "الدار البيضاء"] '
                "searches the entries after => for those before it only."
            )
        try:
            check_groups([group])
        except ValueError as error:
            raise SettingsError(f"{where}: [analysis] {error}.") from None
        # an entry needs a word: an exact term (which no analysis setting changes)
        words = word_analysis(AnalysisConfig())
        for entry in group:
            if entry.strip() != ONE_WAY and not any(
                word.terms.exact for word in words.tokens(entry)
            ):
                raise SettingsError(
                    f"{where}: [analysis] synonyms: {entry!r} has no word bahth can search for."
                )
        groups.append(tuple(w.strip() for w in group))
    return tuple(groups)


def shown(value: object, limit: int = 80) -> str:
    """A value of the settings file as TOML writes it (JSON is close), cut for a message."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"
