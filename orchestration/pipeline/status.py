"""Recompute update status and advisories per project on each site, set-based.

Drupal reports projects: the modules of one project on a site share one
version and one status. Read the site modules, release data and advisories
out of PostgreSQL with COPY (`sql/statuses/`), gather each (site, project)
from its modules (`site_projects`), compute every status once per project in
one Polars plan (`transforms.update_status`), with core's security coverage
(`transforms.security_coverage`), and write back only the projects whose
status changed: the stored status is read with the inputs and compared here,
once, so a recomputation that changes nothing stages and updates nothing. In
the same transaction, the security summaries the security report reads are
recounted (`sql/summaries/`, the same operation the API uses).

Version strings are never parsed here: releases and module_versions store
their parsed fields when they are written, and the inputs read them.
"""

import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import NamedTuple

import polars as pl
import psycopg

from sql import advisories, statuses, summaries
from transforms.advisories import advisory_items_json, known_vulnerabilities
from transforms.security_coverage import coverage_document, security_coverage
from transforms.update_status import compute_update_status

CORE_PROJECT = "drupal"
CORE_FEED = "current"
# From this share of a full recompute's projects changed on, the table is rebuilt and swapped in rather
# than updated row by row: a row updated in place costs its heap tuple and an entry in every index, a
# rebuilt one a sequential write and one sorted index build; measured, the rebuild of every row takes
# about as long as updating a fifth of them.
REBUILD_SHARE = 0.2
# Everything the status step computes for a project, as written back: the project's version, datestamp and
# present modules as gathered from its modules, whether it is removed, its status, its advisories and core's
# security coverage. Their digest is stored with them: a recompute compares digests, not the columns.
DIGESTED = ("version", "datestamp", "modules", "removed_at", "status", "status_reason", "latest_version",
            "recommended_version", "also_available", "security_updates", "update_available",
            "security_update_available", "known_vulnerable", "advisories", "coverage_until_version",
            "coverage_until_date", "coverage_additional_minors", "coverage_state")
# A fixed seed: the same status hashes to the same digest in every run. (Polars keeps a hash stable within
# one of its versions only; after an upgrade that changes it, the first recompute rewrites every row once.)
DIGEST_SEED = 0x6D6F64776174636B
# The digest: each column hashed with a seed of its own, the hashes combined. Per column, Polars hashes a
# whole column at once; a struct of them is hashed row by row, four times slower (0.9 s for 2.2M rows).
STATUS_DIGEST = functools.reduce(
    lambda digest, column: digest.xor(column),
    (pl.col(name).hash(DIGEST_SEED + position) for position, name in enumerate(DIGESTED)),
).reinterpret(signed=True)


class StatusInputs(NamedTuple):
    """What a status computation reads: the projects of the sites (`site_projects` rows), the release data
    and advisories they are judged by, and what is stored of them (`sql.statuses.stored`), read when the
    computation needs it."""

    installed: pl.DataFrame
    projects: pl.DataFrame
    releases: pl.DataFrame
    advisories: pl.DataFrame
    stored: Callable[[], pl.DataFrame]


def load_inputs(conn: psycopg.Connection, site_ids: list[int] | None) -> StatusInputs:
    """The inputs of the statuses of these sites' projects (every site's when None: millions of rows, read
    beside `conn` without a Python call per row)."""
    # Every site: what is stored is read from the start, beside the site modules.
    stored = _read_stored(conn, site_ids=None, projects=None) if site_ids is None else None
    # Site modules first: the sites and versions they name exist when those are read after them.
    site_modules = statuses.installed(conn, site_ids=site_ids, beside=site_ids is None)
    return project_inputs(conn, site_modules, site_ids=site_ids, projects=None, stored=stored)


def project_inputs(conn: psycopg.Connection, site_modules: pl.DataFrame, *, site_ids: list[int] | None,
                   projects: list[str] | None, stored: Callable[[], pl.DataFrame] | None = None) -> StatusInputs:
    """`load_inputs` for site modules already read (of `site_ids` and `projects`, None: all), and what is
    stored of them when already being read (`stored`)."""
    stored = stored or _read_stored(conn, site_ids=site_ids, projects=projects)
    installed = site_projects(site_modules, statuses.sites(conn, site_ids=site_ids),
                              statuses.versions(conn, site_ids=site_ids, beside=site_ids is None))
    # A refresh of some sites needs the release data of their projects only.
    used = projects if projects is not None or site_ids is None else installed["project"].unique().to_list()
    feeds = statuses.projects(conn, projects=used).with_columns(
        pl.col("supported_branches").fill_null("").str.split(",").list.eval(
            pl.element().filter(pl.element() != "")),
        pl.col("supported_majors").fill_null("").str.split(",").list.eval(
            pl.element().filter(pl.element() != "").cast(pl.Int64)),
    )
    return StatusInputs(installed, feeds, statuses.releases(conn, projects=used), advisories.current(conn), stored)


