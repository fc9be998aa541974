"""How the store runs a `.sql` file: one object per file, the same for the async API and the sync pipeline.

Each domain of the store (`sql/sites/`, `sql/landing/`, ...) declares its
statements as objects of the kinds below, next to the `.sql` files they
read, and exposes typed functions built on them. A statement is run with
either kind of connection:

- a psycopg `Connection` (the pipeline, the CLI): the call returns the result;
- a SQLAlchemy `AsyncConnection` (the API): the call returns an awaitable.

So one store function serves both: `sites.create(conn, ...)` in the CLI, and
`await sites.create(conn, ...)` in a route. Rows come back as the declared
NamedTuple; a query whose columns differ from its row type fails loudly
rather than filling the wrong fields (and `tests/sql/test_store.py` checks
every query against the migrated schema before anything runs).

Operations of several dependent statements are written once as a generator
of `Step`s (`yield step` gives back that step's result) and run by `run`,
which drives it with either kind of connection.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Generic, TypeVar

import psycopg
from psycopg.rows import tuple_row
from sqlalchemy.ext.asyncio import AsyncConnection

ROOT = Path(__file__).resolve().parent
RowT = TypeVar("RowT", bound=tuple)
ResultT = TypeVar("ResultT")
Connection = psycopg.Connection | AsyncConnection
# What a store function answers: the value on a psycopg connection, an awaitable of it on an async one.
Maybe = Any


class StoreError(RuntimeError):
    """A statement answered columns other than its declared row type."""


def _sql_file(domain_file: str, name: str) -> Path:
    return Path(domain_file).resolve().parent / f"{name}.sql"


@dataclass(frozen=True)
class Statement:
    """One `.sql` file that changes rows; running it answers the row count."""

    path: Path

    @classmethod
    def of(cls, domain_file: str, name: str, *args, **kwargs):
        """The statement in `<name>.sql` beside `domain_file` (a domain module's `__file__`)."""
        return cls(_sql_file(domain_file, name), *args, **kwargs)

    @cached_property
    def text(self) -> str:
        return self.path.read_text()

    @property
    def name(self) -> str:
        return str(self.path.relative_to(ROOT).with_suffix(""))

    def step(self, **params: Any) -> Step:
        return Step(self, params)

    def __call__(self, conn: Connection, /, **params: Any) -> Maybe:
        return execute(conn, self.step(**params))

    def result(self, rows: list[tuple] | None, rowcount: int, columns: list[str] | None) -> Any:
        return rowcount


@dataclass(frozen=True)
class Script(Statement):
    """A `.sql` file of several statements and no parameters (temporary stages, rebuilds).

    Sent as one simple-protocol message; answers the row count of its last statement.
    """


@dataclass(frozen=True)
class Maintenance(Statement):
    """A `.sql` file of one command that cannot run inside a transaction (VACUUM): run it on an autocommit
    connection."""


@dataclass(frozen=True)
class Query(Statement, Generic[RowT]):
    """One `.sql` file that answers rows of the declared `row` type (a NamedTuple)."""

    row: type = field(default=tuple)

    def all(self, conn: Connection, /, **params: Any) -> Maybe:
        """Every row (list of `row`)."""
        return execute(conn, self.step(**params))

    def one(self, conn: Connection, /, **params: Any) -> Maybe:
        """The first row, or None."""
        return execute(conn, Step(self, params, first=True))

    __call__ = all

    def result(self, rows, rowcount, columns):
        expected = list(self.row._fields)
        if columns != expected:
            raise StoreError(f"{self.name} answers columns {columns}, its row type {self.row.__name__} "
                             f"declares {expected}")
        return [self.row._make(row) for row in rows]


@dataclass(frozen=True)
class Step:
    """A statement with its parameters, ready to run on either kind of connection."""

    statement: Statement
    params: Mapping[str, Any]
    first: bool = False

    def finish(self, rows: list[tuple] | None, rowcount: int, columns: list[str] | None) -> Any:
        result = self.statement.result(rows, rowcount, columns)
        if self.first:
            return result[0] if result else None
        return result


def _run_sync(conn: psycopg.Connection, step: Step) -> Any:
    statement = step.statement
    # Without parameters psycopg sends the text as is (a Script may hold several statements).
    params = dict(step.params) if step.params else None
    with conn.cursor(row_factory=tuple_row) as cursor:
        cursor.execute(statement.text, params)
        if isinstance(statement, Script):
            while cursor.nextset():
                pass
        if isinstance(statement, Query):
            columns = [column.name for column in cursor.description or ()]
            return step.finish(cursor.fetchall(), cursor.rowcount, columns)
        return step.finish(None, cursor.rowcount, None)


async def _run_async(conn: AsyncConnection, step: Step) -> Any:
    statement = step.statement
    result = await conn.exec_driver_sql(statement.text, dict(step.params))
    if isinstance(statement, Query):
        return step.finish(result.all(), result.rowcount, list(result.keys()))
    return step.finish(None, result.rowcount, None)


def execute(conn: Connection, step: Step) -> Maybe:
    """Run one step: its result now (psycopg), or an awaitable of it (async SQLAlchemy)."""
    if isinstance(conn, AsyncConnection):
        return _run_async(conn, step)
    return _run_sync(conn, step)


Operation = Generator[Step, Any, ResultT]


def run(conn: Connection, operation: Operation[ResultT]) -> Maybe:
    """Drive an operation (a generator yielding `Step`s) to its return value on either kind of connection."""
    if isinstance(conn, AsyncConnection):
        return _drive_async(conn, operation)
    return _drive_sync(conn, operation)


def _drive_sync(conn: psycopg.Connection, operation: Operation[ResultT]) -> ResultT:
    try:
        step = next(operation)
        while True:
            step = operation.send(_run_sync(conn, step))
    except StopIteration as done:
        return done.value


async def _drive_async(conn: AsyncConnection, operation: Operation[ResultT]) -> ResultT:
    try:
        step = next(operation)
        while True:
            step = operation.send(await _run_async(conn, step))
    except StopIteration as done:
        return done.value


def operation(function: Callable[..., Operation[ResultT]]) -> Callable[..., Maybe]:
    """Make a generator of steps a store function: `f(conn, **kwargs)` runs it on `conn`."""
    if not inspect.isgeneratorfunction(function):
        raise TypeError(f"{function.__name__} must be a generator of Steps")

    def runner(conn: Connection, /, *args: Any, **kwargs: Any) -> Maybe:
        return run(conn, function(*args, **kwargs))

    runner.__name__ = function.__name__
    runner.__qualname__ = function.__qualname__
    runner.__doc__ = function.__doc__
    runner.steps = function  # type: ignore[attr-defined]  # to compose: `yield from other.steps(...)`
    return runner


def declared_statements(module) -> list[Statement]:
    """The statements a domain module declares (its module-level Statement objects)."""
    return [value for value in vars(module).values() if isinstance(value, Statement)]
