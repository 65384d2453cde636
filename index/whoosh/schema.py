"""The Whoosh schema: which fields a document has and how each is analyzed.

Title and text are each indexed twice:
* ``title`` / ``text``: the full pipeline (stemmed, stop words out): recall, and the main score;
* ``title_exact`` / ``text_exact``: normalized words only, with positions: exact-form
  ranking, phrases (stop words inside a phrase still count) and prefix queries.
Only the stemmed fields store the original text, which snippets are cut from.

The declared fields (index/settings.py) follow, by what their type is (index/fields.py): a
searched field is a stemmed and an exact twin, as the text; a valued one its exact values as
terms (one or many per document); an ordered one (a date, a number) its key, a float, with a
column to filter ranges and sort by; a stored field is only kept. Every document's own
fields, as given, are kept whole in ``given`` (what a hit returns), and ``has`` lists its
declared fields that hold a value, so "documents without the field" is one posting list
(sorting puts them last). Its story's key and its fingerprint (index/stories.py) are columns:
written with the document in its segment, so they commit with it, and read without its text.
An index made before stories has neither: its documents are each alone. Title and text
each have a stem list column (analyzers/stem_lists.py: what their words became, for the
second stage); an index made before them is read from its stored texts.
"""

import sys

from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.fields import COLUMN, ID, NUMERIC, STORED, TEXT, Schema

from bahth.analyzers import AnalysisConfig
from bahth.index.fields import exact_field, type_of
from bahth.index.settings import Settings


class Values(ID):
    """Exact values, one or a list of them per document: each value is one term. (Whoosh's
    KEYWORD splits values at spaces or commas; a section called "اليوم 24" is one value.)"""

    def index(self, value, **kwargs):
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in dict.fromkeys(values):
            yield item.encode("utf-8"), 1, 1.0, b""


# Whoosh pickles the schema into each index by module path: indexes written before the folder
# store moved to index/whoosh/ name this module bahth.index.schema, and still open.
sys.modules.setdefault("bahth.index.schema", sys.modules[__name__])

# field -> the column of its stem lists (the fields the second stage reads)
STEM_LISTS = {"title": "title_stems", "text": "text_stems"}


def build_schema(
    analysis: AnalysisConfig | None = None, settings: Settings | None = None
) -> Schema:
    """The schema for an index analyzed as ``analysis`` says (bahth's defaults if None), with
    the fields ``settings`` declares (bahth's default fields if None)."""
    analysis = analysis or AnalysisConfig()
    settings = settings or Settings()
    stemmed = analysis.stemmed()
    exact = analysis.exact()
    schema = Schema(
        id=ID(stored=True, unique=True, sortable=True),
        title=TEXT(analyzer=stemmed, stored=True, phrase=False),
        title_exact=TEXT(analyzer=exact, phrase=True),
        text=TEXT(analyzer=stemmed, stored=True, phrase=False),
        text_exact=TEXT(analyzer=exact, phrase=True),
        content_hash=ID(stored=True),
        origin=ID(stored=True),
        given=STORED(),
        has=Values(),
        story=COLUMN(NumericColumn("q", default=0)),
        fingerprint=COLUMN(VarBytesColumn()),
        **{column: COLUMN(VarBytesColumn()) for column in STEM_LISTS.values()},
    )
    for spec in settings.fields:
        kind = type_of(spec)
        if kind.searched:  # as title and text: stemmed, and exact with positions
            schema.add(spec.name, TEXT(analyzer=stemmed, phrase=False))
            schema.add(exact_field(spec.name), TEXT(analyzer=exact, phrase=True))
        elif kind.valued:
            schema.add(spec.name, Values())
        elif kind.ordered:
            schema.add(spec.name, NUMERIC(float, sortable=True, default=0))
    return schema


def keeps_stories(schema: Schema) -> bool:
    """Was the index made with the story columns (False: before stories)?"""
    return "story" in schema and "fingerprint" in schema
