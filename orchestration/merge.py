"""Merge a normalised inventory into the platform tables, set-based.

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

import polars as pl
import psycopg

from orchestration.frames import copy_frame
from sql import statement

STAGE_COLUMNS = [
    "landing_id", "task_id", "site_id", "round", "sync_type", "received_at", "machine_name",
    "project", "display_name", "module_type", "enabled", "description", "version", "sort_key",
    "datestamp",
]
# After a round's classification: write what changed, remove what a full sync left out, record history.
ROUND_WRITES = ("merge_site_modules_round", "merge_removals_round", "merge_events_round")


def with_rounds(inventory: pl.DataFrame) -> pl.DataFrame:
    return inventory.with_columns(
        pl.col("landing_id").rank("dense").over("site_id").cast(pl.Int32).alias("round")
    )


def task_warnings(inventory: pl.DataFrame) -> dict[str, list[str]]:
    grouped = (
        inventory.filter(pl.col("warning").is_not_null())
        .group_by("task_id")
        .agg(pl.col("warning"))
    )
    return dict(zip(grouped["task_id"].to_list(), grouped["warning"].to_list(), strict=True))


def merge_inventory(conn: psycopg.Connection, inventory: pl.DataFrame) -> dict[str, int]:
    """Apply `inventory` (normalised rows plus `received_at`) in one transaction."""
    staged = with_rounds(inventory)
    rounds = int(staged["round"].max() or 0)
    task_ids = staged["task_id"].unique().to_list()
    with conn.transaction():
        conn.execute(statement("merge_stage_create"))
        copy_frame(conn, "stage_inventory", staged.select(STAGE_COLUMNS))
        conn.execute(statement("merge_modules"))
        conn.execute(statement("merge_module_versions"))
        conn.execute(statement("merge_resolve_ids"))
        for round_number in range(1, rounds + 1):
            conn.execute(statement("merge_classify_round"), {"round": round_number})
            if round_number == 1:
                conn.execute(statement("merge_changes_index"))
            for name in ROUND_WRITES:
                conn.execute(statement(name), {"round": round_number})
        conn.execute(statement("merge_task_results"), {"warnings": json.dumps(task_warnings(staged))})
        conn.execute(statement("merge_sites"), {"task_ids": task_ids})
        changes = conn.execute(
            "SELECT outcome, count(*) AS n FROM round_changes GROUP BY outcome"
        ).fetchall()
    return {row["outcome"]: row["n"] for row in changes}
