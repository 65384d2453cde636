"""bahth's search side: the SearchEngine facade, query parsing, ranking, snippets.

Knows nothing of HTTP, and nothing here imports the index writer. Import the public names
from ``bahth`` (``from bahth import SearchEngine``) or from their modules.
"""
