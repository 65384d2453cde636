"""An index's settings: its declared fields, how input records map onto them, its analysis.

One value, ``Settings``, read from a TOML file (``Settings.load``), kept by the index beside
its analysis record (``bahth.json``), and read back by every later command, so the CLI, the
library and the server all see the same fields. Why here, in the index floor: the writer
needs the fields to build the schema and the documents, and the search side reads them from
the index it opens.

The file (every table and key optional; a file with no ``[fields]`` keeps bahth's default
fields source, date, year, url)::

    [input]                   # how records are read
    id = "doc_id"             # the key holding the id (default "id"), title, text
    title = "headline"
    text = "body"
    strict = false            # true: a key no field declares is bad input, not stored

    [fields.title]            # id, title and text are always there; title and text are
    weight = 2.0              #   text fields (analyzed, searched, highlighted)

    [fields.summary]
    type = "text"             # analyzed and searched like the text, with its weight
    weight = 0.5

    [fields.section]
    type = "keyword"          # exact values, one or a list per document: filter, facet
    facet = true

    [fields.published]
    type = "date"             # filter by range, sort

    [fields.words]
    type = "number"           # filter by range, sort

    [fields.link]
    type = "stored"           # returned with each hit, not searched

    [analysis]
    stem = "light"
    stopwords_add = ["عاجل"]
    stopwords_remove = []
    synonyms = [["الأمم المتحدة", "UN"], ["كازا", "=>", "الدار البيضاء"]]
    darija_synonyms = true    # the built-in Moroccan Darija groups (analyzers/lexicon.py)
    cross_script = true       # read Latin-letter words and the wrong layout (search/scripts.py)

    [stories]                 # near-duplicate documents grouped, a page shows each once
    enabled = true            # false: every document alone, pages list every one
    threshold = 0.7           # how alike (word 5-gram Jaccard) a copy is: index-time

What changes the indexed terms or the schema (the field names and types, the input keys, the
analysis, the stories' threshold) is *index-time*: an index refuses other values without
``--rebuild``. Weights, facets, labels, synonyms, cross_script and whether pages collapse
stories are *query-time*: they apply at once.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from os import PathLike
from typing import Any

from bahth.analyzers import STEMMERS, AnalysisConfig
from bahth.index.fields import TEXT_FIELD, TITLE_FIELD, exact_field, is_exact_field, type_of
from bahth.index.settings_values import (
    SettingsError,
    check_keys,
    check_only,
    flag_value,
    synonyms_value,
    table_value,
    text_value,
    threshold_value,
    weight_value,
    words_value,
)
from bahth.index.sources import InputMapping

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

FIELD_TYPES = ("text", "keyword", "date", "number", "stored")
CORE_FIELDS = ("id", "title", "text")
# Names the index uses for itself: a declared field may not take them.
RESERVED = (
    "content_hash",
    "origin",
    "given",
    "has",
    exact_field(TITLE_FIELD),
    exact_field(TEXT_FIELD),
    "title_stems",
    "text_stems",
)
# A folder index's columns for its stories (index/whoosh/schema.py): a field indexed under one
# of these names clashed with them (a Whoosh traceback); a stored field is not in the schema.
STORY_COLUMNS = ("story", "fingerprint")
# The search page's and the JSON API's own query parameters (web/params.py reads them from
# here). Every other parameter of a search URL is a filter on a field, so a field of one of
# these names could not be one: a facet on a field ``q`` would link to /search?q=news,
# replacing the query. ``endpoint`` is Flask's ``url_for``'s own argument, so no link of the
# page can carry it as a filter either.
SEARCH_PARAMS = ("q", "page", "per_page", "sort", "collapse")
URL_TAKEN = (*SEARCH_PARAMS, "endpoint")
# A letter first: Whoosh refuses a field name starting with _ (and url_for takes _anchor,
# _external, _method and _scheme for itself).
FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_FIELD_KEYS = {"type", "facet", "weight", "year_of", "label"}
_INPUT_KEYS = {"id", "title", "text", "strict"}
_ANALYSIS_KEYS = {
    "stem",
    "stopwords_add",
    "stopwords_remove",
    "synonyms",
    "darija_synonyms",
    "cross_script",
}
_STORY_KEYS = {"enabled", "threshold"}


@dataclass(frozen=True)
class FieldSpec:
    """One declared field. ``weight``: text fields only (a multiplier on bahth's ranking);
    ``facet``: keyword fields only; ``year_of``: a keyword holding the year of that date
    field (the default schema's ``year``); ``label``: the facet's heading on the web page."""

    name: str
    type: str
    facet: bool = False
    weight: float = 1.0
    year_of: str | None = None
    label: str | None = None

    def as_dict(self) -> dict:
        out: dict[str, Any] = {"type": self.type}
        if self.facet:
            out["facet"] = True
        if self.weight != 1.0:
            out["weight"] = self.weight
        if self.year_of:
            out["year_of"] = self.year_of
        if self.label:
            out["label"] = self.label
        return out


DEFAULT_FIELDS = (
    FieldSpec("source", "keyword", facet=True, label="المصدر"),
    FieldSpec("date", "date"),
    FieldSpec("year", "keyword", facet=True, year_of="date", label="السنة"),
    FieldSpec("url", "stored"),
)


@dataclass(frozen=True)
class Settings:
    """Everything an index is declared with. ``Settings()`` is bahth's default."""

    fields: tuple[FieldSpec, ...] = DEFAULT_FIELDS  # beside id, title, text
    title_weight: float = 1.0
    text_weight: float = 1.0
    id_key: str = "id"
    title_key: str = "title"
    text_key: str = "text"
    strict: bool = False
    stem: str = "light"
    stopwords_add: tuple[str, ...] = ()
    stopwords_remove: tuple[str, ...] = ()
    synonyms: tuple[tuple[str, ...], ...] = ()
    darija_synonyms: bool = True  # bahth's Moroccan Darija groups (analyzers/lexicon.py)
    cross_script: bool = True  # words in Latin letters or on the wrong layout (search/scripts.py)
    stories: bool = True  # near-duplicates grouped (index/stories.py), pages collapse them
    story_threshold: float = 0.7  # estimated word 5-gram Jaccard a document joins a story at
    path: str | None = field(default=None, compare=False)  # the file it was read from

    # ---- reading ----------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | PathLike) -> Settings:
        """The settings in a TOML file; SettingsError says what is wrong and where."""
        try:
            with open(path, "rb") as file:
                data = tomllib.loads(file.read().decode("utf-8-sig"))
        except OSError as error:
            raise SettingsError(
                f"{path}: cannot read the settings file: {error.strerror or error}."
            ) from None
        except UnicodeDecodeError as error:
            raise SettingsError(
                f"{path}: not UTF-8 text (bad byte at offset {error.start}): save it as UTF-8."
            ) from None
        except tomllib.TOMLDecodeError as error:
            raise SettingsError(f"{path}: not valid TOML ({error}).") from None
        return cls.from_dict(data, where=str(path))

    @classmethod
    def from_dict(cls, data: dict, where: str = "settings") -> Settings:
        """Settings from the file's tables (or an index's record of them, the same shape)."""
        check_keys(data, {"input", "fields", "analysis", "stories"}, where, "the top level")
        inputs = table_value(data, "input", where)
        check_keys(inputs, _INPUT_KEYS, where, "[input]")
        analysis = table_value(data, "analysis", where)
        check_keys(analysis, _ANALYSIS_KEYS, where, "[analysis]")
        stories = table_value(data, "stories", where)
        check_keys(stories, _STORY_KEYS, where, "[stories]")
        declared = table_value(data, "fields", where)
        weights = {"title": 1.0, "text": 1.0}
        fields = [] if "fields" in data else list(DEFAULT_FIELDS)
        for name, spec in declared.items():
            place = f"[fields.{name}]"
            if not isinstance(spec, dict):
                raise SettingsError(f"{where}: {place} must be a table (type = ...).")
            check_keys(spec, _FIELD_KEYS, where, place)
            if name in ("title", "text"):
                check_only(spec, {"type", "weight", "label"}, where, place, "a text field")
                if spec.get("type", "text") != "text":
                    raise SettingsError(f'{where}: {place} is always type = "text".')
                weights[name] = weight_value(spec, where, place)
                continue
            fields.append(_field(name, spec, where))
        _check_fields(fields, where)
        stem = analysis.get("stem", "light")
        if stem not in STEMMERS:
            raise SettingsError(
                f"{where}: [analysis] stem = {stem!r}: use one of {', '.join(STEMMERS)}."
            )
        keys = {key: text_value(inputs, key, key, where, "[input]") for key in CORE_FIELDS}
        if len(set(keys.values())) < 3:
            raise SettingsError(f"{where}: [input] id, title and text must be different keys.")
        strict = inputs.get("strict", False)
        if not isinstance(strict, bool):
            raise SettingsError(f"{where}: [input] strict must be true or false.")
        return cls(
            fields=tuple(fields),
            title_weight=weights["title"],
            text_weight=weights["text"],
            id_key=keys["id"],
            title_key=keys["title"],
            text_key=keys["text"],
            strict=strict,
            stem=stem,
            stopwords_add=words_value(analysis, "stopwords_add", where),
            stopwords_remove=words_value(analysis, "stopwords_remove", where),
            synonyms=synonyms_value(analysis, where),
            darija_synonyms=flag_value(analysis, "darija_synonyms", True, f"{where}: [analysis]"),
            cross_script=flag_value(analysis, "cross_script", True, f"{where}: [analysis]"),
            stories=flag_value(stories, "enabled", True, f"{where}: [stories]"),
            story_threshold=threshold_value(stories, where),
            path=where,
        )

    # ---- what the rest of bahth asks ---------------------------------------------------

    def field(self, name: str) -> FieldSpec | None:
        return next((spec for spec in self.fields if spec.name == name), None)

    def names(self, *types: str) -> list[str]:
        """The declared fields of these types, in declaration order."""
        return [spec.name for spec in self.fields if spec.type in types]

    @property
    def facets(self) -> list[str]:
        return [spec.name for spec in self.fields if spec.facet]

    def input_mapping(self) -> InputMapping:
        declared = {spec.name for spec in self.fields}
        return InputMapping(self.id_key, self.title_key, self.text_key, self.strict, declared)

    def analysis_config(self) -> AnalysisConfig:
        """The analysis these settings index and query with: built here, and only here."""
        return AnalysisConfig(
            stem=self.stem,
            stopwords_add=self.stopwords_add,
            stopwords_remove=self.stopwords_remove,
        )

    def text_weights(self) -> dict[str, float]:
        """Every text field's weight: title, text, then the declared text fields."""
        weights = {"title": self.title_weight, "text": self.text_weight}
        weights.update({spec.name: spec.weight for spec in self.fields if type_of(spec).searched})
        return weights

    def with_changes(
        self,
        *,
        stem: str | None = None,
        id_key: str | None = None,
        title_key: str | None = None,
        text_key: str | None = None,
        strict: bool | None = None,
    ) -> Settings:
        """These settings with the command line's options applied over them (None: keep).
        A stemmer other than the file's is refused: one of the two would be ignored."""
        changes: dict[str, Any] = {}
        if stem is not None and stem != self.stem:
            if self.path is not None:  # read from a file, which says its stemmer
                raise SettingsError(
                    f"--stem {stem} and {self.path}'s stem = {self.stem!r} disagree: give one."
                )
            changes["stem"] = stem
        for name, value in (("id_key", id_key), ("title_key", title_key), ("text_key", text_key)):
            if value is not None:
                changes[name] = value
        if strict:
            changes["strict"] = True
        if not changes:
            return self
        changed = replace(self, **changes)
        if len({changed.id_key, changed.title_key, changed.text_key}) < 3:
            raise SettingsError("--id-field, --title-field and --text-field must differ.")
        return changed

    @staticmethod
    def for_run(
        loaded: Settings | None,
        default: Callable[[], Settings],
        *,
        stem: str | None = None,
        id_key: str | None = None,
        title_key: str | None = None,
        text_key: str | None = None,
        strict: bool = False,
    ) -> Settings | None:
        """The settings a run asks for when it gives a settings file and/or options over it
        (``bahth index --settings FILE --id-field doc_id``): the file's, else ``default()``
        (the index's own, or bahth's), with the options applied. None when neither is
        given, so the index keeps its own. Both stores (a folder, a cluster) ask this."""
        options = {"id_key": id_key, "title_key": title_key, "text_key": text_key}
        if loaded is None and not any(options.values()) and not strict:
            return None
        base = loaded or default()
        return base.with_changes(stem=stem, strict=strict, **options)

    # ---- the index's record ------------------------------------------------------------

    def as_dict(self) -> dict:
        """The record an index keeps (the file's shape, so ``from_dict`` reads it back)."""
        fields: dict[str, dict] = {}
        for name, weight in (("title", self.title_weight), ("text", self.text_weight)):
            fields[name] = {"type": "text", **({"weight": weight} if weight != 1.0 else {})}
        fields.update({spec.name: spec.as_dict() for spec in self.fields})
        return {
            "input": {
                "id": self.id_key,
                "title": self.title_key,
                "text": self.text_key,
                "strict": self.strict,
            },
            "fields": fields,
            "analysis": {
                "stem": self.stem,
                "stopwords_add": list(self.stopwords_add),
                "stopwords_remove": list(self.stopwords_remove),
                "synonyms": [list(group) for group in self.synonyms],
                "darija_synonyms": self.darija_synonyms,
                "cross_script": self.cross_script,
            },
            "stories": {"enabled": self.stories, "threshold": self.story_threshold},
        }

    def index_time(self) -> dict:
        """What the index's terms and schema depend on: changing it needs a rebuild."""
        return {
            "input": (self.id_key, self.title_key, self.text_key),
            "fields": [(spec.name, spec.type, spec.year_of) for spec in self.fields],
            # a text field's weight is query-time: it is not here
            # as the analysis keeps them: إلى and الى are one stop word, in any order
            "analysis": self.analysis_config().as_dict(),
            "stories": self.story_threshold,  # which documents share one (collapse: query time)
        }

    def index_time_changes(self, built: Settings) -> list[str]:
        """The index-time parts that differ from ``built``'s, named for a message."""
        mine, theirs = self.index_time(), built.index_time()
        return [
            name
            for name in ("fields", "input", "analysis", "stories")
            if mine[name] != theirs[name]
        ]


# ---- declared fields -------------------------------------------------------------------


def _field(name: str, spec: dict, where: str) -> FieldSpec:
    place = f"[fields.{name}]"
    if name == "id":
        raise SettingsError(f"{where}: {place}: id is always there; [input] id names its key.")
    if not FIELD_NAME.match(name) or name in RESERVED or is_exact_field(name):
        raise SettingsError(
            f"{where}: {place}: a field name is letters, digits and _ (starting with a "
            f"letter), not ending in _exact, and not one of {', '.join(RESERVED)}."
        )
    if name in URL_TAKEN:
        raise SettingsError(
            f"{where}: {place}: {name} is a parameter of the search page's own URLs "
            f"({', '.join(URL_TAKEN)}), so it cannot filter a field there: rename the field."
        )
    kind = spec.get("type")
    if kind not in FIELD_TYPES:
        shown = "no type" if kind is None else f"type = {kind!r}"
        raise SettingsError(f"{where}: {place} has {shown}: use one of {', '.join(FIELD_TYPES)}.")
    if name in STORY_COLUMNS and kind != "stored":
        raise SettingsError(
            f"{where}: {place}: {name} is the name of the index's own column for its stories "
            '(near-duplicates): rename the field, or make it type = "stored".'
        )
    facet = spec.get("facet", False)
    if not isinstance(facet, bool):
        raise SettingsError(f"{where}: {place} facet must be true or false.")
    if facet and kind != "keyword":
        raise SettingsError(f"{where}: {place}: facet = true is for keyword fields.")
    if "weight" in spec and kind != "text":
        raise SettingsError(f"{where}: {place}: weight is for text fields.")
    year_of = spec.get("year_of")
    if year_of is not None and (kind != "keyword" or not isinstance(year_of, str)):
        raise SettingsError(f"{where}: {place}: year_of names a date field, on a keyword field.")
    label = spec.get("label")
    if label is not None and not isinstance(label, str):
        raise SettingsError(f"{where}: {place} label must be a string.")
    weight = weight_value(spec, where, place) if kind == "text" else 1.0
    return FieldSpec(name, kind, facet, weight, year_of, label)


def _check_fields(fields: list[FieldSpec], where: str) -> None:
    kinds = {spec.name: spec.type for spec in fields}
    for spec in fields:
        if spec.year_of and kinds.get(spec.year_of) != "date":
            raise SettingsError(
                f"{where}: [fields.{spec.name}] year_of = {spec.year_of!r}: declare that "
                'field with type = "date".'
            )
