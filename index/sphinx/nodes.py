"""Where a Sphinx/Manticore cluster is (its URL) and how bahth talks to its nodes (SphinxQL).

A backend URL names the cluster's nodes and its table::

    sphinx://127.0.0.1:9306,127.0.0.1:9316/bahth?candidates=1000

Each ``host:port`` is a node's SphinxQL (MySQL protocol) address; any of them can answer a
search (its distributed table fans the query out to the others), and writes go to the node
that holds the document's shard. ``manticore://`` is the same. The one option,
``candidates``, is how many of the engine's best matches bahth scores itself
(index/sphinx/selection.py, with search/scorer.py).

A node that does not answer is a ``BackendUnavailable`` naming it, never a driver traceback;
after a failed connection the node is skipped for ``RETRY_AFTER`` seconds, so a reader does
not wait for a dead host's timeout on every query. The driver, pymysql, comes with the
``cluster`` extra: without it, opening a cluster is an ``ExtraMissing`` naming the extra.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qs

from bahth.index.errors import BackendError, BackendUnavailable, BahthError, ExtraMissing

SCHEMES = ("sphinx", "manticore")
DEFAULT_CANDIDATES = 1000
MAX_CANDIDATES = 4000  # an IN list of ids (searchd's max_filter_values is 4096)
CONNECT_TIMEOUT = 2.0  # seconds to reach a node
READ_TIMEOUT = 60.0  # seconds a node may take to answer one statement
RETRY_AFTER = 2.0  # seconds a node that did not answer is skipped by readers
_TABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,40}$")
_NODE = re.compile(r"^(?:\[(?P<ip6>[0-9A-Fa-f:.]+)\]|(?P<host>[A-Za-z0-9_.-]+)):(?P<port>\d{1,5})$")
_CONNECTION_LOST = (2003, 2006, 2013, 2055)


def is_backend_url(location: object) -> bool:
    """Does ``location`` name a cluster (``sphinx://...``) rather than an index folder?"""
    return (
        isinstance(location, str)
        and location.split("://", 1)[0].lower() in SCHEMES
        and ("://" in location)
    )


@dataclass(frozen=True)
class Node:
    """One searchd, by its SphinxQL address; ``number`` counts from 1 in the URL's order."""

    number: int
    host: str
    port: int

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def label(self) -> str:
        return f"node {self.number} ({self.address})"


@dataclass(frozen=True)
class ClusterUrl:
    """A parsed backend URL."""

    nodes: tuple[Node, ...]
    table: str
    candidates: int = DEFAULT_CANDIDATES
    scheme: str = "sphinx"

    @classmethod
    def parse(cls, url: str) -> ClusterUrl:
        """The URL's parts; a BahthError that shows the expected form when it is malformed."""
        form = "sphinx://HOST:PORT[,HOST:PORT...]/TABLE"
        scheme, _, rest = str(url).partition("://")
        if scheme.lower() not in SCHEMES or not rest:
            raise BahthError(f"{url!r} is not a backend URL: use {form}")
        rest, _, query = rest.partition("?")
        where, _, table = rest.partition("/")
        if not _TABLE.match(table or ""):
            raise BahthError(
                f"{url!r} names no table (letters, digits and _, up to 41): use {form}"
            )
        nodes = []
        for number, part in enumerate(filter(None, where.split(",")), start=1):
            m = _NODE.match(part)
            if not m or not 0 < int(m.group("port")) < 65536:
                raise BahthError(f"{url!r}: {part!r} is not HOST:PORT; use {form}")
            nodes.append(Node(number, m.group("ip6") or m.group("host"), int(m.group("port"))))
        if not nodes:
            raise BahthError(f"{url!r} names no node: use {form}")
        candidates = DEFAULT_CANDIDATES
        for name, values in parse_qs(query, keep_blank_values=True).items():
            if name != "candidates":
                raise BahthError(f"{url!r}: unknown option {name!r} (the one option: candidates)")
            try:
                candidates = int(values[-1])
            except ValueError:
                raise BahthError(f"{url!r}: candidates must be a whole number") from None
            if not 10 <= candidates <= MAX_CANDIDATES:
                raise BahthError(f"{url!r}: candidates must be from 10 to {MAX_CANDIDATES}")
        return cls(tuple(nodes), table, candidates, scheme.lower())

    def __str__(self) -> str:
        nodes = ",".join(f"[{n.host}]:{n.port}" if ":" in n.host else n.address for n in self.nodes)
        option = f"?candidates={self.candidates}" if self.candidates != DEFAULT_CANDIDATES else ""
        return f"{self.scheme}://{nodes}/{self.table}{option}"


def driver(url: ClusterUrl | str):
    """The pymysql module, imported on first use (a folder index never loads it); an
    ExtraMissing naming the cluster extra when it is not installed, so every way into a
    cluster (the CLI, the web, SearchEngine) says the same one line."""
    try:
        import pymysql
    except ImportError:
        raise ExtraMissing(str(url), "a Sphinx/Manticore cluster", "pymysql", "cluster") from None
    return pymysql


class Connections:
    """SphinxQL connections to a cluster's nodes: one per node and thread (pymysql's are not
    thread-safe), opened on first use and again after a node comes back."""

    def __init__(self, url: ClusterUrl) -> None:
        self.url = url
        self._driver = driver(url)
        self._local = threading.local()
        self._down_until: dict[int, float] = {}

    def _connection(self, node: Node):
        pymysql = self._driver
        pool = self._local.__dict__.setdefault("pool", {})
        connection = pool.get(node.number)
        if connection is None:
            connection = pymysql.connect(
                host=node.host,
                port=node.port,
                charset="utf8mb4",
                autocommit=True,
                client_flag=pymysql.constants.CLIENT.MULTI_STATEMENTS,
                connect_timeout=CONNECT_TIMEOUT,
                read_timeout=READ_TIMEOUT,
                write_timeout=READ_TIMEOUT,
            )
            pool[node.number] = connection
        return connection

    def looks_down(self, node: Node) -> bool:
        """Did ``node`` fail to answer in the last RETRY_AFTER seconds?"""
        return self._down_until.get(node.number, 0.0) > time.monotonic()

    def run(self, node: Node, statements: list[tuple[str, tuple | list | None]], doing: str):
        """Run ``statements`` on ``node``, in order; for each, the list of its result sets.
        Reading statements (SELECT, SHOW) that follow each other go in one round trip (the
        engine takes a batch of those, not of writes or CALLs). BackendUnavailable when the
        node does not answer, BackendError when it refuses a statement."""
        pymysql = self._driver
        try:
            connection = self._connection(node)
            answers = []
            for batch in _batches(statements):
                with connection.cursor() as cursor:
                    if len(batch) == 1:
                        sql, args = batch[0]
                        cursor.execute(sql, args)
                    else:
                        cursor.execute(";\n".join(cursor.mogrify(sql, args) for sql, args in batch))
                    sets = [list(cursor.fetchall())]
                    while cursor.nextset():
                        sets.append(list(cursor.fetchall()))
                if len(batch) == 1:
                    answers.append(sets)
                else:  # one result set a statement
                    answers.extend([result] for result in sets)
        except pymysql.err.OperationalError as error:
            self.forget(node)
            code = error.args[0] if error.args else None
            if code in _CONNECTION_LOST or isinstance(code, int) and code >= 2000:
                self._down_until[node.number] = time.monotonic() + RETRY_AFTER
                raise BackendUnavailable([node.label], doing) from None
            raise _refused(node, doing, error) from None
        except (pymysql.err.MySQLError, OSError) as error:
            self.forget(node)
            if isinstance(error, OSError | pymysql.err.InterfaceError):
                self._down_until[node.number] = time.monotonic() + RETRY_AFTER
                raise BackendUnavailable([node.label], doing) from None
            raise _refused(node, doing, error) from None
        self._down_until.pop(node.number, None)
        return answers

    def query(self, node: Node, sql: str, args=None, doing: str = "a query") -> list:
        """The rows of one statement's first result set."""
        return self.run(node, [(sql, args)], doing)[0][0]

    def forget(self, node: Node) -> None:
        pool = self._local.__dict__.get("pool", {})
        connection = pool.pop(node.number, None)
        if connection is not None:
            try:
                connection.close()
            except Exception:  # noqa: BLE001 - closing a broken connection may fail any way
                pass

    def close(self) -> None:
        for node in self.url.nodes:
            self.forget(node)


def _said(error: Exception) -> str:
    """The engine's own message, without the driver's tuple and the C string's NUL."""
    args = getattr(error, "args", ())
    text = str(args[-1]) if args else str(error)
    return text.replace("\x00", "").strip()


_READING = ("SELECT", "SHOW")


def _batches(statements: list) -> list[list]:
    """``statements`` in runs that go in one round trip: reading ones together, any other
    alone."""
    batches: list[list] = []
    for statement in statements:
        reading = statement[0].lstrip().upper().startswith(_READING)
        if reading and batches and batches[-1][0][0].lstrip().upper().startswith(_READING):
            batches[-1].append(statement)
        else:
            batches.append([statement])
    return batches


def _refused(node: Node, doing: str, error: Exception) -> BackendError:
    """A node's refusal in one line; tables of an older layout (a column this bahth reads is
    missing, e.g. ``story``) are named with the commands that make them again."""
    said = _said(error)
    if "unknown column" in said:
        return BackendError(
            f"{node.label} holds tables an older bahth made ({' '.join(said.split())}): make "
            "the cluster "
            "again with `bahth cluster init DIR ...` (then `bahth cluster start DIR`) and "
            "index into it with --rebuild."
        )
    return BackendError(f"{node.label} refused the request ({doing}): {said}")
