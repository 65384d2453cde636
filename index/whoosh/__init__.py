"""The folder store: a Whoosh index on disk, its generations, its writer and its segment
reading."""
