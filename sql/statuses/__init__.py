"""Update statuses, one per site and project: the inputs of a status computation, read as frames with
COPY, and writing back the statuses that changed.

What is stored of each project on a site comes with the inputs (`stored`): the
digest of its status (`status_digest`, written with it; set to 0 by a trigger
when anything else changes the row) and when it was checked, so the pipeline
decides which rows changed by comparing one number per project, and only
those are written.
"""

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import NamedTuple

import polars as pl
import psycopg

from sql.connection import beside, spread
from sql.frames import COPY_BATCH_ROWS, FrameQuery, copy_frame, copy_spread
from sql.query import Maintenance, Query, Script, Statement


class Clock(NamedTuple):
    now: datetime


class SiteProject(NamedTuple):
    site_id: int
    project: str


class Command(NamedTuple):
    command: str


SITE_MODULES_SCHEMA = {"site_module_id": pl.Int64, "site_id": pl.Int64, "module_id": pl.Int64,
                       "project": pl.String, "current_version_id": pl.Int64, "datestamp": pl.Int64,
                       "module_type": pl.String, "removed_at": pl.Datetime("us", "UTC")}
MODULE_NAMES_SCHEMA = {"module_id": pl.Int64, "machine_name": pl.String}
STORED_SCHEMA = {"site_id": pl.Int64, "project": pl.String, "stored_digest": pl.Int64,
                 "stored_checked_at": pl.Datetime("us", "UTC")}
SITES_SCHEMA = {"site_id": pl.Int64, "feed_api": pl.String}
VERSIONS_SCHEMA = {"version_id": pl.Int64, "version": pl.String, "major": pl.Int64, "minor": pl.Int64,
                   "extra": pl.String, "is_dev": pl.Boolean, "sort_key": pl.Int64}
PROJECTS_SCHEMA = {"project": pl.String, "feed_api": pl.String, "fetch_state": pl.String,
                   "project_status": pl.String, "supported_branches": pl.String,
                   "supported_majors": pl.String, "recommended_major": pl.Int64, "default_major": pl.Int64}
RELEASES_SCHEMA = {"project": pl.String, "feed_api": pl.String, "version": pl.String, "status": pl.String,
                   "date": pl.Datetime("us", "UTC"), "is_security_update": pl.Boolean,
                   "is_insecure": pl.Boolean, "is_unsupported": pl.Boolean, "major": pl.Int64,
                   "minor": pl.Int64, "extra": pl.String, "is_dev": pl.Boolean, "sort_key": pl.Int64}

CLOCK = Query.of(__file__, "clock", row=Clock)
INSTALLED = FrameQuery.of(__file__, "installed", schema=SITE_MODULES_SCHEMA)
MODULE_NAMES = FrameQuery.of(__file__, "module_names", schema=MODULE_NAMES_SCHEMA)
STORED = FrameQuery.of(__file__, "stored", schema=STORED_SCHEMA)
SITES = FrameQuery.of(__file__, "sites", schema=SITES_SCHEMA)
VERSIONS = FrameQuery.of(__file__, "versions", schema=VERSIONS_SCHEMA)
PROJECTS = FrameQuery.of(__file__, "projects", schema=PROJECTS_SCHEMA)
RELEASES = FrameQuery.of(__file__, "releases", schema=RELEASES_SCHEMA)
# The columns of site_projects a status write sets (stage.sql's), in its order.
TABLE_COLUMNS = ("site_id", "project", "version", "datestamp", "modules", "removed_at", "status", "status_reason",
                 "latest_version", "recommended_version", "also_available", "security_updates",
                 "update_available", "security_update_available", "known_vulnerable", "advisories",
                 "security_coverage", "status_checked_at", "status_digest")
