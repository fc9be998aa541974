"""Move frames between PostgreSQL and Polars with COPY, never row by row.

`FrameQuery` is the store's third kind of statement (beside `sql.query`'s):
a `.sql` SELECT whose rows come out as a Polars frame of the declared schema.
"""

import io
from dataclasses import dataclass, field

import polars as pl
import psycopg
from psycopg import sql

from sql.query import Statement

# Rows per slice of a COPY in: large enough that a slice costs one round of CSV writing, small enough that
# PostgreSQL has the first slice to parse soon.
COPY_SLICE_ROWS = 100_000


@dataclass(frozen=True)
class FrameQuery(Statement):
    """A `.sql` SELECT read as a frame with COPY; `schema` declares its columns in order."""

    schema: dict = field(default_factory=dict)

    def frame(self, conn: psycopg.Connection, /, **params) -> pl.DataFrame:
        return read_frame(conn, self.text, params or None, self.schema)


def read_frame(conn: psycopg.Connection, query: str, params: dict | None = None,
               schema: dict | None = None) -> pl.DataFrame:
    """The result of `query` as a frame, streamed out with COPY ... TO STDOUT."""
    copy = sql.SQL("COPY ({}) TO STDOUT (FORMAT csv, HEADER, NULL '\\N')").format(sql.SQL(query))
    buffer = io.BytesIO()
    with conn.cursor() as cursor, cursor.copy(copy, params) as reader:
        for chunk in reader:
            buffer.write(chunk)
    buffer.seek(0)
    schema = schema or {}
    # PostgreSQL's CSV spells booleans t/f: read them as text, convert with one expression.
    booleans = [name for name, dtype in schema.items() if dtype == pl.Boolean]
    as_read = {name: (pl.String if name in booleans else dtype) for name, dtype in schema.items()}
    frame = pl.read_csv(buffer, null_values="\\N", schema_overrides=as_read, infer_schema_length=0)
    return frame.with_columns(pl.col(name) == "t" for name in booleans)


def copy_frame(conn: psycopg.Connection, table: str, frame: pl.DataFrame, *, freeze: bool = False) -> None:
    """Bulk-load a frame into `table` (a stage): Polars writes CSV, PostgreSQL reads it with COPY. In slices,
    so that PostgreSQL parses one while Polars writes the next. `freeze`: the rows are written frozen
    (the table must have been created or emptied in this transaction)."""
    copy = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv, NULL '\\N'{})").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, frame.columns)),
        sql.SQL(", FREEZE" if freeze else ""),
    )
    with conn.cursor() as cursor, cursor.copy(copy) as writer:
        for rows in frame.iter_slices(COPY_SLICE_ROWS):
            writer.write(rows.write_csv(include_header=False, null_value="\\N",
                                        datetime_format="%Y-%m-%dT%H:%M:%S%.f%z").encode())


def pg_text_array(column: str) -> pl.Expr:
    """A List[String] column as a PostgreSQL array literal, elements quoted (for `copy_frame`)."""
    quoted = pl.col(column).list.eval(
        pl.lit('"') + pl.element().str.replace_all("\\", "\\\\", literal=True)
        .str.replace_all('"', '\\"', literal=True) + pl.lit('"')
    )
    return (pl.lit("{") + quoted.list.join(",") + pl.lit("}")).fill_null("{}").alias(column)
