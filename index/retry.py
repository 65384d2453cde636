"""One retry rule: a read that met damage while the index was changing under it.

A commit cleans up the files of the tables of contents it replaced. A reader that listed the
live table of contents just before, and opens its files just after, meets a file that is
gone: IndexDamaged, though the index is whole and the next table of contents is already
there. So such a read is tried again, a few times, as long as the index's generation has
moved on since it began; when it has not, the damage is real and is raised (it names the
file, index/whoosh/damage.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from bahth.index.errors import IndexDamaged

ATTEMPTS = 5
PAUSE = 0.05  # seconds between two attempts
T = TypeVar("T")


def while_changing(read: Callable[[str], T], generation: Callable[[], str]) -> T:
    """``read(token)`` with the generation it began at, tried again while it raises
    IndexDamaged and the generation changed meanwhile (at most ATTEMPTS times)."""
    for attempt in range(ATTEMPTS):
        token = generation()
        try:
            return read(token)
        except IndexDamaged:
            if attempt == ATTEMPTS - 1 or generation() == token:
                raise
            time.sleep(PAUSE)
    raise AssertionError("unreachable")
