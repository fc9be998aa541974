"""Recompute update status and advisories for site modules, set-based.

Read the installed rows, release data and advisories out of PostgreSQL with
COPY, compute every status in one Polars plan (`transforms.update_status`),
and write back only the rows whose status changed: the stored status is read
with the inputs and compared in Polars, so a recomputation that changes
nothing stages and updates nothing. In the same transaction, the security
summaries the security report reads (`site_security_summary`,
`module_security_summary`) are recomputed for the sites refreshed and every
module they have.
"""

import polars as pl
import psycopg

from orchestration.frames import copy_frame, pg_text_array, read_frame
from sql import statement
from transforms.advisories import known_vulnerabilities
from transforms.update_status import compute_update_status
from transforms.versions import version_struct

# What is stored per site module, as written back; list columns travel joined by STORED_LIST_SEPARATOR.
STORED_SCHEMA = {"status": pl.String, "status_reason": pl.String, "latest_version": pl.String,
                 "recommended_version": pl.String, "also_available": pl.String, "security_updates": pl.String,
                 "update_available": pl.Boolean, "security_update_available": pl.Boolean,
                 "known_vulnerable": pl.Boolean, "advisories": pl.String}
STORED_LIST_COLUMNS = ("also_available", "security_updates", "advisories")
STORED_LIST_SEPARATOR = "\x1f"
INSTALLED_SCHEMA = {"site_module_id": pl.Int64, "site_id": pl.Int64, "module_id": pl.Int64, "project": pl.String,
                    "current_version_id": pl.Int64, "datestamp": pl.Int64, "module_type": pl.String,
                    "stored_latest_version_id": pl.Int64,
                    **{f"stored_{name}": dtype for name, dtype in STORED_SCHEMA.items() if name != "latest_version"}}
SITES_SCHEMA = {"site_id": pl.Int64, "feed_api": pl.String}
VERSIONS_SCHEMA = {"version_id": pl.Int64, "version": pl.String}
PROJECTS_SCHEMA = {"project": pl.String, "feed_api": pl.String, "fetch_state": pl.String,
                   "project_status": pl.String, "supported_branches": pl.String,
                   "supported_majors": pl.String}
RELEASES_SCHEMA = {"project": pl.String, "feed_api": pl.String, "version": pl.String, "status": pl.String,
                   "date": pl.Datetime("us", "UTC"), "is_security_update": pl.Boolean,
                   "is_insecure": pl.Boolean, "is_unsupported": pl.Boolean}
ADVISORIES_SCHEMA = {"feed_api": pl.String, "package": pl.String, "project": pl.String,
                     "constraint_text": pl.String}


