"""Merge a normalised inventory into the platform tables (the statements are `sql/inventory/`).

Several payloads of one site are applied in rounds: round k takes each
site's k-th payload of the run, so a run gives the same tables as applying
its payloads one by one.
"""

import polars as pl
import psycopg

from sql import inventory


def with_rounds(inventory_rows: pl.DataFrame) -> pl.DataFrame:
    return inventory_rows.with_columns(
        pl.col("landing_id").rank("dense").over("site_id").cast(pl.Int32).alias("round")
    )


def task_warnings(inventory_rows: pl.DataFrame) -> dict[str, list[str]]:
    grouped = (
        inventory_rows.filter(pl.col("warning").is_not_null())
        .group_by("task_id")
        .agg(pl.col("warning"))
    )
    return dict(zip(grouped["task_id"].to_list(), grouped["warning"].to_list(), strict=True))


def merge_inventory(conn: psycopg.Connection, inventory_rows: pl.DataFrame) -> dict[str, int]:
    """Apply `inventory_rows` (normalised rows plus `received_at`) in one transaction; answers how many
    listed modules took each outcome."""
    staged = with_rounds(inventory_rows)
    return inventory.merge(conn, stage=staged, warnings=task_warnings(staged))
