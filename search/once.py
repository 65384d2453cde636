"""What one request reads once: a document's stored fields, and the ranked order however deep
the page asks for it (collapsing stories asks deeper and deeper; the second stage is run
once per depth it goes past, not once per ask)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bahth.index.contract import Reader

Ranked = list[tuple[float, int]]


def prefixes(fetch: Callable[[int], Ranked]) -> Callable[[int], Ranked]:
    """``fetch(depth)`` (the first ``depth`` hits, in an order that does not depend on the
    depth), asked again only for a depth past the deepest asked so far and not when that one
    already gave every hit; a shallower depth is the deepest list's head."""
    deepest: Ranked = []
    asked = 0

    def first(depth: int) -> Ranked:
        nonlocal deepest, asked
        if depth > asked and len(deepest) >= asked:
            deepest, asked = fetch(depth), depth
        return deepest[:depth]

    return first


class StoredFields:
    """One query's reader of stored fields: the second stage and the page read the same top
    hits, and a long text costs its unpacking (0.2 s for 20 MB) once, not twice; the hits a
    request will read are asked for at once (a cluster: one round trip, not one a hit)."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.memo: dict[int, dict] = {}

    def prefetch(self, handles: Sequence[int]) -> None:
        missing = [h for h in dict.fromkeys(handles) if h not in self.memo]
        if missing:
            self.memo.update(self.reader.stored_many(missing))

    def __call__(self, handle: int) -> dict:
        fields = self.memo.get(handle)
        if fields is None:
            fields = self.memo[handle] = self.reader.stored(handle)
        return fields
