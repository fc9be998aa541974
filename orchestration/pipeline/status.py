"""Recompute update status and advisories for site modules, set-based.

Read the installed rows, release data and advisories out of PostgreSQL with
COPY (`sql/statuses/`), compute every status in one Polars plan
(`transforms.update_status`), and write back only the rows whose status
changed: the stored status is read with the inputs and compared here, once,
so a recomputation that changes nothing stages and updates nothing. In the
same transaction, the security summaries the security report reads are
recounted (`sql/summaries/`, the same operation the API uses).

Version strings are never parsed here: releases and module_versions store
their parsed fields when they are written, and the inputs read them.
"""

import polars as pl
import psycopg

from sql import advisories, statuses, summaries
from sql.statuses import STORED_LIST_COLUMNS, STORED_LIST_SEPARATOR, STORED_SCHEMA
from transforms.advisories import known_vulnerabilities
from transforms.update_status import compute_update_status


def load_inputs(conn: psycopg.Connection, site_ids: list[int] | None):
    # Site modules first: the sites and versions they name exist when those are read after them.
    site_modules = statuses.installed(conn, site_ids=site_ids)
    sites = statuses.sites(conn, site_ids=site_ids)
    versions = statuses.versions(conn, site_ids=site_ids)
    installed = (
        site_modules.join(sites, on="site_id")
        .join(versions.rename({"version_id": "current_version_id"}), on="current_version_id")
        .join(versions.select(stored_latest_version_id="version_id", stored_latest_version="version"),
              on="stored_latest_version_id", how="left")
    )
    # A refresh of some sites needs the release data of their projects only.
    used = None if site_ids is None else site_modules["project"].unique().to_list()
    projects = statuses.projects(conn, projects=used).with_columns(
        pl.col("supported_branches").fill_null("").str.split(",").list.eval(
            pl.element().filter(pl.element() != "")),
        pl.col("supported_majors").fill_null("").str.split(",").list.eval(
            pl.element().filter(pl.element() != "").cast(pl.Int64)),
    )
    releases = statuses.releases(conn, projects=used)
    return installed, projects, releases, advisories.current(conn)


def compute_statuses(installed, projects, releases, advisories_frame) -> pl.DataFrame:
    computed = compute_update_status(installed, projects, releases)
    vulnerable = known_vulnerabilities(installed, advisories_frame)
    return (
        installed.select("site_module_id", "module_id", *(f"stored_{name}" for name in STORED_SCHEMA))
        .join(computed, on="site_module_id", how="left")
        .join(vulnerable, on="site_module_id", how="left")
        .with_columns(
            pl.col("advisories").fill_null(pl.lit([], dtype=pl.List(pl.String))),
            pl.col("known_vulnerable").fill_null(False),
        )
    )


def refresh_status(conn: psycopg.Connection, site_ids: list[int] | None = None) -> dict[str, int]:
    """Recompute statuses for the given sites' modules (every site when None), and their security summaries."""
    computed = compute_statuses(*load_inputs(conn, site_ids))
    return write_changed(conn, changed_statuses(computed), checked=computed.height, site_ids=site_ids)


def changed_statuses(computed: pl.DataFrame) -> pl.DataFrame:
    """The rows whose computed status differs from the stored one (`stored_*`, read with the inputs):
    the only rows written back."""
    def as_stored(name: str) -> pl.Expr:
        if name in STORED_LIST_COLUMNS:
            return pl.col(name).list.join(STORED_LIST_SEPARATOR).fill_null("")
        return pl.col(name)

    def stored(name: str) -> pl.Expr:
        column = pl.col(f"stored_{name}")
        return column.fill_null("") if name in STORED_LIST_COLUMNS else column

    return computed.filter(pl.any_horizontal(as_stored(name).ne_missing(stored(name)) for name in STORED_SCHEMA))


def write_changed(conn: psycopg.Connection, changed: pl.DataFrame, *, checked: int,
                  site_ids: list[int] | None = None) -> dict[str, int]:
    """Write back `changed` (rows of `changed_statuses`), then recount the security summaries of
    `site_ids` (rebuild them all when None) in the same transaction: the report never sees statuses
    and summaries that disagree."""
    with conn.transaction():
        updated = 0 if changed.is_empty() else statuses.write(conn, changed)
        # Even when no status changed: the merge before may have removed modules in trouble.
        written = summaries.rebuild(conn) if site_ids is None else summaries.recount(conn, site_ids=site_ids)
    return {"site_modules_checked": checked, "site_modules_changed": updated, **written._asdict()}