def _read_stored(conn: psycopg.Connection, *, site_ids: list[int] | None, projects: list[str] | None
                 ) -> Callable[[], pl.DataFrame]:
    """What is stored of these projects, as a function answering it. Every site: millions of rows, read on a
    connection of its own in a thread while the statuses are computed, so that the server's read and
    Polars' work overlap. A few sites: read here and now."""
    read = partial(statuses.stored, conn, site_ids=site_ids, projects=projects)
    return _in_thread(partial(read, beside=True)) if site_ids is None else _already(read())


def _already(frame: pl.DataFrame) -> Callable[[], pl.DataFrame]:
    def read() -> pl.DataFrame:
        return frame
    return read


def _in_thread(read: Callable[[], pl.DataFrame]) -> Callable[[], pl.DataFrame]:
    """Start `read` in a thread of its own; answers a function that waits for it."""
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(read)
    pool.shutdown(wait=False)
    return future.result


def site_projects(site_modules: pl.DataFrame, sites: pl.DataFrame, versions: pl.DataFrame) -> pl.DataFrame:
    """One row per (site, project) from its modules, as Drupal's ProjectInfo gathers a project: the
    version of a present module (the one named after the project, else the first known) and the largest
    datestamp of its present modules; removed only when every module is, then dated by the last
    removal. `site_module_id` names the module that speaks for the project, `modules` counts the
    present ones."""
    present = pl.col("removed_at").is_null()
    # Which module speaks for the project, as one number, the least first: present before removed, the module
    # named after the project first, then the first known (ids grow). The speaker's own columns are taken at
    # its minimum (no sort inside each group); every other aggregation is a plain max or sum.
    speaker = ((~present).cast(pl.Int64) * 2 + (~pl.col("named_after_project")).cast(pl.Int64)) * 2**44 \
        + pl.col("module_id")
    gathered = (
        site_modules.lazy()
        .with_columns(present_datestamp=pl.when(present).then(pl.col("datestamp")),
                      present=present.cast(pl.Int64), speaker=speaker)
        .group_by("site_id", "project")
        .agg(
            *(pl.col(name).min_by("speaker") for name in ("site_module_id", "current_version_id", "module_type")),
            pl.col("present_datestamp", "removed_at").max(),
            all_datestamp=pl.col("datestamp").max(),
            modules=pl.col("present").sum(),
            checked_at=pl.col("checked_at").first(),
        )
        .select(
            "site_id", "project", "site_module_id", "current_version_id", "module_type", "modules",
            # A removed module no longer dates the project while another one is there.
            datestamp=pl.when(pl.col("modules") > 0).then("present_datestamp").otherwise("all_datestamp"),
            removed_at=pl.when(pl.col("modules") == 0).then("removed_at"),
            checked_at="checked_at",
        )
    )
    return (
        gathered.join(sites.lazy(), on="site_id")
        .join(versions.lazy().rename({"version_id": "current_version_id"}), on="current_version_id")
        .collect()
    )


