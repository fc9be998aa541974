"""Frames in and out of PostgreSQL: the binary COPY in sends every type the store uses exactly, refuses
a column it cannot send with a clear error, and the read beside a connection answers what the caller's
own read answers, of what is committed."""

import uuid
from datetime import UTC, date, datetime

import polars as pl
import psycopg
import pytest

from sql.connection import beside
from sql.frames import copy_frame, copy_spread, read_frame, read_frame_beside

TABLE = """CREATE TEMP TABLE every_type (
    small smallint, whole integer, big bigint, flag boolean, ratio real, exact double precision,
    label text, name varchar(20), document jsonb, raw_document json, day date,
    moment timestamptz, local_moment timestamp, token uuid, words text[], numbers integer[]
)"""

FRAME = pl.DataFrame({
    "small": [1, None], "whole": [2_000_000, -1], "big": [2**40, None], "flag": [True, None],
    "ratio": [0.5, None], "exact": [1 / 3, -2.25], "label": ['quotes " and \\ and ,', None],
    "name": ["views_ui", "ünïcode"], "document": ['[{"id": "SA-1", "fixed_in": null}]', None],
    "raw_document": ['{"a": 1}', None], "day": [date(2026, 12, 6), None],
    "moment": [datetime(2026, 12, 6, 10, 30, 1, 123456, tzinfo=UTC), None],
    "local_moment": [datetime(2026, 1, 2, 3, 4, 5), None],
    "token": [str(uuid.UUID(int=7)), None], "words": [["8.x-1.0", 'with "quote"', ""], []],
    "numbers": [[1, 2], None],
}, schema_overrides={"small": pl.Int64, "whole": pl.Int64, "ratio": pl.Float64})


def test_every_type_the_store_uses_goes_in_as_it_was(db):
    with db.transaction():
        db.execute(TABLE)
        copy_frame(db, "every_type", FRAME)
        rows = db.execute("SELECT * FROM every_type ORDER BY whole DESC").fetchall()
    assert rows[0] == {
        "small": 1, "whole": 2_000_000, "big": 2**40, "flag": True, "ratio": 0.5, "exact": 1 / 3,
        "label": 'quotes " and \\ and ,', "name": "views_ui", "document": [{"id": "SA-1", "fixed_in": None}],
        "raw_document": {"a": 1}, "day": date(2026, 12, 6),
        "moment": datetime(2026, 12, 6, 10, 30, 1, 123456, tzinfo=UTC),
        "local_moment": datetime(2026, 1, 2, 3, 4, 5), "token": uuid.UUID(int=7),
        "words": ["8.x-1.0", 'with "quote"', ""], "numbers": [1, 2],
    }
    assert rows[1] == {name: None for name in FRAME.columns} | {
        "whole": -1, "exact": -2.25, "name": "ünïcode", "words": []}


def test_a_column_copy_cannot_send_is_named(db):
    with db.transaction():
        db.execute("CREATE TEMP TABLE odd (amount numeric, label text)")
        with pytest.raises(TypeError, match=r"odd\.amount is numeric"):
            copy_frame(db, "odd", pl.DataFrame({"amount": [1.5], "label": ["x"]}))
        with pytest.raises(TypeError, match=r"odd\.missing is not a column"):
            copy_frame(db, "odd", pl.DataFrame({"missing": [1]}))


def test_an_empty_frame_copies_nothing(db):
    with db.transaction():
        db.execute(TABLE)
        copy_frame(db, "every_type", FRAME.head(0))
        assert db.execute("SELECT count(*) AS n FROM every_type").fetchone()["n"] == 0


def test_the_read_beside_answers_the_committed_rows_the_callers_read_answers(database_url):
    query = ("SELECT id AS site_id, name, created_at FROM sites "
             "WHERE %(wanted)s::bigint[] IS NULL OR id = ANY(%(wanted)s::bigint[]) ORDER BY id")
    schema = {"site_id": pl.Int64, "name": pl.String, "created_at": pl.Datetime("us", "UTC")}
    with psycopg.connect(database_url, autocommit=True) as conn:
        for name in ("alpha", "o'brien; DROP TABLE sites"):
            conn.execute("INSERT INTO sites (name, url, token_hash) VALUES (%s, %s, %s)",
                         (name, f"https://{uuid.uuid4().hex}.example", uuid.uuid4().bytes))
        for params in ({"wanted": None}, {"wanted": [1, 2]}):
            assert read_frame_beside(conn, query, params, schema).equals(read_frame(conn, query, params, schema))
        with conn.transaction():
            conn.execute("DELETE FROM sites")
            # Not committed: the caller's read sees it, the read beside does not.
            assert read_frame(conn, query, {"wanted": None}, schema).is_empty()
            assert read_frame_beside(conn, query, {"wanted": None}, schema).height >= 2
            raise psycopg.Rollback


def test_a_copy_spread_over_connections_stores_every_slice_once_on_each_in_turn(db):
    db.execute("CREATE TABLE spread_rows (n bigint, label text, backend integer DEFAULT pg_backend_pid())")
    try:
        frame = pl.DataFrame({"n": range(1000), "label": [f"row {n}" for n in range(1000)]})
        with beside(db, 2) as others:
            pids = [conn.info.backend_pid for conn in others]
            copy_spread(others, "spread_rows", ["n", "label"], frame.iter_slices(100))
        rows = db.execute("SELECT n, label, backend FROM spread_rows ORDER BY n").fetchall()
    finally:
        db.execute("DROP TABLE spread_rows")
    assert [(row["n"], row["label"]) for row in rows] == list(zip(range(1000), frame["label"], strict=True))
    # Slices of 100 rows dealt in turn: the even ones to the first connection, the odd ones to the second.
    assert [row["backend"] for row in rows] == [pids[n // 100 % 2] for n in range(1000)]
