"""Serving the app with waitress (a production WSGI server), as ``bahth serve`` does, and
how the server protects itself.

Kept apart from the CLI so the command stays a thin wrapper and tests or embedders can start a
server the same way. Port 0 asks the system for a free port; the address actually bound is
what gets printed, so a caller never has to guess.

Protection (web.connections has the mechanism): waitress takes 100 connections by default and
then stops accepting, so 100 slow clients shut everyone else out. A connection costs no thread
until its request is whole, so bahth allows many (CONNECTION_LIMIT), closes a connection whose
request's headers are HEADER_TIMEOUT late, closes one silent for IDLE_TIMEOUT between
requests, watches its sockets with poll() (select() cannot watch a descriptor past 1023), and
makes sure the process may open a file per connection. A search is stopped after the app's
REQUEST_TIME_LIMIT (a 503), so a worker thread is never held by one query for long.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bahth.index.errors import BahthError
from bahth.web import DEFAULTS, create_app

HEADER_TIMEOUT = 10.0  # seconds for a request's headers: a few KB, even on a poor link
CONNECTION_LIMIT = 1000  # open connections; the 1001st waits in the kernel's queue
IDLE_TIMEOUT = 30  # seconds a kept-alive connection may stay silent between requests
CHECK_IDLE_EVERY = 5  # seconds between waitress's sweeps for idle connections
FILES_BESIDE_CONNECTIONS = 256  # the index's files, the listening socket, pipes, logs
STUCK_AFTER_MIN = 10.0  # seconds: a request running longer than this and 3 time limits is stuck
STUCK_AFTER_NO_LIMIT = 300.0  # the same when searches have no time limit


class OpenFileLimit(BahthError):
    """The process may not open a file for every connection the limit allows."""


def serving_app(
    index: str | Path | None,
    *,
    time_limit: float | None = DEFAULTS["REQUEST_TIME_LIMIT"],
    cors_origins: tuple[str, ...] = (),
    log_queries: bool = True,
) -> Any:
    """The WSGI application a server runs: bahth's app behind the access log. One function,
    so one process or many serve the same thing."""
    from bahth.web.access_log import AccessLog

    app = create_app(
        {
            "BAHTH_INDEX": str(index) if index is not None else None,
            "REQUEST_TIME_LIMIT": time_limit,
            "CORS_ORIGINS": tuple(cors_origins),
        }
    )
    return AccessLog(app, log_queries=log_queries)


def create_server(
    index: str | Path | None,
    host: str = "127.0.0.1",
    port: int = 8000,
    threads: int = 4,
    *,
    header_timeout: float = HEADER_TIMEOUT,
    connection_limit: int = CONNECTION_LIMIT,
    time_limit: float | None = DEFAULTS["REQUEST_TIME_LIMIT"],
    cors_origins: tuple[str, ...] = (),
    log_queries: bool = True,
) -> Any:
    """A waitress server for bahth's app, bound but not yet running (call ``.run()``).

    ``time_limit`` is the seconds a search may run (None: no limit); ``header_timeout`` and
    ``connection_limit`` are explained in the module's docstring. Raises OpenFileLimit when
    the process may not open enough files for ``connection_limit``."""
    allow_open_files(connection_limit + FILES_BESIDE_CONNECTIONS, connection_limit)
    app = serving_app(
        index, time_limit=time_limit, cors_origins=cors_origins, log_queries=log_queries
    )
    return waitress_server(
        app,
        threads=threads,
        header_timeout=header_timeout,
        connection_limit=connection_limit,
        log_queries=log_queries,
        host=host,
        port=port,
    )


def waitress_server(
    app: Any,
    *,
    threads: int,
    header_timeout: float,
    connection_limit: int,
    log_queries: bool = True,
    socket_map: dict | None = None,
    **where: Any,
) -> Any:
    """Waitress serving ``app`` with bahth's protections, on ``where``: ``host`` and ``port``,
    or ``sockets`` already listening (a gunicorn worker's). ``socket_map`` is the dict
    waitress keeps its connections in (a new one by default)."""
    import waitress
    from waitress.server import BaseWSGIServer

    from bahth.web.connections import deadline_channel

    sockets: dict[int, Any] = {} if socket_map is None else socket_map
    server = waitress.create_server(
        app,
        map=sockets,
        threads=threads,
        ident="bahth",
        connection_limit=connection_limit,
        channel_timeout=IDLE_TIMEOUT,
        cleanup_interval=CHECK_IDLE_EVERY,
        asyncore_use_poll=True,
        **where,
    )
    channel = deadline_channel(header_timeout, log_queries)
    for listener in list(sockets.values()):  # one per address the host name resolved to
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = channel
    return server


def default_workers() -> int:
    """Worker processes ``bahth serve`` runs unless told: one per CPU this process may use
    where gunicorn runs (POSIX), else one."""
    if not multiprocess_supported():
        return 1
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def multiprocess_supported() -> bool:
    """Several worker processes need gunicorn, which needs fork() and fcntl: POSIX only."""
    return os.name == "posix"


def stuck_after(time_limit: float | None) -> float:
    """Seconds after which a request under way counts as stuck (a worker then stops reporting
    alive, and gunicorn restarts it): three times the time limit, at least STUCK_AFTER_MIN.
    The engine stops a search at its time limit; a request still running well past it is in
    work that never looks at the clock."""
    if time_limit is None:
        return STUCK_AFTER_NO_LIMIT
    return max(STUCK_AFTER_MIN, 3 * float(time_limit))


def allow_open_files(needed: int, connection_limit: int) -> None:
    """Raise this process's soft limit of open files to its hard limit when it is below
    ``needed`` (a socket is a file); OpenFileLimit when even the hard limit is below."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    if hard != resource.RLIM_INFINITY and hard < needed:
        fits = max(1, hard - FILES_BESIDE_CONNECTIONS)
        raise OpenFileLimit(
            f"A connection limit of {connection_limit} needs {needed} open files and this "
            f"process may open {hard}: lower --connection-limit to {fits}, or raise the "
            f"limit first (ulimit -n {needed})."
        )
    raised = needed if hard == resource.RLIM_INFINITY else hard
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
    except (OSError, ValueError) as error:
        raise OpenFileLimit(
            f"A connection limit of {connection_limit} needs {needed} open files and this "
            f"process may open {soft} ({error}): lower --connection-limit, or raise the "
            f"limit first (ulimit -n {needed})."
        ) from None


def server_url(server: Any, host: str, port: int) -> str:
    """The http:// address a browser should open for ``server``."""
    host = getattr(server, "effective_host", host)
    port = getattr(server, "effective_port", port)
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    if ":" in str(host):
        host = f"[{host}]"
    return f"http://{host}:{port}/"
