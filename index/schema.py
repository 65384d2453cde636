"""The Whoosh schema: which fields a document has and how each is analyzed.

Title and text are each indexed twice:
* ``title`` / ``text``: the full pipeline (stemmed, stop words out): recall, and the main score;
* ``title_exact`` / ``text_exact``: normalized words only, with positions: exact-form
  ranking, phrases (stop words inside a phrase still count) and prefix queries.
Only the stemmed fields store the original text, which snippets are cut from.
"""

from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema

from bahth.analyzers import AnalysisConfig


def build_schema(analysis: AnalysisConfig | None = None) -> Schema:
    """The schema for an index analyzed as ``analysis`` says (bahth's defaults if None)."""
    analysis = analysis or AnalysisConfig()
    stemmed = analysis.stemmed()
    exact = analysis.exact()
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        title=TEXT(analyzer=stemmed, stored=True, phrase=False),
        title_exact=TEXT(analyzer=exact, phrase=True),
        text=TEXT(analyzer=stemmed, stored=True, phrase=False),
        text_exact=TEXT(analyzer=exact, phrase=True),
        source=ID(stored=True, sortable=True),
        date=DATETIME(stored=True, sortable=True),
        year=ID(stored=True, sortable=True),
        url=STORED(),
        content_hash=ID(stored=True),
        origin=ID(stored=True),
    )
