"""The store's own contract: every statement fits the migrated schema, every row type fits its query,
and every `.sql` file is declared and used.

Each statement is parsed, analysed and planned by PostgreSQL (prepared and
described over the extended protocol, in one transaction rolled back at the
end), which checks every table, column, type and parameter it names without
needing sample parameter values; the described result columns are compared
with the declared NamedTuple or frame schema. Scripts (several statements, no
parameters: the temporary stages) are executed first, so that statements
reading a stage can be checked too.
"""

import importlib
import pkgutil
import re
from pathlib import Path

import psycopg
import pytest
from psycopg import pq

import sql
from sql import statuses
from sql.frames import FrameQuery
from sql.query import Maintenance, Query, Script, Statement, declared_statements

SQL_ROOT = Path(sql.__file__).resolve().parent
PRODUCTION = [Path(sql.__file__).resolve().parent.parent / name
              for name in ("foundation", "transforms", "sql", "intake", "orchestration", "modwatch")]
PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


def domain_modules():
    for info in pkgutil.iter_modules([str(SQL_ROOT)]):
        if info.ispkg and info.name != "migrations":
            yield importlib.import_module(f"sql.{info.name}")


def every_statement() -> list[Statement]:
    return [statement for module in domain_modules() for statement in declared_statements(module)]


def numbered(text: str) -> tuple[str, list[str]]:
    """`%(name)s` placeholders as `$1, $2…` (one number per name), `%%` as `%`."""
    names: list[str] = []

    def replace(match: re.Match) -> str:
        if match.group(0) == "%%":
            return "%"
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    return PLACEHOLDER.sub(replace, text), names


def describe(conn: psycopg.Connection, statement: Statement) -> list[str] | str:
    """The result columns of `statement` as PostgreSQL plans it, or the server's error."""
    text, _ = numbered(statement.text)
    pgconn = conn.pgconn
    prepared = pgconn.prepare(b"", text.encode())
    if prepared.status != pq.ExecStatus.COMMAND_OK:
        return prepared.get_error_message()
    described = pgconn.describe_prepared(b"")
    return [described.fname(i).decode() for i in range(described.nfields)]


def declared_columns(statement: Statement) -> list[str]:
    if isinstance(statement, FrameQuery):
        return list(statement.schema)
    if isinstance(statement, Query):
        return list(statement.row._fields)
    return []


@pytest.fixture
def planning_connection(migrated_database_url):
    with psycopg.connect(migrated_database_url) as conn:
        # One transaction for everything (rolled back at the end): the stages live until it ends,
        # and each script runs in a savepoint of it.
        conn.execute("SELECT 1")
        pending = [s for s in every_statement() if isinstance(s, Script)]
        # Stages may be built from other stages: run the scripts until none makes progress.
        while pending:
            failed = []
            for script in pending:
                try:
                    with conn.transaction():
                        conn.execute(script.text)
                        if script is statuses.REBUILD_TABLE:
                            # A rebuild's indexes are commands a query answers, run after its table is made.
                            for index in statuses.REBUILD_INDEXES.all(conn):
                                conn.execute(index.command)
                except psycopg.Error:
                    failed.append(script)
            if len(failed) == len(pending):
                pytest.fail(f"scripts that cannot run: {[s.name for s in failed]}")
            pending = failed
        yield conn
        conn.rollback()


def test_every_statement_plans_against_the_migrated_schema_with_its_declared_columns(planning_connection):
    problems = {}
    for statement in every_statement():
        if isinstance(statement, Script | Maintenance):
            continue
        columns = describe(planning_connection, statement)
        if isinstance(columns, str):
            problems[statement.name] = columns
        elif isinstance(statement, Query | FrameQuery) and columns != declared_columns(statement):
            problems[statement.name] = f"answers {columns}, declares {declared_columns(statement)}"
    assert not problems, problems
    assert len(every_statement()) >= 10


def test_every_maintenance_command_runs_outside_a_transaction(migrated_database_url):
    commands = [statement for statement in every_statement() if isinstance(statement, Maintenance)]
    with psycopg.connect(migrated_database_url, autocommit=True) as conn:
        statuses.REBUILD_TABLE(conn)  # the table a rebuild settles
        for command in commands:
            command(conn)
        statuses.REBUILD_DROP(conn)
    assert commands


def test_every_sql_file_is_declared_by_its_domain():
    declared = {statement.path for statement in every_statement()}
    files = {path for path in SQL_ROOT.rglob("*.sql") if "migrations" not in path.parts}
    assert not files - declared, sorted(str(p.relative_to(SQL_ROOT)) for p in files - declared)


def test_every_declared_statement_is_used():
    sources = "\n".join(path.read_text() for root in PRODUCTION for path in root.rglob("*.py"))
    unused = []
    for module in domain_modules():
        for name, value in vars(module).items():
            if not isinstance(value, Statement):
                continue
            # Used inside its domain module (a function runs it) or from outside as `domain.NAME`.
            own = Path(module.__file__).read_text()
            if own.count(name) < 2 and f"{module.__name__.rsplit('.', 1)[1]}.{name}" not in sources:
                unused.append(f"{module.__name__}.{name}")
    assert not unused, unused


def test_placeholders_are_numbered_per_name():
    text, names = numbered("SELECT %(a)s, %(b)s, %(a)s LIKE 'x%%'")
    assert text == "SELECT $1, $2, $1 LIKE 'x%'"
    assert names == ["a", "b"]


def test_the_store_names_every_domain():
    from sql import store

    assert set(store.DOMAINS) == {module.__name__.rsplit(".", 1)[1] for module in domain_modules()}
    assert store.sites.get is store.sites.get  # loaded once, then kept
