"""Security advisories: the Drupal Security Team's OSV database, and the composer metapackage's constraints.

An OSV load stages the whole database, compares it with what is stored, and
writes only the advisories that are new, changed or gone; the projects they
name are queued (`advisory_recompute`) until their site modules' statuses are
recomputed, so a load that dies half-way still gets its statuses on the next
run. The metapackage's `conflict` map replaces what its feed had.
"""

import json
from datetime import datetime
from typing import NamedTuple

import polars as pl
import psycopg

from sql.frames import FrameQuery, copy_frame
from sql.query import Query, Script, Statement, operation

LIST_SEPARATOR = "\x1f"
SCHEMA = {"feed_api": pl.String, "package": pl.String, "project": pl.String, "constraint_text": pl.String,
          "advisory_id": pl.String, "aliases": pl.String, "url": pl.String, "summary": pl.String,
          "fixed_in": pl.String, "introduced_key": pl.Int64, "fixed_key": pl.Int64, "last_affected_key": pl.Int64}
# The columns of the stages (osv_stage.sql), in their order.
STAGE_ADVISORY_COLUMNS = ["id", "aliases", "summary", "details", "url", "published", "modified", "withdrawn"]
STAGE_RANGE_COLUMNS = ["advisory_id", "range_index", "package", "project", "introduced", "fixed", "last_affected",
                       "constraint_text", "introduced_key", "fixed_key", "last_affected_key"]


class Change(NamedTuple):
    advisory_id: str
    change: str  # added, changed or removed


class SourceState(NamedTuple):
    etag: str | None
    last_modified: str | None


class Project(NamedTuple):
    project: str


class Counts(NamedTuple):
    advisories: int
    ranges: int


class AdvisoryPageRow(NamedTuple):
    """An advisory of one page with the total; a page past the end is one row of NULLs."""

    total: int
    id: str | None
    aliases: list[str] | None
    summary: str | None
    url: str | None
    published: datetime | None
    modified: datetime | None
    withdrawn: datetime | None
    projects: list[str] | None
    affected_sites: int | None
    affected_projects: int | None


class AdvisoryRow(NamedTuple):
    id: str
    aliases: list[str]
    summary: str
    details: str
    url: str | None
    published: datetime | None
    modified: datetime
    withdrawn: datetime | None
    ranges: list[dict]


class ExposureRow(NamedTuple):
    site_id: int
    site_name: str
    site_url: str
    project: str
    installed_version: str | None
    fixed_in: str | None
    constraint_text: str | None
    modules: int


REPLACE = Statement.of(__file__, "replace")
CURRENT = FrameQuery.of(__file__, "current", schema=SCHEMA)
OSV_STAGE = Script.of(__file__, "osv_stage")
OSV_CHANGES = Query.of(__file__, "osv_changes", row=Change)
OSV_UPSERT = Statement.of(__file__, "osv_upsert")
OSV_RANGES_CLEAR = Statement.of(__file__, "osv_ranges_clear")
OSV_RANGES_INSERT = Statement.of(__file__, "osv_ranges_insert")
OSV_REMOVE = Statement.of(__file__, "osv_remove")
SOURCE_STATE = Query.of(__file__, "source_state", row=SourceState)
SOURCE_LOADED = Statement.of(__file__, "source_loaded")
RECOMPUTE_QUEUE = Query.of(__file__, "recompute_queue", row=Project)
RECOMPUTE_DONE = Statement.of(__file__, "recompute_done")
COUNTS = Query.of(__file__, "counts", row=Counts)
PAGE = Query.of(__file__, "page", row=AdvisoryPageRow)
GET = Query.of(__file__, "get", row=AdvisoryRow)
EXPOSURES = Query.of(__file__, "exposures", row=ExposureRow)


def replace(conn, *, feed_api: str, source: str, conflict: dict[str, str]):
    """Replace every advisory of `feed_api` with the `conflict` map of a metapackage read from `source`."""
    return REPLACE(conn, feed_api=feed_api, source=source, conflict=json.dumps(conflict))


def current(conn: psycopg.Connection) -> pl.DataFrame:
    """Every range and constraint to match installed versions against (`transforms.advisories.ADVISORIES_SCHEMA`)."""
    return CURRENT.frame(conn).with_columns(
        pl.col("aliases").str.split(LIST_SEPARATOR).fill_null(pl.lit([], dtype=pl.List(pl.String))))


def store_osv(conn: psycopg.Connection, *, advisories: pl.DataFrame, ranges: pl.DataFrame,
              source: str) -> list[Change]:
    """Make the stored OSV database equal to `advisories` and `ranges` (the whole database, as
    `transforms.osv` reads it), writing only what changed, and queue the projects those changes name.
    Answers the changes. Run inside the caller's transaction."""
    OSV_STAGE(conn)
    copy_frame(conn, "stage_osv_advisories", advisories.rename({"advisory_id": "id"})
               .select(STAGE_ADVISORY_COLUMNS))
    copy_frame(conn, "stage_osv_ranges", ranges.select(STAGE_RANGE_COLUMNS))
    changes = OSV_CHANGES.all(conn)
    written = [change.advisory_id for change in changes if change.change != "removed"]
    OSV_UPSERT(conn, advisory_ids=written, source=source)
    OSV_RANGES_CLEAR(conn, advisory_ids=written)
    OSV_RANGES_INSERT(conn, advisory_ids=written)
    OSV_REMOVE(conn, advisory_ids=[change.advisory_id for change in changes if change.change == "removed"])
    return changes


def source_state(conn, *, source: str):
    """The validators (ETag, Last-Modified) the last load of `source` answered with, or None."""
    return SOURCE_STATE.one(conn, source=source)


def source_loaded(conn, *, source: str, etag: str | None, last_modified: str | None, advisories: int):
    return SOURCE_LOADED(conn, source=source, etag=etag, last_modified=last_modified, advisories=advisories)


def recompute_queue(conn) -> list[str]:
    """Projects whose advisories changed since their statuses were last recomputed."""
    return [row.project for row in RECOMPUTE_QUEUE.all(conn)]


def recompute_done(conn, *, projects: list[str]):
    return RECOMPUTE_DONE(conn, projects=projects)


def counts(conn):
    """How many OSV advisories and ranges are stored (`Counts`)."""
    return COUNTS.one(conn)


def page(conn, *, project: str | None, since: datetime | None, affecting: bool, limit: int, offset: int):
    """`AdvisoryPageRow`s, newest first; a None filter means no filter."""
    return PAGE.all(conn, project=project, since=since, affecting=affecting, limit=limit, offset=offset)


@operation
def detail(*, advisory_id: str):
    """One advisory and every site and project it affects: (`AdvisoryRow` or None, [`ExposureRow`])."""
    advisory = yield GET.step(advisory_id=advisory_id)
    if not advisory:
        return None, []
    exposures = yield EXPOSURES.step(advisory_id=advisory_id)
    return advisory[0], exposures