STAGE = Script.of(__file__, "stage")
LATEST_VERSIONS = Statement.of(__file__, "latest_versions")
APPLY = Statement.of(__file__, "apply")
# A rebuild, in the order it runs (the store's test runs the scripts in this order too).
REBUILD_PREPARE = Script.of(__file__, "rebuild_prepare")
REBUILD_TABLE = Script.of(__file__, "rebuild_table")
REBUILD_SETTLE = Maintenance.of(__file__, "rebuild_settle")
REBUILD_INDEXES = Query.of(__file__, "rebuild_indexes", row=Command)
REBUILD = Script.of(__file__, "rebuild")
SWAP_PREPARE = Script.of(__file__, "swap_prepare")
SWAP_NEWER = Query.of(__file__, "swap_newer", row=SiteProject)
SWAP = Script.of(__file__, "swap")
DROP_REPLACED = Script.of(__file__, "drop_replaced")
# What a rebuild that failed before its swap leaves.
REBUILD_DROP = Script.of(__file__, "rebuild_drop")
# Connections a rebuild fills and indexes its table on: measured with 2.2M rows on 2 cores, two store them in
# 3.4 s where one takes 5.5 s, and build the seven indexes in 4.3 s where one takes 5.8 s.
REBUILD_CONNECTIONS = 2


def installed(conn: psycopg.Connection, *, site_ids: list[int] | None,
              projects: list[str] | None = None, beside: bool = False) -> pl.DataFrame:
    """The site modules of these sites and projects (every one's when None), removed ones included
    (SITE_MODULES_SCHEMA, with `named_after_project`: whether the module's machine name is its project's),
    and `checked_at`: the database's clock just before they were read, the moment every status computed
    from them is of. `beside`: read on a connection of its own (`FrameQuery.frame_beside`: millions of rows
    without a Python call each; committed rows only)."""
    checked_at = CLOCK.one(conn).now
    site_modules = _read(conn, INSTALLED, beside, site_ids=site_ids, projects=projects)
    # Names after the site modules: every module they name exists by then.
    names = _read(conn, MODULE_NAMES, beside, site_ids=site_ids)
    return site_modules.join(names, on="module_id", how="left", maintain_order="left").select(
        *SITE_MODULES_SCHEMA, named_after_project=(pl.col("machine_name") == pl.col("project")).fill_null(False),
        checked_at=pl.lit(checked_at, pl.Datetime("us", "UTC")))


def stored(conn: psycopg.Connection, *, site_ids: list[int] | None,
           projects: list[str] | None = None, beside: bool = False) -> pl.DataFrame:
    """The digest of the stored status of these sites' projects and when each was checked (STORED_SCHEMA).
    `beside` as `installed` has it."""
    return _read(conn, STORED, beside, site_ids=site_ids, projects=projects)


def _read(conn: psycopg.Connection, query: FrameQuery, beside: bool, **params) -> pl.DataFrame:
    return query.frame_beside(conn, **params) if beside else query.frame(conn, **params)


def sites(conn: psycopg.Connection, *, site_ids: list[int] | None) -> pl.DataFrame:
    """The feed each of these sites reads (SITES_SCHEMA)."""
    return SITES.frame(conn, site_ids=site_ids)


def versions(conn: psycopg.Connection, *, site_ids: list[int] | None, beside: bool = False) -> pl.DataFrame:
    """The versions these sites' modules run (VERSIONS_SCHEMA). `beside` as `installed` has it."""
    return _read(conn, VERSIONS, beside, site_ids=site_ids)


def projects(conn: psycopg.Connection, *, projects: list[str] | None) -> pl.DataFrame:
    """The release data state of these projects' feeds (every project's when None; PROJECTS_SCHEMA)."""
    return PROJECTS.frame(conn, projects=projects)


def releases(conn: psycopg.Connection, *, projects: list[str] | None) -> pl.DataFrame:
    """These projects' releases (every project's when None; RELEASES_SCHEMA): a release from a feed with its
    stored parsed fields, a version marked as a security release by hand with its order key only."""
    return RELEASES.frame(conn, projects=projects)


def write(conn: psycopg.Connection, changed: pl.DataFrame) -> int:
    """Write back the changed statuses `changed` (rows of the status step, the lists as lists, the advisory
    items and core's coverage as JSON, with `status_digest` and `checked_at`, when their inputs were read),
    each row in place; answers how many site projects were written. A row another run computed from
    inputs read after `checked_at` is newer and is left as it is. Run inside the caller's transaction."""
    _latest_versions(conn, changed)
    STAGE(conn)
    copy_frame(conn, "stage_status", stored_form(changed))
    return APPLY(conn)


