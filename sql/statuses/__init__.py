"""Update statuses, one per site and project: the inputs of a status computation, read as frames with
COPY, and writing back the statuses that changed.

The stored status of each project on a site comes with the inputs (`stored_*`,
read by `stored`), so the pipeline decides which rows changed and only those
are staged and written. List columns are read joined by STORED_LIST_SEPARATOR
(a form Polars splits back into lists).
"""

import polars as pl
import psycopg

from sql.frames import FrameQuery, copy_frame, pg_text_array
from sql.query import Script, Statement

STORED_LIST_SEPARATOR = "\x1f"
# What is stored per site project, as written back: the project's version, datestamp and present modules as
# gathered from its modules, whether it is removed, its status and core's security coverage.
STORED_SCHEMA = {"version": pl.String, "datestamp": pl.Int64, "modules": pl.Int64,
                 "removed_at": pl.Datetime("us", "UTC"),
                 "status": pl.String, "status_reason": pl.String, "latest_version": pl.String,
                 "recommended_version": pl.String, "also_available": pl.String, "security_updates": pl.String,
                 "update_available": pl.Boolean, "security_update_available": pl.Boolean,
                 "known_vulnerable": pl.Boolean, "advisories": pl.String,
                 "coverage_until_version": pl.String, "coverage_until_date": pl.Date,
                 "coverage_additional_minors": pl.Int64, "coverage_state": pl.String}
STORED_LIST_COLUMNS = ("also_available", "security_updates", "advisories")
INSTALLED_SCHEMA = {"site_module_id": pl.Int64, "site_id": pl.Int64, "module_id": pl.Int64,
                    "machine_name": pl.String, "project": pl.String, "current_version_id": pl.Int64,
                    "datestamp": pl.Int64, "module_type": pl.String, "removed_at": pl.Datetime("us", "UTC")}
STORED_FRAME_SCHEMA = {"site_id": pl.Int64, "project": pl.String,
                       **{f"stored_{name}": dtype for name, dtype in STORED_SCHEMA.items()}}
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
# The columns of `stage_status` (stage.sql), in its order.
STAGE_COLUMNS = ["site_id", "project", *STORED_SCHEMA]

INSTALLED = FrameQuery.of(__file__, "installed", schema=INSTALLED_SCHEMA)
STORED = FrameQuery.of(__file__, "stored", schema=STORED_FRAME_SCHEMA)
SITES = FrameQuery.of(__file__, "sites", schema=SITES_SCHEMA)
VERSIONS = FrameQuery.of(__file__, "versions", schema=VERSIONS_SCHEMA)
PROJECTS = FrameQuery.of(__file__, "projects", schema=PROJECTS_SCHEMA)
RELEASES = FrameQuery.of(__file__, "releases", schema=RELEASES_SCHEMA)
STAGE = Script.of(__file__, "stage")
LATEST_VERSIONS = Statement.of(__file__, "latest_versions")
APPLY = Statement.of(__file__, "apply")
REBUILD = Script.of(__file__, "rebuild")
SWAP = Script.of(__file__, "swap")


def installed(conn: psycopg.Connection, *, site_ids: list[int] | None,
              projects: list[str] | None = None) -> pl.DataFrame:
    """The site modules of these sites and projects (every one's when None), removed ones included
    (INSTALLED_SCHEMA)."""
    return INSTALLED.frame(conn, site_ids=site_ids, projects=projects)


def stored(conn: psycopg.Connection, *, site_ids: list[int] | None,
           projects: list[str] | None = None) -> pl.DataFrame:
    """The stored status of these sites' projects (STORED_FRAME_SCHEMA; `stored_advisories` in the text
    form of `transforms.advisories`, list columns joined by STORED_LIST_SEPARATOR)."""
    return STORED.frame(conn, site_ids=site_ids, projects=projects)


def sites(conn: psycopg.Connection, *, site_ids: list[int] | None) -> pl.DataFrame:
    """The feed each of these sites reads (SITES_SCHEMA)."""
    return SITES.frame(conn, site_ids=site_ids)


def versions(conn: psycopg.Connection, *, site_ids: list[int] | None) -> pl.DataFrame:
    """The versions these sites' modules run (VERSIONS_SCHEMA)."""
    return VERSIONS.frame(conn, site_ids=site_ids)


def projects(conn: psycopg.Connection, *, projects: list[str] | None) -> pl.DataFrame:
    """The release data state of these projects' feeds (every project's when None; PROJECTS_SCHEMA)."""
    return PROJECTS.frame(conn, projects=projects)


def releases(conn: psycopg.Connection, *, projects: list[str] | None) -> pl.DataFrame:
    """These projects' releases (every project's when None; RELEASES_SCHEMA): a release from a feed with its
    stored parsed fields, a version marked as a security release by hand with its order key only."""
    return RELEASES.frame(conn, projects=projects)


def write(conn: psycopg.Connection, changed: pl.DataFrame, *, rebuild: bool = False) -> int:
    """Write the statuses of `changed` (STAGE_COLUMNS, the lists as lists), every row of which differs from
    the stored one or is new; answers how many site projects were written. Run inside the caller's
    transaction.

    `rebuild`: when most rows change, write a new table (the changed rows and every other one as stored)
    and swap it in, instead of updating each row in place; the table ends the same either way."""
    STAGE(conn)
    # In the table's key order: the upsert then walks the primary key and the heap (filled site by site)
    # in order instead of jumping across both for every row.
    copy_frame(conn, "stage_status", changed.select(STAGE_COLUMNS).sort("site_id", "project").with_columns(
        pg_text_array("also_available"), pg_text_array("security_updates"), pg_text_array("advisories")))
    LATEST_VERSIONS(conn)
    if not rebuild:
        return APPLY(conn)
    REBUILD(conn)
    SWAP(conn)
    return changed.height
