"""The cluster store: a bahth index kept in Sphinx/Manticore nodes over SphinxQL."""
