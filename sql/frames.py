"""Move frames between PostgreSQL and Polars with COPY, never row by row.

`FrameQuery` is the store's third kind of statement (beside `sql.query`'s):
a `.sql` SELECT whose rows come out as a Polars frame of the declared schema.
"""

import io
import itertools
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field

import adbc_driver_postgresql.dbapi as adbc
import polars as pl
import psycopg
import pyarrow as pa
from pgpq import ArrowToPostgresBinaryEncoder, encoders
from pgpq.schema import Jsonb
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter
from psycopg.rows import tuple_row

from sql.connection import beside_conninfo
from sql.query import Statement

# Rows per batch of a COPY in: small enough that PostgreSQL has the first batch to store soon and the
# writer thread one to send while the next is encoded (measured: 20-50k rows send 2.2M status rows
# fastest), large enough that a batch costs one call.
COPY_BATCH_ROWS = 50_000


@dataclass(frozen=True)
class FrameQuery(Statement):
    """A `.sql` SELECT read as a frame with COPY; `schema` declares its columns in order."""

    schema: dict = field(default_factory=dict)

    def frame(self, conn: psycopg.Connection, /, **params) -> pl.DataFrame:
        return read_frame(conn, self.text, params or None, self.schema)

    def frame_beside(self, conn: psycopg.Connection, /, **params) -> pl.DataFrame:
        return read_frame_beside(conn, self.text, params or None, self.schema)


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


def read_frame_beside(conn: psycopg.Connection, query: str, params: dict | None = None,
                      schema: dict | None = None) -> pl.DataFrame:
    """`read_frame` on a connection of its own beside `conn`, through ADBC's PostgreSQL driver, which reads
    COPY's binary rows straight into Arrow columns: no Python call per row (psycopg's COPY makes one, about
    1 µs each, seconds for millions of rows). For large reads of what is committed: the connection sees
    nothing of `conn`'s open transaction. It runs in a transaction of its own (ADBC's default, rolled back
    on close), so a transaction-mode pooler keeps its statements on one server connection."""
    text = psycopg.ClientCursor(conn).mogrify(query, params)
    with adbc.connect(beside_conninfo(conn)) as other, other.cursor() as cursor:
        cursor.execute(text)
        frame = pl.from_arrow(cursor.fetch_arrow_table())
    return frame.select(pl.col(name).cast(dtype) for name, dtype in (schema or {}).items()) if schema else frame


def copy_frame(conn: psycopg.Connection, table: str, frame: pl.DataFrame, *, freeze: bool = False) -> None:
    """Bulk-load a frame into `table` with COPY in PostgreSQL's binary format: no value is written out as text
    and parsed back. Each column is cast to the Polars type of its table column first (`_copy_types`), so a
    frame may hold lists as lists and JSON as strings. `freeze`: the rows are written frozen (the table must
    have been created or emptied in this transaction)."""
    copy_spread([conn], table, frame.columns, frame.iter_slices(COPY_BATCH_ROWS), freeze=freeze)


def copy_spread(connections: list[psycopg.Connection], table: str, columns: list[str],
                slices: Iterable[pl.DataFrame], *, freeze: bool = False) -> None:
    """`copy_frame` of frames with these `columns`, taken from `slices` one at a time, over these connections:
    one COPY on each, the slices dealt to them in turn, so that as many backends store rows side by side.
    psycopg's writer threads send each slice while the next is made and encoded (best in slices of about
    COPY_BATCH_ROWS). With several connections, each COPY is its own statement: into a table they all see
    (committed), never frozen."""
    types = _copy_types(connections[0], table, columns)
    schema = pl.DataFrame(schema={name: dtype for name, (dtype, _) in types.items()}).to_arrow().schema
    copy = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT binary{})").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.SQL(", FREEZE" if freeze else ""),
    )
    with ExitStack() as stack:
        streams = []
        for conn in connections:
            cursor = stack.enter_context(conn.cursor())
            writer = stack.enter_context(cursor.copy(copy, writer=QueuedLibpqWriter(cursor)))
            encoder = ArrowToPostgresBinaryEncoder.new_with_encoders(schema, {
                field.name: (_json_encoder(field) if types[field.name][1]
                             else ArrowToPostgresBinaryEncoder.infer_encoder(field))
                for field in schema
            })
            writer.write(encoder.write_header())
            streams.append((writer, encoder))
        for (writer, encoder), frame in zip(itertools.cycle(streams), slices):
            rows = frame.select(_as_sent(name, dtype) for name, (dtype, _) in types.items()).to_arrow()
            for batch in rows.to_batches():
                writer.write(encoder.write_batch(batch))
        for writer, encoder in streams:
            writer.write(encoder.finish())


# PostgreSQL's types (format_type's spelling, without a length) as the Polars type a binary COPY sends them
# as. A type not here cannot be copied into: copy_frame says which.
_POLARS_TYPES = {
    "smallint": pl.Int16, "integer": pl.Int32, "bigint": pl.Int64, "boolean": pl.Boolean,
    "real": pl.Float32, "double precision": pl.Float64, "text": pl.String, "character varying": pl.String,
    "jsonb": pl.String, "json": pl.String, "date": pl.Date,
    "timestamp with time zone": pl.Datetime("us", "UTC"), "timestamp without time zone": pl.Datetime("us"),
    # a uuid's binary form is its 16 bytes
    "uuid": pl.Binary,
}


def _as_sent(name: str, dtype: pl.DataType) -> pl.Expr:
    """Column `name` as binary COPY sends it: cast to `dtype`; a uuid from its text to its 16 bytes."""
    if dtype == pl.Binary:
        return pl.col(name).cast(pl.String).str.replace_all("-", "", literal=True).str.decode("hex")
    return pl.col(name).cast(dtype)


def _copy_types(conn: psycopg.Connection, table: str, columns: list[str]) -> dict[str, tuple[pl.DataType, bool]]:
    """Each column's Polars type for a binary COPY into `table`, and whether it is jsonb (sent as JSON text)."""
    with conn.cursor(row_factory=tuple_row) as cursor:  # whatever rows the connection makes by default
        found = dict(cursor.execute(
            "SELECT a.attname, format_type(a.atttypid, NULL) FROM pg_attribute a"
            " WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped", (table,)).fetchall())
    types = {}
    for name in columns:
        pg_type = found.get(name)
        element = pg_type.removesuffix("[]") if pg_type else None
        if element not in _POLARS_TYPES:
            raise TypeError(f"copy_frame: {table}.{name} is {pg_type or 'not a column'}, which it cannot copy")
        dtype = _POLARS_TYPES[element]
        types[name] = (pl.List(dtype) if pg_type.endswith("[]") else dtype, pg_type == "jsonb")
    return types


def _json_encoder(field: pa.Field):
    """The encoder that sends a string column as jsonb (its text, behind jsonb's version byte)."""
    builder = JSON_ENCODERS[str(field.type)]
    return builder.new_with_output(field, Jsonb())


# By the Arrow type of the string column. pgpq before 0.12 (the newest with Linux arm64 wheels is 0.9) has no
# string views; Polars sends large strings anyway.
JSON_ENCODERS = {arrow_type: getattr(encoders, name) for arrow_type, name in (
    ("string", "StringEncoderBuilder"), ("large_string", "LargeStringEncoderBuilder"),
    ("string_view", "StringViewEncoderBuilder")) if hasattr(encoders, name)}
