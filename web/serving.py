"""Serving until stopped: which server runs (waitress alone for one worker, gunicorn's arbiter
over waitress in each of several), the access log on stderr, and the signals that stop it.
``bahth serve`` (bahth/cli_serve.py) checks the index and prints; the choice is the web's."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable

from bahth.index.errors import BahthError
from bahth.web import server as servers
from bahth.web.access_log import log_to_stderr


def serve(
    location,
    *,
    host: str,
    port: int,
    workers: int,
    on_ready: Callable[[str, str], None],
    on_stop: Callable[[], None],
    **options,
) -> None:
    """Serve ``location`` (an index folder or a cluster's URL) on ``host:port`` with
    ``workers`` processes until Ctrl+C or SIGTERM; ``on_ready(url, how)`` once it listens,
    ``on_stop()`` when it stops. ``options``: create_server's (threads, time limits, CORS,
    the access log). BahthError when it cannot be served so; OSError when the port cannot
    be listened on."""
    if workers > 1 and not servers.multiprocess_supported():
        raise BahthError(
            "--workers above 1 needs gunicorn, which runs on POSIX systems only: use --workers 1"
        )
    if workers == 1:
        server = servers.create_server(location, host=host, port=port, **options)
        url, how = servers.server_url(server, host, port), "waitress"
    else:
        from bahth.web.workers import create_multiprocess_server

        server, url = create_multiprocess_server(
            location, host=host, port=port, workers=workers, on_stop=on_stop, **options
        )
        how = f"{workers} processes (gunicorn, waitress in each)"
    log_to_stderr()
    on_ready(url, how)
    if workers > 1:
        server.run()  # the arbiter: exits the process when stopped (workers never return)
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.run()
    except KeyboardInterrupt:
        on_stop()
    finally:
        server.close()
