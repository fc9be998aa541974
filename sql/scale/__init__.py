"""A generated portfolio loaded straight into the tables, for the benchmark's figures at scale.

Sites, modules, versions and site modules are COPYed into stages and spread
over the platform tables in one transaction with foreign-key triggers off.
"""

from typing import NamedTuple

import polars as pl
import psycopg

from sql.frames import FrameQuery, copy_frame
from sql.query import Maintenance, Query, Script, Statement

STAGES = Script.of(__file__, "stages")
WITHOUT_TRIGGERS = Statement.of(__file__, "without_triggers")
SITES_INSERT = Statement.of(__file__, "sites_insert")
SITE_IDS = FrameQuery.of(__file__, "site_ids", schema={"site": pl.Int64, "site_id": pl.Int64})
MODULES_INSERT = Statement.of(__file__, "modules_insert")
VERSIONS_INSERT = Statement.of(__file__, "versions_insert")
SITE_MODULES_INSERT = Statement.of(__file__, "site_modules_insert")
SITE_PROJECTS_INSERT = Statement.of(__file__, "site_projects_insert")
SETTLE_INVENTORY = Maintenance.of(__file__, "settle_inventory")
ANALYZE_RELEASES = Script.of(__file__, "analyze_releases")
RESET_STATUSES = Script.of(__file__, "reset_statuses")
SETTLE_STATUSES = Maintenance.of(__file__, "settle_statuses")
CHECKPOINT = Maintenance.of(__file__, "checkpoint")


class StatusCount(NamedTuple):
    status: str
    count: int


class ServerVersion(NamedTuple):
    server_version: str


class SiteId(NamedTuple):
    id: int


STATUS_COUNTS = Query.of(__file__, "status_counts", row=StatusCount)
SERVER_VERSION = Query.of(__file__, "server_version", row=ServerVersion)
SITES_LABELLED = Query.of(__file__, "sites_labelled", row=SiteId)

SITE_COLUMNS = ["site", "name", "url", "core_version"]
INVENTORY_COLUMNS = ["site", "machine_name", "project", "module_type", "version", "datestamp", "enabled"]
VERSION_COLUMNS = ["machine_name", "version", "major", "minor", "patch", "extra", "sort_key"]


def load(conn: psycopg.Connection, *, sites: pl.DataFrame, inventory: pl.DataFrame,
         versions: pl.DataFrame) -> tuple[int, int]:
    """Load generated `sites`, their `inventory` and its `versions` (columns as above), then vacuum and analyze
    the tables as autovacuum would (`conn` in autocommit); answers (sites, site modules) loaded."""
    with conn.transaction():
        WITHOUT_TRIGGERS(conn)
        STAGES(conn)
        copy_frame(conn, "scale_sites", sites.select(SITE_COLUMNS))
        SITES_INSERT(conn)
        site_ids = SITE_IDS.frame(conn)
        copy_frame(conn, "scale_stage", inventory.select(INVENTORY_COLUMNS))
        MODULES_INSERT(conn)
        copy_frame(conn, "scale_versions", versions.select(VERSION_COLUMNS))
        VERSIONS_INSERT(conn)
        copy_frame(conn, "scale_site_ids", site_ids)
        inserted = SITE_MODULES_INSERT(conn)
        SITE_PROJECTS_INSERT(conn)
    SETTLE_INVENTORY(conn)
    CHECKPOINT(conn)
    return site_ids.height, inserted


def analyze_releases(conn: psycopg.Connection) -> None:
    ANALYZE_RELEASES(conn)


def reset_statuses(conn: psycopg.Connection) -> None:
    """Every site project NOT_CHECKED again (a loaded portfolio timed once more), vacuumed (`conn` in
    autocommit)."""
    RESET_STATUSES(conn)
    SETTLE_STATUSES(conn)
    CHECKPOINT(conn)


def site_ids(conn: psycopg.Connection, *, label: str) -> list[int]:
    """The ids of the sites `load` made with this label, in order."""
    return [row.id for row in SITES_LABELLED.all(conn, label=label)]


def status_counts(conn: psycopg.Connection) -> dict[str, int]:
    return {row.status: row.count for row in STATUS_COUNTS.all(conn)}


def server_version(conn: psycopg.Connection) -> str:
    return SERVER_VERSION.one(conn).server_version