def rebuild(conn: psycopg.Connection, parts: Iterable[pl.DataFrame]) -> int:
    """Write a new site_projects from `parts` (every row of the status step, in frames of ranges of sites in
    increasing order, each made only when the COPY asks for it; `status_changed` tells the changed rows, an
    unchanged one is written as it was checked before) and swap it in, for when most rows change: COPYed
    into a table of its own and indexed once, far cheaper than updating each row in each index. The table
    is filled and indexed on REBUILD_CONNECTIONS connections beside `conn`, so that as many backends store
    and sort side by side; it is given its constraints and swapped in inside the caller's transaction, so
    that the swap and what the caller does with it happen together or not at all. The current table stays
    readable throughout, and writable until the swap; rows other runs wrote meanwhile from newer inputs are
    kept, sites deleted meanwhile left out. The replaced table is renamed aside: the caller drops it with
    `drop_replaced`, last in its transaction. Answers how many site projects were written. A project with
    no module left when the inputs were read is left out, as a recount of its site would."""
    swapped = []  # what the swap needs of each part, kept as the part goes by

    def slices() -> Iterator[pl.DataFrame]:
        for rows in parts:
            swapped.append(rows.select("site_id", "project", "latest_version", "status_changed", "checked_at"))
            yield from _stored_slices(rows)

    REBUILD_PREPARE(conn)
    with beside(conn, REBUILD_CONNECTIONS) as others:
        REBUILD_TABLE(others[0])
        try:
            copy_spread(others, "site_projects_next", list(TABLE_COLUMNS), slices())
            REBUILD_SETTLE(others[0])
            spread(others, [index.command for index in REBUILD_INDEXES.all(others[0])])
        except BaseException:
            # Not left filled until the next rebuild drops it.
            REBUILD_DROP(others[0])
            raise
    REBUILD(conn)
    return _swap_in(conn, pl.concat(swapped))


def drop_replaced(conn: psycopg.Connection) -> None:
    """Drop the table a rebuild replaced, if one did: last in the transaction that swapped it, since it
    locks the sites against every reader until the commit (drop_replaced.sql)."""
    DROP_REPLACED(conn)


def _swap_in(conn: psycopg.Connection, rows: pl.DataFrame) -> int:
    changed = rows.filter("status_changed")
    _latest_versions(conn, changed)
    SWAP_PREPARE(conn)
    newer = pl.DataFrame(SWAP_NEWER.all(conn, checked_at=rows["checked_at"].min()),
                         schema={"site_id": pl.Int64, "project": pl.String}, orient="row")
    SWAP(conn)
    existing = pl.col("site_id").is_in(sites(conn, site_ids=None)["site_id"].implode())
    return changed.filter(existing).join(newer, on=["site_id", "project"], how="anti").height


def _latest_versions(conn: psycopg.Connection, changed: pl.DataFrame) -> None:
    latest = changed.select("project", "latest_version").drop_nulls().unique()
    LATEST_VERSIONS(conn, projects=latest["project"].to_list(), versions=latest["latest_version"].to_list())


def stored_form(rows: pl.DataFrame) -> pl.DataFrame:
    """Statuses as site_projects stores them (TABLE_COLUMNS), with when a status was checked: when the inputs
    of a changed one were read, the stored time of an unchanged one. Sorted by the table's key, so that the
    upsert walks the primary key and the heap in order."""
    return _table_columns(rows).sort("site_id", "project")


def _stored_slices(rows: pl.DataFrame) -> Iterator[pl.DataFrame]:
    """`stored_form` of `rows`, slice by slice in the key's order, each made only when the COPY wants it: the
    rebuilt table is filled site by site, as reads of one site want it, and the rows are put in order while
    the slices before are being stored."""
    order = rows.select(pl.arg_sort_by("site_id", "project")).to_series()
    for start in range(0, rows.height, COPY_BATCH_ROWS):
        yield _table_columns(rows[order.slice(start, COPY_BATCH_ROWS)])


def _table_columns(rows: pl.DataFrame) -> pl.DataFrame:
    checked_at = pl.when("status_changed").then("checked_at").otherwise("stored_checked_at")
    return rows.select(
        checked_at.alias(name) if name == "status_checked_at" else pl.col(name) for name in TABLE_COLUMNS)
