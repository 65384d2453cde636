"""Every core serves: ``bahth serve --workers N`` runs N processes on one port, under gunicorn.

gunicorn is the Flask ecosystem's production server on POSIX: its arbiter binds nothing of
its own here (it is handed bahth's listening socket), forks the workers, restarts one that
dies, kills one that stops reporting (its worker timeout), and stops them all cleanly on
SIGTERM or Ctrl+C. What it does not do is protect a worker from slow clients: its ``sync``
worker reads a request in the worker's only thread (12 connections sending a header byte a
second shut 2 workers out), and its ``gthread`` worker hands a connection to a thread as soon
as a byte arrives and reads the rest blocking, with no deadline (40 such connections shut out
2 workers of 4 threads; measured with gunicorn 27.0.1). Its async workers (gevent, eventlet)
monkey-patch threads, and the engine keeps one searcher per thread.

So each worker here is ``WaitressWorker``: gunicorn's worker protocol around the HTTP engine
``--workers 1`` runs, waitress, with the same protections (web.connections: a connection costs
no thread until its request is whole, and is closed when its headers are late; our headers on
waitress's own error answers). The pattern is uvicorn's (``uvicorn.workers.UvicornWorker``):
gunicorn manages processes, the worker speaks HTTP.

A worker reports itself alive to the arbiter from its event loop, about once a second, unless
a request has been running for ``stuck_after`` seconds: then it stops reporting, and gunicorn
kills it after its worker timeout and starts a fresh one. The request time limit is
cooperative (the engine looks at the clock where its work grows); this is the backstop for
work that never looks, so a stuck request costs a worker restart, not a thread forever.

Each worker opens the index itself, on its first request, and reopens it when the index's
generation changes (SearchEngine does: a commit by ``bahth index``, or a ``--rebuild`` swap):
no restart and no signal is needed to pick up a reindex.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.workers.base import Worker

from bahth.web import DEFAULTS
from bahth.web.server import (
    CONNECTION_LIMIT,
    FILES_BESIDE_CONNECTIONS,
    HEADER_TIMEOUT,
    allow_open_files,
    server_url,
    serving_app,
    stuck_after,
)

WORKER_TIMEOUT = 10  # seconds the arbiter waits for a silent worker before killing it
GRACEFUL_TIMEOUT = 10  # seconds a stopping worker has to finish the requests under way
LOOP_SECONDS = 1.0  # the event loop's poll timeout: how often a worker looks up from work


@dataclass(frozen=True)
class WorkerOptions:
    """What every worker needs to build its app and its waitress server."""

    app_factory: Callable[[], Any]  # the WSGI app; called in each worker, after the fork
    threads: int
    header_timeout: float
    connection_limit: int
    stuck_after: float  # seconds after which a running request counts as stuck
    log_queries: bool = True  # for waitress's own answers (the app's own log is in the app)


class InFlight:
    """WSGI middleware that knows when each request under way began."""

    def __init__(self, app: Callable) -> None:
        self.app = app
        self._started: dict[int, float] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        key = object()
        with self._lock:
            self._started[id(key)] = time.monotonic()
        try:
            return self.app(environ, start_response)
        finally:
            with self._lock:
                del self._started[id(key)]

    def oldest(self) -> float:
        """Seconds the longest request under way has run (0 when there is none)."""
        with self._lock:
            first = min(self._started.values(), default=None)
        return 0.0 if first is None else time.monotonic() - first


class WaitressWorker(Worker):
    """A gunicorn worker whose HTTP engine is waitress with bahth's protections."""

    def run(self) -> None:
        from waitress import wasyncore
        from waitress.channel import HTTPChannel
        from waitress.server import BaseWSGIServer

        from bahth.web.server import waitress_server

        options: WorkerOptions = self.app.options
        app = InFlight(self.wsgi)
        socket_map: dict[int, Any] = {}
        waitress_server(
            app,
            threads=options.threads,
            header_timeout=options.header_timeout,
            connection_limit=options.connection_limit,
            log_queries=options.log_queries,
            socket_map=socket_map,
            sockets=[listener.sock for listener in self.sockets],
        )
        stuck = False
        while self.alive:
            wasyncore.loop(timeout=LOOP_SECONDS, map=socket_map, use_poll=True, count=1)
            running = app.oldest()
            if running < options.stuck_after:
                self.notify()
            elif not stuck:
                self.log.critical(
                    "worker %s: a request has run %.0f s, past its time limit; gunicorn will "
                    "restart this worker",
                    self.pid,
                    running,
                )
            stuck = running >= options.stuck_after
            if self.ppid != os.getppid():  # the arbiter is gone
                break

        # Stopping: accept nothing more, finish and send what is under way, then leave.
        for dispatcher in list(socket_map.values()):
            if isinstance(dispatcher, BaseWSGIServer):
                dispatcher.accepting = False
        deadline = time.monotonic() + self.cfg.graceful_timeout
        while time.monotonic() < deadline and any(
            isinstance(channel, HTTPChannel) and (channel.requests or channel.total_outbufs_len)
            for channel in list(socket_map.values())
        ):
            self.notify()
            wasyncore.loop(timeout=0.1, map=socket_map, use_poll=True, count=1)


