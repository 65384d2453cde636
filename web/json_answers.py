"""Every JSON answer of the web is strict JSON (index/strict_json.py): Flask's own writer put
``NaN`` and ``Infinity`` in /api answers, which a browser's ``JSON.parse`` refuses whole."""

from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider

from bahth.index.strict_json import dumps


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, writing through ``strict_json.dumps``; Arabic stays readable."""

    ensure_ascii = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        kwargs.setdefault("default", self.default)
        kwargs.setdefault("ensure_ascii", self.ensure_ascii)
        kwargs.setdefault("sort_keys", self.sort_keys)
        return dumps(obj, **kwargs)
