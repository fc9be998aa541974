"""Security advisories: the composer conflict constraints of drupal-security-advisories, per feed."""

import json

import polars as pl
import psycopg

from sql.frames import FrameQuery
from sql.query import Statement

SCHEMA = {"feed_api": pl.String, "package": pl.String, "project": pl.String, "constraint_text": pl.String}

REPLACE = Statement.of(__file__, "replace")
CURRENT = FrameQuery.of(__file__, "current", schema=SCHEMA)


def replace(conn, *, feed_api: str, source: str, conflict: dict[str, str]):
    """Replace every advisory of `feed_api` with the `conflict` map of a metapackage read from `source`."""
    return REPLACE(conn, feed_api=feed_api, source=source, conflict=json.dumps(conflict))


def current(conn: psycopg.Connection) -> pl.DataFrame:
    """Every loaded advisory (SCHEMA)."""
    return CURRENT.frame(conn)
