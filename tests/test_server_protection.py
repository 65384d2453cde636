"""How `bahth serve` protects itself, tried on the real server over loopback.

Slow and silent clients must not shut others out (a connection limit far above waitress's
100, and a deadline for a request's headers); waitress's own error answers wear our headers;
a connection limit the process cannot open files for is refused. Every socket has a timeout
and every loop a bound, so each test ends by itself even if the server misbehaves.
"""

from __future__ import annotations

import json
import re
import resource
import selectors
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import Server, running_server, serving

# Never finishes its headers: no blank line ever comes.
SLOW_REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200
BAHTH = [sys.executable, "-m", "bahth"]
BOUND = 15.0  # seconds: a generous upper bound (5 deadlines) that only stops a hang


def port_of(address: str) -> int:
    return urlsplit(address).port


def fetch(address: str, timeout: float = 10.0) -> int:
    with urllib.request.urlopen(address, timeout=timeout) as response:
        response.read()
        return response.status


@contextmanager
def open_connections(port: int, count: int) -> Iterator[list[socket.socket]]:
    """``count`` connections to the server, non-blocking once open; all closed on exit."""
    opened: list[socket.socket] = []
    try:
        for _ in range(count):
            connection = socket.create_connection(("127.0.0.1", port), timeout=5)
            connection.setblocking(False)
            opened.append(connection)
        yield opened
    finally:
        for connection in opened:
            connection.close()


def closed_by_server(connections: list[socket.socket], wait: float) -> set[socket.socket]:
    """The connections the server has closed (readable, then EOF or a reset), waiting up to
    ``wait`` seconds for the first one."""
    closed = set()
    with selectors.DefaultSelector() as selector:
        for connection in connections:
            selector.register(connection, selectors.EVENT_READ)
        for key, _ in selector.select(timeout=wait):
            try:
                while key.fileobj.recv(65536):
                    pass  # an answer would be a bug too, but what counts is the close
            except BlockingIOError:
                continue  # data came, the connection is still open
            except OSError:
                pass  # reset by the server: closed
            closed.add(key.fileobj)
    return closed


def send_byte(connection: socket.socket, data: bytes) -> None:
    try:
        connection.send(data)
    except OSError:
        pass  # closed by the server; closed_by_server() will see it


@pytest.mark.parametrize("workers", [1, 2], ids=["waitress", "gunicorn-2-workers"])
def test_slow_clients_do_not_shut_others_out_and_are_closed_at_the_deadline(
    seeds_index: Path, workers: int
) -> None:
    """150 connections (waitress alone takes 100 and then stops accepting; gunicorn's gthread
    workers, 2 of 4 threads, are shut out by 40) that send one header byte a second, or
    nothing at all: a normal request is answered while they are all open, and each of them is
    closed once its headers are 3 seconds late. The same with one process and with two."""
    deadline = 3.0
    options = ("--header-timeout", str(deadline))
    with running_server(seeds_index, *options, workers=workers) as address:
        assert fetch(address) == 200  # warm: the engine is open before the clock starts
        started = time.monotonic()
        with open_connections(port_of(address), 150) as connections:
            trickling = connections[:100]  # the other 50 send nothing at all
            for connection in trickling:
                send_byte(connection, SLOW_REQUEST[:1])
            assert fetch(address) == 200, "a normal request is answered meanwhile"
            assert not closed_by_server(connections, wait=0), (
                "the normal request was answered only after slow connections were closed"
            )
            closed_at: dict[socket.socket, float] = {}
            sent = 1
            while len(closed_at) < len(connections) and time.monotonic() - started < BOUND:
                for connection in closed_by_server(
                    [c for c in connections if c not in closed_at], wait=1.0
                ):
                    closed_at[connection] = time.monotonic() - started
                for connection in trickling:  # one more header byte a second
                    if connection not in closed_at and sent < len(SLOW_REQUEST):
                        send_byte(connection, SLOW_REQUEST[sent : sent + 1])
                sent += 1
            assert len(closed_at) == len(connections), (
                f"{len(connections) - len(closed_at)} slow connections still open after {BOUND} s"
            )
            assert min(closed_at.values()) >= deadline * 0.9, "closed before the deadline"
        assert fetch(address) == 200


