"""Inventory: merge a run's normalised inventory into modules, module_versions, site_modules and
their history, set-based — and the data contracts that check the result.

The frame is COPYed into a temporary stage; then one statement per target
table does the work. Several payloads of one site are applied in rounds
(round k = each site's k-th payload of the run), so a run gives the same
tables as applying its payloads one by one. Everything happens in one
transaction: a crash leaves no half-applied payload, and the tasks' counts
are written in that same transaction.

Most syncs change little. Each round first classifies every listed module
against the stored state (`round_changes`) and writes only the rows that
changed: an unchanged module of a full sync costs one index probe, not a
row rewrite — the site's `last_full_sync_at` records that it was seen.
"""

import json
from typing import NamedTuple

import polars as pl
import psycopg

from sql.frames import copy_frame
from sql.query import Query, Script, Statement

# The columns of `stage_inventory` (stage.sql), in its order.
STAGE_COLUMNS = [
    "landing_id", "task_id", "site_id", "round", "sync_type", "received_at", "machine_name",
    "project", "display_name", "module_type", "enabled", "description", "version", "major", "minor", "patch",
    "extra", "sort_key", "datestamp",
]


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
RESOLVE_IDS = Script.of(__file__, "resolve_ids")
CLASSIFY_ROUND = Statement.of(__file__, "classify_round")
CHANGES_INDEX = Script.of(__file__, "changes_index")
SITE_MODULES_ROUND = Statement.of(__file__, "site_modules_round")
REMOVALS_ROUND = Statement.of(__file__, "removals_round")
EVENTS_ROUND = Statement.of(__file__, "events_round")
# After a round's classification: write what changed, remove what a full sync left out, record history.
ROUND_WRITES = (SITE_MODULES_ROUND, REMOVALS_ROUND, EVENTS_ROUND)
TASK_RESULTS = Statement.of(__file__, "task_results")
SITES = Statement.of(__file__, "sites")
ROUND_OUTCOMES = Query.of(__file__, "round_outcomes", row=RoundOutcome)
ORPHAN_ROWS = Query.of(__file__, "orphan_rows", row=OrphanRow)
DUPLICATE_SITE_MODULES = Query.of(__file__, "duplicate_site_modules", row=DuplicateSiteModule)


def merge(conn: psycopg.Connection, *, stage: pl.DataFrame, warnings: dict[str, list[str]]) -> dict[str, int]:
    """Apply `stage` (the normalised rows with `round` and `received_at`) in one transaction; answers
    how many listed modules took each outcome (created, updated, unchanged, removed)."""
    rounds = int(stage["round"].max() or 0)
    task_ids = stage["task_id"].unique().to_list()
    with conn.transaction():
        STAGE(conn)
        copy_frame(conn, "stage_inventory", stage.select(STAGE_COLUMNS))
        MODULES(conn)
        MODULE_VERSIONS(conn)
        RESOLVE_IDS(conn)
        for round_number in range(1, rounds + 1):
            CLASSIFY_ROUND(conn, round=round_number)
            if round_number == 1:
                CHANGES_INDEX(conn)
            for write in ROUND_WRITES:
                write(conn, round=round_number)
        TASK_RESULTS(conn, warnings=json.dumps(warnings))
        SITES(conn, task_ids=task_ids)
        outcomes = ROUND_OUTCOMES.all(conn)
    return {row.outcome: row.modules for row in outcomes}


def orphan_rows(conn):
    """Site modules, events and versions whose parent row is gone (`OrphanRow`s, at most 20)."""
    return ORPHAN_ROWS.all(conn)


def duplicate_site_modules(conn):
    """(site, module) pairs stored more than once (`DuplicateSiteModule`s, at most 20)."""
    return DUPLICATE_SITE_MODULES.all(conn)

