"""JSON as every parser reads it: never ``NaN``, ``Infinity`` or ``-Infinity``.

Python's json module writes a float nan or inf as those words, which are not JSON (RFC 8259):
a strict parser (a browser's ``JSON.parse``, Go, jq) refuses the whole answer. Input no longer
brings them (index/sources.py keeps such a number as its text), but an index built before
could hold one, so what bahth writes as JSON (the web's answers, the CLI's ``--json``) goes
through ``dumps``: a value with a non-finite float is written with null in its place, as
JavaScript's ``JSON.stringify`` does.
"""

from __future__ import annotations

import json
import math
from typing import Any


def finite(value: Any) -> Any:
    """``value`` with every non-finite float (inside dicts, lists and tuples too) as None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(item) for item in value]
    return value


def dumps(value: Any, **options: Any) -> str:
    """``json.dumps(value, **options)``, strict: a non-finite float is written as null. The
    common answer, with none, is written once; only one with such a float is walked."""
    options["allow_nan"] = False
    try:
        return json.dumps(value, **options)
    except ValueError as error:
        if "JSON compliant" not in str(error):  # a circular reference, a default's refusal
            raise
        return json.dumps(finite(value), **options)
