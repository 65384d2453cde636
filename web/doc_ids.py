"""A document id as one URL path segment, and back: every id opens from its link.

Ids come from the user's files and may hold anything: slashes, ``..``, newlines, ``?#%&``,
spaces, Arabic. Browsers and WSGI servers rewrite what looks like a path (dot segments, a
raw newline), so an id is percent-encoded whole, ``/`` included: only unreserved characters
(letters, digits, ``-._~``) stay as they are, and the URL has one segment a browser leaves
alone. The WSGI server decodes it into PATH_INFO (``a%2Fb`` arrives as ``a/b``), so the route
takes everything after ``/doc/``, newlines and leading or doubled slashes included. Werkzeug's
``path`` converter does not: it stops at a newline, and refuses a leading ``/``, so that
Werkzeug's ``merge_slashes`` redirected ``//x.example`` to the id ``x.example``. The ids ``.``
and ``..`` cannot be a segment at all (browsers resolve even ``%2E%2E``): indexing refuses
them.
"""

from __future__ import annotations

from urllib.parse import quote

from werkzeug.routing import BaseConverter


def doc_id_segment(doc_id: str) -> str:
    """``doc_id`` as one path segment: everything but unreserved characters percent-encoded.

    >>> doc_id_segment("a/b/../c?x#y")
    'a%2Fb%2F..%2Fc%3Fx%23y'
    """
    return quote(doc_id, safe="")


class DocIdConverter(BaseConverter):
    """``<doc_id:...>`` in a route: any document id; ``url_for`` encodes it as one segment."""

    regex = r"[\s\S]+"  # anything at all, newlines included
    part_isolating = False  # the id may hold "/" once the server has decoded it

    def to_url(self, value: str) -> str:
        return doc_id_segment(value)
