"""The ingest run: landed payloads → normalised inventory → merged tables → task results.

Each asset is one visible step in the Dagster UI. The merge is one
transaction that also records each task's counts (`merged_at`), so a run that
dies after it never applies a payload twice: the re-run skips straight to
status and completion.
"""

import time

import dagster as dg
import polars as pl
import psycopg

from orchestration import landing
from orchestration.defs.resources import PostgresResource, ReleaseFeedResource
from orchestration.merge import merge_inventory
from orchestration.releases import store_feeds, wanted_feeds
from orchestration.requests import INGEST_JOB
from orchestration.status import refresh_status
from transforms.inventory import PAYLOADS_SCHEMA, normalise_inventory, payload_body_errors

GROUP = "ingest"
# The normaliser's input plus the arrival time, which dates history events.
LANDED_SCHEMA = pl.Schema({**PAYLOADS_SCHEMA, "received_at": pl.Datetime("us", "UTC")})


class LandingBatch(dg.Config):
    landing_ids: list[int]


def payload_frame(claimed: list[dict]) -> tuple[pl.DataFrame, dict[str, str]]:
    """Claimed rows as the normaliser's input; bodies that are not UTF-8 fail here."""
    rows, failures = [], {}
    for row in claimed:
        try:
            body = bytes(row["body"]).decode("utf-8")
        except UnicodeDecodeError as error:
            failures[row["task_id"]] = f"payload is not UTF-8: {error}"
            continue
        rows.append({**{name: row[name] for name in LANDED_SCHEMA if name != "body"}, "body": body})
    return pl.DataFrame(rows, schema=LANDED_SCHEMA), failures


@dg.asset(group_name=GROUP, kinds={"polars", "postgres"})
def normalised_inventory(
    context: dg.AssetExecutionContext, config: LandingBatch, database: PostgresResource
) -> pl.DataFrame:
    """Claim the batch's payloads and normalise both payload shapes into one frame."""
    with database.connect(autocommit=True) as conn:
        claimed = landing.claim(conn, run_id=context.run.run_id, landing_ids=config.landing_ids)
        to_merge = [row for row in claimed if row["merged_at"] is None]
        payloads, failures = payload_frame(to_merge)
        try:
            normalised = normalise_inventory(payloads.drop("received_at")).collect()
        except pl.exceptions.PolarsError:
            # Some body does not decode: find it, fail it alone, normalise the rest.
            for failure in payload_body_errors(payloads.drop("received_at")).iter_rows(named=True):
                failures[failure["task_id"]] = failure["error"]
            payloads = payloads.filter(~pl.col("task_id").is_in(list(failures)))
            normalised = normalise_inventory(payloads.drop("received_at")).collect()
        for task_id, error in failures.items():
            landing.fail(conn, task_id=task_id, error=error)
            context.log.warning(f"task {task_id} failed: {error}")
        inventory = normalised.join(payloads.select("landing_id", "received_at"), on="landing_id")
        landing.report_progress(conn, run_id=context.run.run_id, message="normalised")
    context.add_output_metadata({
        "payloads_claimed": len(claimed),
        "payloads_failed": len(failures),
        "already_merged": len(claimed) - len(to_merge),
        "rows": inventory.height,
        "sites": inventory["site_id"].n_unique(),
    })
    return inventory


@dg.asset(group_name=GROUP, kinds={"postgres"})
def site_modules(
    context: dg.AssetExecutionContext, database: PostgresResource, normalised_inventory: pl.DataFrame
) -> None:
    """Merge into modules, module_versions, site_modules and site_module_events."""
    if normalised_inventory.is_empty():
        context.add_output_metadata({"rows": 0})
        return
    started = time.perf_counter()
    with database.connect() as conn:
        try:
            outcomes = merge_inventory(conn, normalised_inventory)
        except psycopg.Error as error:
            # One bad payload must not sink the batch: retry task by task, in order.
            context.log.warning(f"batch merge failed ({error}); merging payload by payload")
            outcomes = merge_one_by_one(context, conn, normalised_inventory)
    seconds = time.perf_counter() - started
    context.add_output_metadata({"rows": normalised_inventory.height, "merge_seconds": round(seconds, 3),
                                 "rows_per_second": round(normalised_inventory.height / seconds), **outcomes})


def merge_one_by_one(context, conn: psycopg.Connection, inventory: pl.DataFrame) -> dict[str, int]:
    totals: dict[str, int] = {}
    for (task_id,), rows in inventory.sort("landing_id").group_by("task_id", maintain_order=True):
        try:
            for outcome, n in merge_inventory(conn, rows).items():
                totals[outcome] = totals.get(outcome, 0) + n
        except psycopg.Error as error:
            conn.rollback()
            landing.fail(conn, task_id=task_id, error=f"merge failed: {error}")
            conn.commit()
            context.log.error(f"task {task_id} failed to merge: {error}")
    return totals


@dg.asset(group_name=GROUP, kinds={"polars", "postgres"}, deps=[site_modules])
def update_status(context: dg.AssetExecutionContext, database: PostgresResource,
                  release_feeds: ReleaseFeedResource) -> None:
    """Status of the run's sites: fetch feeds of projects seen for the first time, then recompute."""
    with database.connect(autocommit=True) as conn:
        site_ids = landing.run_site_ids(conn, run_id=context.run.run_id)
        new_feeds = wanted_feeds(conn, new_only=True)
        stored = store_feeds(conn, release_feeds.fetch(new_feeds)) if new_feeds else None
        counts = refresh_status(conn, site_ids) if site_ids else {}
        landing.report_progress(conn, run_id=context.run.run_id, message="status computed", done=True)
    context.add_output_metadata({"sites": len(site_ids), "new_feeds": len(new_feeds),
                                 "feeds_failed": len(stored.failed) if stored else 0, **counts})


@dg.asset(group_name=GROUP, kinds={"postgres"}, deps=[update_status])
def task_results(context: dg.AssetExecutionContext, database: PostgresResource) -> None:
    """Mark the run's merged tasks completed with their results."""
    with database.connect(autocommit=True) as conn:
        completed = landing.complete(conn, run_id=context.run.run_id)
    context.add_output_metadata({
        "tasks_completed": len(completed),
        "task_ids": dg.MetadataValue.json([row["task_id"] for row in completed]),
    })


ingest_job = dg.define_asset_job(
    INGEST_JOB,
    selection=[normalised_inventory, site_modules, update_status, task_results],
    executor_def=dg.in_process_executor,
    tags={"modwatch/pipeline": "ingest"},
    description="Apply landed inventories: normalise, merge with history, compute status, finish tasks.",
)
