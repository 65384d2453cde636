"""Serving the app with waitress (a production WSGI server), as ``bahth serve`` does.

Kept apart from the CLI so the command stays a thin wrapper and tests or embedders can start a
server the same way. Port 0 asks the system for a free port; the address actually bound is
what gets printed, so a caller never has to guess.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bahth.web import create_app


def create_server(
    index: str | Path | None, host: str = "127.0.0.1", port: int = 8000, threads: int = 4
) -> Any:
    """A waitress server for bahth's app, bound but not yet running (call ``.run()``)."""
    import waitress

    app = create_app({"BAHTH_INDEX": str(index) if index is not None else None})
    return waitress.create_server(app, host=host, port=port, threads=threads, ident="bahth")


def server_url(server: Any, host: str, port: int) -> str:
    """The http:// address a browser should open for ``server``."""
    host = getattr(server, "effective_host", host)
    port = getattr(server, "effective_port", port)
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    if ":" in str(host):
        host = f"[{host}]"
    return f"http://{host}:{port}/"
