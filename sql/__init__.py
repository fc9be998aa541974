"""The schema (Alembic migrations) and the SQL statements the platform runs.

Statements live in `sql/statements/<name>.sql` and are loaded by name, so
every query can be read, reviewed and EXPLAINed as plain SQL.
"""

from functools import cache
from pathlib import Path

STATEMENTS = Path(__file__).parent / "statements"
MIGRATIONS = Path(__file__).parent / "migrations"


@cache
def statement(name: str) -> str:
    """The text of `sql/statements/<name>.sql`."""
    return (STATEMENTS / f"{name}.sql").read_text()