def compute_statuses(inputs: StatusInputs) -> pl.DataFrame:
    """Every project's status (`site_projects` rows in, one row each out), core's coverage as its stored
    document too, with its `status_digest`, what is stored (`stored_digest`, `stored_checked_at`) and
    `status_changed`: whether the digests differ, or none is stored."""
    installed, projects, releases, advisories_frame, stored = inputs
    computed = compute_update_status(installed, projects, releases)
    vulnerable = known_vulnerabilities(installed, advisories_frame)
    core = installed.filter((pl.col("project") == CORE_PROJECT) & (pl.col("feed_api") == CORE_FEED))
    coverage = security_coverage(
        core.lazy().select("site_id", "major", "minor", "is_dev", "extra", "version"),
        releases.lazy().filter((pl.col("project") == CORE_PROJECT) & (pl.col("feed_api") == CORE_FEED)),
    ).with_columns(coverage_document(), project=pl.lit(CORE_PROJECT)).collect()
    rows = installed.select("site_module_id", "site_id", "project", "modules", "version", "datestamp",
                            "removed_at", "checked_at")
    # The status frame has one row per installed row, in order: it is set beside them, not joined. The
    # vulnerabilities and the coverage (a few rows) are matched on the keys alone, in the rows' order.
    if not computed["site_module_id"].equals(rows["site_module_id"]):
        raise AssertionError("compute_update_status must answer one row per installed row, in order")
    vulnerability = rows.select("site_module_id").join(vulnerable, on="site_module_id", how="left",
                                                        maintain_order="left")
    coverage = rows.select("site_id", "project").join(coverage, on=["site_id", "project"], how="left",
                                                      maintain_order="left")
    return (
        rows.hstack(computed.drop("site_module_id"))
        .hstack(vulnerability.drop("site_module_id"))
        .hstack(coverage.drop("site_id", "project"))
        .with_columns(
            pl.col("advisories").fill_null(pl.lit([], dtype=pl.List(pl.String))),
            pl.col("known_vulnerable").fill_null(False),
        )
        .with_columns(status_digest=STATUS_DIGEST)
        .hstack(rows.select("site_id", "project").join(stored(), on=["site_id", "project"], how="left",
                                                       maintain_order="left").drop("site_id", "project"))
        .with_columns(status_changed=pl.col("stored_digest").ne_missing(pl.col("status_digest")))
    )


def stored_json(rows: pl.DataFrame) -> pl.DataFrame:
    """`rows` with their advisory items as the JSON the table stores."""
    return rows.with_columns(advisories=advisory_items_json(rows["advisories"]))


def changed_statuses(computed: pl.DataFrame) -> pl.DataFrame:
    """The rows whose computed status differs from the stored one, or that have none yet: the only rows
    written back in place."""
    return computed.filter("status_changed")


def drifted_statuses(computed: pl.DataFrame) -> pl.DataFrame:
    """The changed rows that had a status stored by the status step: what the data no longer supports, or
    what something else changed (its digest then is 0). A row this version never checked (no digest) is
    written, but is not drift."""
    return computed.filter(pl.col("status_changed") & pl.col("stored_digest").is_not_null())


def write_changed(conn: psycopg.Connection, computed: pl.DataFrame, *, site_ids: list[int] | None = None,
                  rebuild: bool | None = None) -> dict[str, int]:
    """Write back what changed in `computed` (rows of `compute_statuses`), then recount the security
    summaries of `site_ids` (rebuild them all when None) in the same transaction: the report never sees
    statuses and summaries that disagree. `rebuild` as `refresh_status` has it."""
    if rebuild is None:
        rebuild = site_ids is None and mostly_changed(computed)
    if not computed["status_changed"].any():
        write = _nothing
    elif rebuild:
        # Every row into a new table, swapped in: the current one is locked only for the swap.
        write = partial(statuses.rebuild, conn, [stored_json(computed)])
    else:
        # Only here is the wide frame filtered: the changed rows are counted from one column.
        write = partial(statuses.write, conn, stored_json(changed_statuses(computed)))
    return store_written(conn, write, _already(computed.select("modules", "status_changed")), site_ids=site_ids)


def mostly_changed(computed: pl.DataFrame) -> bool:
    """Whether REBUILD_SHARE of these rows changed or more: then a new table is cheaper than updates."""
    return computed.height > 0 and computed["status_changed"].sum() >= REBUILD_SHARE * computed.height


def store_written(conn: psycopg.Connection, write: Callable[[], int], tally: Callable[[], pl.DataFrame], *,
                  site_ids: list[int] | None) -> dict[str, int]:
    """Run `write` (answering how many site projects it wrote), then recount the security summaries of
    `site_ids` (rebuild them all when None), in one transaction: the report never sees statuses and
    summaries that disagree. Answers the counts of a status write, from `tally`: a function answering,
    once `write` is done, `modules` and `status_changed` of every computed row."""
    with conn.transaction():
        updated = write()
        # Even when no status changed: the merge before may have removed modules in trouble.
        written = summaries.rebuild(conn) if site_ids is None else summaries.recount(conn, site_ids=site_ids)
        statuses.drop_replaced(conn)
    counted = tally()
    modules = int(counted.filter("status_changed")["modules"].sum()) if updated else 0
    return {"site_projects_checked": counted.height, "site_projects_changed": updated,
            "site_modules_checked": int(counted["modules"].sum()), "site_modules_changed": modules,
            **written._asdict()}


def _nothing() -> int:
    return 0