class GunicornServer(BaseApplication):
    """gunicorn's arbiter, configured in code (gunicorn's "custom application"): it reads no
    command line, environment variable or configuration file of its own."""

    def __init__(self, options: WorkerOptions, settings: dict[str, Any]) -> None:
        self.options = options
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.settings.items():
            self.cfg.set(name, value)

    def load(self) -> Any:
        return self.options.app_factory()


def create_multiprocess_server(
    index: str | Path | None,
    host: str = "127.0.0.1",
    port: int = 8000,
    threads: int = 4,
    workers: int = 2,
    *,
    header_timeout: float = HEADER_TIMEOUT,
    connection_limit: int = CONNECTION_LIMIT,
    time_limit: float | None = DEFAULTS["REQUEST_TIME_LIMIT"],
    cors_origins: tuple[str, ...] = (),
    log_queries: bool = True,
    on_stop: Callable[[], None] | None = None,
) -> tuple[GunicornServer, str]:
    """gunicorn with ``workers`` WaitressWorkers serving bahth's app on ``host:port``, and the
    address to open. The socket is bound here, before the arbiter starts: an address in use
    raises OSError at once (gunicorn would retry for five seconds), and port 0 is resolved.
    ``.run()`` serves until SIGTERM or Ctrl+C; ``on_stop`` runs in the arbiter as it exits.
    The other arguments are create_server's. Raises OpenFileLimit as it does."""
    allow_open_files(connection_limit + FILES_BESIDE_CONNECTIONS, connection_limit)
    listener = listening_socket(host, port)
    options = WorkerOptions(
        app_factory=partial(
            serving_app,
            index,
            time_limit=time_limit,
            cors_origins=cors_origins,
            log_queries=log_queries,
        ),
        threads=threads,
        header_timeout=header_timeout,
        connection_limit=connection_limit,
        stuck_after=stuck_after(time_limit),
        log_queries=log_queries,
    )
    bound_host, bound_port = listener.getsockname()[:2]
    url = server_url(None, bound_host, bound_port)
    return gunicorn_server(listener, workers, options, on_stop=on_stop), url


def listening_socket(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """A TCP socket bound to the first address ``host`` resolves to, listening."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    listener = socket.socket(family, kind, proto)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(backlog)
    except OSError:
        listener.close()
        raise
    listener.set_inheritable(True)
    return listener


def gunicorn_server(
    listener: socket.socket,
    workers: int,
    options: WorkerOptions,
    *,
    on_stop: Callable[[], None] | None = None,
) -> GunicornServer:
    """An arbiter serving on ``listener`` (bound and listening) with ``workers`` processes;
    ``.run()`` serves until SIGTERM or SIGINT, then exits the process (SystemExit)."""
    settings: dict[str, Any] = {
        "bind": [f"fd://{listener.fileno()}"],
        "workers": workers,
        "worker_class": f"{__name__}.WaitressWorker",
        "threads": options.threads,
        "worker_connections": options.connection_limit,
        "timeout": WORKER_TIMEOUT,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "proc_name": "bahth",
        "loglevel": "warning",  # stderr is for the access log and what goes wrong
        "control_socket_disable": True,  # one shared path: two servers would collide
        "preload_app": False,  # each worker builds its app, and opens the index, itself
    }
    if on_stop is not None:
        settings["on_exit"] = lambda arbiter: on_stop()
    server = GunicornServer(options, settings)
    server.listener = listener  # kept open (and referenced) while the arbiter runs
    return server
