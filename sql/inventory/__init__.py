"""Inventory: merge a run's normalised inventory into modules, module_versions, site_modules and
their history, set-based — and the data contracts that check the result.

The frame is COPYed into temporary stages: its payloads, the catalogue entries
and versions it names (once each, however many sites list them) and the listed
modules. Then one statement per target table does the work. Several payloads
of one site are applied in rounds (round k = each site's k-th payload of the
run), all rounds at once: each listed module is judged against the state the
site's earlier payloads left (`classify.sql`), so a run gives the same tables,
history and counts as applying its payloads one by one. Everything happens in
one transaction: a crash leaves no half-applied payload, and the tasks' counts
are written in that same transaction.

Most syncs change little. A site module is written once per run, as its last
change left it, and only when something changed: an unchanged module of a
full sync costs no row rewrite — the site's `last_full_sync_at` records that it
was seen.
"""

import json
from typing import NamedTuple

import polars as pl
import psycopg

from sql.frames import FrameQuery, copy_frame
from sql.query import Query, Script, Statement

# The stages (stage.sql) and the columns of the run's frame each takes.
PAYLOAD_COLUMNS = ["landing_id", "task_id", "site_id", "round", "sync_type", "received_at"]
MODULE_COLUMNS = ["machine_name", "project", "display_name", "module_type", "description"]
VERSION_COLUMNS = ["position", "machine_name", "version", "major", "minor", "patch", "extra", "sort_key"]
LISTED_COLUMNS = ["landing_id", "site_id", "round", "module_id", "version_id", "version", "project", "module_type",
                  "enabled", "datestamp"]


class RoundOutcome(NamedTuple):
    outcome: str
    modules: int


class OrphanRow(NamedTuple):
    table_name: str
    id: int


class DuplicateSiteModule(NamedTuple):
    site_id: int
    module_id: int
    copies: int


STAGE = Script.of(__file__, "stage")
MODULES = Statement.of(__file__, "modules")
MODULE_VERSIONS = Statement.of(__file__, "module_versions")
VERSION_IDS = FrameQuery.of(__file__, "version_ids", schema={
    "position": pl.UInt32, "module_id": pl.Int64, "version_id": pl.Int64})
CLASSIFY = Statement.of(__file__, "classify")
SITE_MODULES = Statement.of(__file__, "site_modules")
TASK_RESULTS = Query.of(__file__, "task_results", row=RoundOutcome)
SITES = Statement.of(__file__, "sites")
ORPHAN_ROWS = Query.of(__file__, "orphan_rows", row=OrphanRow)
DUPLICATE_SITE_MODULES = Query.of(__file__, "duplicate_site_modules", row=DuplicateSiteModule)


def merge(conn: psycopg.Connection, *, stage: pl.DataFrame, warnings: dict[str, list[str]]) -> dict[str, int]:
    """Apply `stage` (the normalised rows with `round` and `received_at`) in one transaction; answers
    how many listed modules took each outcome (created, updated, unchanged, removed)."""
    task_ids = stage["task_id"].unique().to_list()
    site_ids = stage["site_id"].unique().sort().to_list()
    with conn.transaction():
        STAGE(conn)
        parts = catalogue_parts(stage)
        for table, frame in parts.items():
            copy_frame(conn, table, frame)
        MODULES(conn)
        MODULE_VERSIONS(conn)
        # The ids come back once per distinct version, by its position in the stage, and are joined to
        # the listed rows here: the stage then holds ids, and no statement looks a module up by name
        # once per listing site.
        ids = parts["stage_versions"].join(VERSION_IDS.frame(conn), on="position")
        copy_frame(conn, "stage_listed", stage.join(ids, on=["machine_name", "version"]).select(LISTED_COLUMNS))
        CLASSIFY(conn, site_ids=site_ids)
        SITE_MODULES(conn)
        SITES(conn, task_ids=task_ids)
        outcomes = TASK_RESULTS.all(conn, warnings=json.dumps(warnings))
    return {row.outcome: row.modules for row in outcomes}


def catalogue_parts(stage: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The run's payloads, modules and versions as their stages take them: each payload once, each module
    once with its latest payload's catalogue fields, each (module, version) once."""
    by_arrival = stage.sort("landing_id", maintain_order=True)
    return {
        "stage_payloads": by_arrival.unique("landing_id", keep="first", maintain_order=True).select(PAYLOAD_COLUMNS),
        "stage_modules": by_arrival.unique("machine_name", keep="last", maintain_order=True).select(MODULE_COLUMNS),
        "stage_versions": by_arrival.unique(["machine_name", "version"], keep="first", maintain_order=True)
        .with_row_index("position").select(VERSION_COLUMNS),
    }


def orphan_rows(conn, *, site_ids: list[int] | None):
    """These sites' modules, events and versions whose parent row is gone (`OrphanRow`s, at most 20); every
    site's when None."""
    return ORPHAN_ROWS.all(conn, site_ids=site_ids)


def duplicate_site_modules(conn, *, site_ids: list[int] | None):
    """(site, module) pairs of these sites stored more than once (`DuplicateSiteModule`s, at most 20); every
    site's when None."""
    return DUPLICATE_SITE_MODULES.all(conn, site_ids=site_ids)

