"""A synchronous connection to the platform database, for the pipeline and the command line, and connections
beside it for work the server can do on several backends at once."""

import queue
import threading
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager

import psycopg
from psycopg.conninfo import make_conninfo

from foundation.database import libpq_url


def connect(database_url: str, *, autocommit: bool = False) -> psycopg.Connection:
    """A psycopg connection; the store's statements read rows as their declared types whatever its row factory."""
    return psycopg.connect(libpq_url(database_url), autocommit=autocommit)


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
