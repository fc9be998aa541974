"""A synchronous connection to the platform database, for the pipeline and the command line, and connections
beside it for work the server can do on several backends at once."""

import os
import queue
import threading
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from foundation.database import libpq_url

# No JIT on the pipeline's connections, as on the intake's: a run's statements are planned on small stages
# and estimated far above the JIT threshold (a release read costed at 780k took 300 ms to compile and
# 110 ms to run). The full recompute's reads beside inherit it with the rest of the connection string.
SESSION_OPTIONS = "-c jit=off"


def connect(database_url: str, *, autocommit: bool = False) -> psycopg.Connection:
    """A psycopg connection; the store's statements read rows as their declared types whatever its row factory."""
    return psycopg.connect(pipeline_conninfo(database_url), autocommit=autocommit)


def pipeline_conninfo(database_url: str) -> str:
    """The libpq connection string of `database_url` with SESSION_OPTIONS, then the options the URL sets (else
    PGOPTIONS, which an explicit `options` would hide), so that the user's settings win. Options set in a
    pg_service.conf entry are hidden the same way: set them in the URL or PGOPTIONS instead."""
    conninfo = libpq_url(database_url)
    given = conninfo_to_dict(conninfo).get("options") or os.environ.get("PGOPTIONS")
    return make_conninfo(conninfo, options=f"{SESSION_OPTIONS} {given}" if given else SESSION_OPTIONS)


def beside_conninfo(conn: psycopg.Connection) -> str:
    """The libpq connection string of `conn` (its password included), for a second connection beside it."""
    return make_conninfo(**conn.info.get_parameters(), password=conn.info.password)


@contextmanager
def beside(conn: psycopg.Connection, count: int) -> Iterator[list[psycopg.Connection]]:
    """`count` autocommit connections to `conn`'s database, closed at the end: each statement they run is a
    transaction of its own, committed when it ends, whatever `conn` is in the middle of."""
    with ExitStack() as stack:
        yield [stack.enter_context(psycopg.connect(beside_conninfo(conn), autocommit=True)) for _ in range(count)]


def spread(connections: list[psycopg.Connection], commands: Iterable[str]) -> None:
    """Run `commands` (SQL texts, each one transaction) over `connections` at once, each connection taking
    the next command when it is done with its last; the first error is raised once all have stopped, and no
    command starts after it."""
    pending: queue.SimpleQueue[str] = queue.SimpleQueue()
    for command in commands:
        pending.put(command)
    errors: list[BaseException] = []

    def work(conn: psycopg.Connection) -> None:
        while not errors:
            try:
                command = pending.get_nowait()
            except queue.Empty:
                return
            try:
                conn.execute(command)
            except BaseException as error:  # raised again in the caller's thread, once all have stopped
                errors.append(error)

    workers = [threading.Thread(target=work, args=(conn,), name=f"spread-{n}") for n, conn in enumerate(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise errors[0]