def with_parsed_version(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(version_struct(pl.col("version")).alias("parsed")).unnest("parsed")


def load_inputs(conn: psycopg.Connection, site_ids: list[int] | None):
    chosen = {"site_ids": site_ids}
    # Site modules first: the sites and versions they name exist when those are read after them.
    site_modules = read_frame(conn, statement("status_installed"), chosen, INSTALLED_SCHEMA)
    sites = read_frame(conn, statement("status_sites"), chosen, SITES_SCHEMA)
    versions = read_frame(conn, statement("status_versions"), chosen, VERSIONS_SCHEMA)
    installed = (
        site_modules.join(sites, on="site_id")
        .join(with_parsed_version(versions).rename({"version_id": "current_version_id"}), on="current_version_id")
        .join(versions.rename({"version_id": "stored_latest_version_id", "version": "stored_latest_version"}),
              on="stored_latest_version_id", how="left")
    )
    # A refresh of some sites needs the release data of their projects only.
    used = {"projects": None if site_ids is None else site_modules["project"].unique().to_list()}
    projects = read_frame(conn, statement("status_projects"), used, PROJECTS_SCHEMA).with_columns(
        pl.col("supported_branches").fill_null("").str.split(",").list.eval(
            pl.element().filter(pl.element() != "")),
        pl.col("supported_majors").fill_null("").str.split(",").list.eval(
            pl.element().filter(pl.element() != "").cast(pl.Int64)),
    )
    releases = with_parsed_version(read_frame(conn, statement("status_releases"), used, RELEASES_SCHEMA))
    advisories = read_frame(conn, "SELECT feed_api, package, project, constraint_text FROM advisories",
                            schema=ADVISORIES_SCHEMA)
    return installed, projects, releases, advisories


def compute_statuses(installed, projects, releases, advisories) -> pl.DataFrame:
    statuses = compute_update_status(installed, projects, releases)
    vulnerable = known_vulnerabilities(installed, advisories)
    return (
        installed.select("site_module_id", "module_id", *(f"stored_{name}" for name in STORED_SCHEMA))
        .join(statuses, on="site_module_id", how="left")
        .join(vulnerable, on="site_module_id", how="left")
        .with_columns(
            pl.col("advisories").fill_null(pl.lit([], dtype=pl.List(pl.String))),
            pl.col("known_vulnerable").fill_null(False),
        )
    )


def refresh_status(conn: psycopg.Connection, site_ids: list[int] | None = None) -> dict[str, int]:
    """Recompute statuses for the given sites' modules (every site when None), and their security summaries."""
    statuses = compute_statuses(*load_inputs(conn, site_ids))
    return write_statuses(conn, statuses, site_ids=site_ids)


def changed_statuses(statuses: pl.DataFrame) -> pl.DataFrame:
    """The rows whose computed status differs from the stored one (`stored_*`, read with the inputs)."""
    def as_stored(name: str) -> pl.Expr:
        if name in STORED_LIST_COLUMNS:
            return pl.col(name).list.join(STORED_LIST_SEPARATOR).fill_null("")
        return pl.col(name)

    def stored(name: str) -> pl.Expr:
        column = pl.col(f"stored_{name}")
        return column.fill_null("") if name in STORED_LIST_COLUMNS else column

    return statuses.filter(pl.any_horizontal(as_stored(name).ne_missing(stored(name)) for name in STORED_SCHEMA))


def write_statuses(conn: psycopg.Connection, statuses: pl.DataFrame, *,
                   site_ids: list[int] | None = None) -> dict[str, int]:
    """Write back the statuses that changed; see `write_changed`."""
    return write_changed(conn, changed_statuses(statuses), checked=statuses.height, site_ids=site_ids)


def write_changed(conn: psycopg.Connection, changed: pl.DataFrame, *, checked: int,
                  site_ids: list[int] | None = None) -> dict[str, int]:
    """Write back `changed` (rows of `changed_statuses`), then refresh the security summaries of
    `site_ids` (all when None) in the same transaction: the report never sees statuses and summaries
    that disagree."""
    updated = 0
    with conn.transaction():
        if not changed.is_empty():
            stage = changed.select(
                "site_module_id", "module_id", "status", "status_reason", "latest_version",
                "recommended_version", pg_text_array("also_available"), pg_text_array("security_updates"),
                "update_available", "security_update_available", "known_vulnerable", pg_text_array("advisories"),
            )
            conn.execute(statement("status_stage_create"))
            copy_frame(conn, "stage_status", stage)
            conn.execute(statement("status_latest_versions"))
            updated = conn.execute(statement("status_apply")).rowcount
        # Even when no status changed: the merge before may have removed modules in trouble.
        summaries = refresh_security_summaries(conn, site_ids)
    return {"site_modules_checked": checked, "site_modules_changed": updated, **summaries}


def refresh_security_summaries(conn: psycopg.Connection, site_ids: list[int] | None) -> dict[str, int]:
    """Recompute the security summaries of the given sites and of every module they have, present or
    removed (both tables entirely when None), from the site modules in trouble. Run inside the
    transaction that wrote the statuses."""
    conn.execute(statement("summary_lock"))
    if site_ids is None:
        with conn.cursor() as cursor:
            # Each file is a DELETE and an INSERT; the INSERT's count is the last result's.
            cursor.execute(statement("summary_sites_rebuild"))
            sites = last_rowcount(cursor)
            cursor.execute(statement("summary_modules_rebuild"))
            modules = last_rowcount(cursor)
    else:
        chosen = {"site_ids": site_ids, "module_ids": []}
        sites = conn.execute(statement("summary_sites_refresh"), chosen).rowcount
        modules = conn.execute(statement("summary_modules_refresh"), chosen).rowcount
    return {"site_summaries_written": sites, "module_summaries_written": modules}


def last_rowcount(cursor: psycopg.Cursor) -> int:
    while cursor.nextset():
        pass
    return cursor.rowcount
