"""bahth's search side: the SearchEngine facade, query parsing, ranking, snippets, the CLI."""