def read_answer(connection: socket.socket) -> int:
    """Read one whole answer (headers and Content-Length bytes) from a blocking connection;
    its status."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        assert chunk, "the server closed the connection instead of answering"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = int(re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)[1])
    while len(body) < length:
        chunk = connection.recv(65536)
        assert chunk, "the answer was cut short"
        body += chunk
    return int(head.split()[1])


def test_a_kept_alive_connection_may_rest_between_requests_but_not_dawdle_in_one(
    seeds_index: Path,
) -> None:
    """The deadline is for a request being sent: silence after an answer is the idle
    timeout's business (browsers keep connections open), and the next request's clock
    starts at its first byte."""
    deadline = 2.0
    whole = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with running_server(seeds_index, "--header-timeout", str(deadline)) as address:
        with socket.create_connection(("127.0.0.1", port_of(address)), timeout=10) as connection:
            connection.sendall(whole)
            assert read_answer(connection) == 200
            time.sleep(deadline + 1.5)  # resting between requests
            connection.sendall(whole)
            assert read_answer(connection) == 200, "a rested connection still serves"
            connection.setblocking(False)
            started, closed = time.monotonic(), None
            for sent in range(1, len(SLOW_REQUEST)):  # dawdling: a header byte a second
                send_byte(connection, SLOW_REQUEST[sent - 1 : sent])
                if closed_by_server([connection], wait=1.0):
                    closed = time.monotonic() - started
                    break
                if time.monotonic() - started > BOUND:
                    break
            assert closed is not None, f"a dawdling request was still open after {BOUND} s"
            assert closed >= deadline * 0.9, "closed before the deadline"


def raised_soft_file_limit(at_least: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < at_least:
        if hard != resource.RLIM_INFINITY and hard < at_least:
            pytest.skip(f"this machine allows {hard} open files, the test needs {at_least}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (at_least, hard))


def low_soft_file_limit() -> None:
    """In the server's process: 512 open files, a common default, below what it needs."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (512, hard))


@pytest.mark.parametrize("workers", [1, 2], ids=["waitress", "gunicorn-2-workers"])
def test_more_connections_than_select_and_the_soft_file_limit_allow(
    seeds_index: Path, workers: int
) -> None:
    """1,100 open connections: more file descriptors than select() can watch (1024) and than
    the server's soft open-file limit (512, set in its process); others are still served."""
    raised_soft_file_limit(4096)
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 2000:
        pytest.skip(f"this machine allows {hard} open files, the server needs 2,000")
    with running_server(
        seeds_index,
        "--connection-limit",
        "1500",
        workers=workers,
        preexec_fn=low_soft_file_limit,
    ) as address:
        assert fetch(address) == 200
        with open_connections(port_of(address), 1100) as connections:
            for connection in connections:
                send_byte(connection, SLOW_REQUEST[:10])
            assert fetch(address) == 200
            assert not closed_by_server(connections, wait=0)


def test_a_connection_limit_beyond_the_open_file_limit_is_refused(seeds_index: Path) -> None:
    def tight_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))

    result = subprocess.run(
        [*BAHTH, "serve", "--index", str(seeds_index), "--port", "0", "--connection-limit", "5000"],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=tight_limit,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "--connection-limit" in result.stderr and "ulimit -n" in result.stderr


# ---- waitress's own answers (before a request reaches the app) --------------------------


@pytest.fixture(scope="module", params=[1, 2], ids=["waitress", "gunicorn-2-workers"])
def server(seeds_index: Path, request) -> Iterator[Server]:
    with serving(seeds_index, workers=request.param) as running:
        yield running


def raw_answer(address: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send ``request`` as it is; the status, headers and body of the answer."""
    with socket.create_connection(("127.0.0.1", port_of(address)), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while True:  # the server closes the connection after its error answer (a reset,
            try:  # when the request was still being sent)
                chunk = connection.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            answer += chunk
    head, body = answer.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), headers, body


@pytest.mark.parametrize("path", ["/", "/api/search?q=x"])
@pytest.mark.parametrize(
    "headers, status",
    [
        pytest.param(b"Content-Length: many\r\n", 400, id="bad-content-length-400"),
        pytest.param(b"X-Big: " + b"a" * 300_000 + b"\r\n", 431, id="headers-too-large-431"),
    ],
)
def test_waitress_error_answers_wear_our_headers_speak_json_under_api_and_are_logged(
    server: Server, path: str, headers: bytes, status: int
) -> None:
    from bahth.web.security import SECURITY_HEADERS

    request = b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n"
    got, answer_headers, body = raw_answer(server.address, request)
    assert got == status
    for name, value in SECURITY_HEADERS.items():
        assert answer_headers.get(name) == value, name
    assert answer_headers.get("Cache-Control") == "no-store"
    # Past 256 KB of headers waitress has dropped the request line: it answers as for "GET /".
    known = path if status != 431 else "/"
    if known.startswith("/api/"):
        assert answer_headers["Content-Type"] == "application/json"
        answer = json.loads(body)
        assert answer["status"] == status and answer["code"] and answer["error"]
    line = re.compile(rf"Z GET {re.escape(known)} {status} \d+\.\dms$")
    deadline = time.monotonic() + 10
    while not any(line.search(logged.strip()) for logged in server.stderr):
        assert time.monotonic() < deadline, f"no access-log line: {server.stderr[-3:]}"
        time.sleep(0.05)
