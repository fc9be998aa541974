"""The ingest run's assets: landed payloads → normalised inventory → merged tables → task results.

Each asset is one visible step in the Dagster UI. The merge is one
transaction that also records each task's counts (`merged_at`), so a run that
dies after it never applies a payload twice: the re-run skips straight to
status and completion. Every step is retried after a transient database error
(a lock timeout, a deadlock, a lost connection): it is run again, its tasks
are never failed for it.

What an operator looks for in a run is named in its metadata and its log, not
only in the task results: each push's warnings (odd versions, core modules
judged as core, modules listed twice) by site, task and module, and each
release feed the status step could not fetch, with the reason. The status
step depends on release data and advisories, loaded by runs of their own, so
the asset graph shows how they reach the statuses.
"""

import time

import dagster as dg
import polars as pl
import psycopg

from orchestration.defs.release_data.assets import osv_advisories, release_data, security_advisories
from orchestration.defs.resources import PostgresResource, ReleaseFeedResource
from orchestration.pipeline import landing
from orchestration.pipeline.merge import merge_inventory
from orchestration.pipeline.recompute import refresh_status
from orchestration.pipeline.release_history import store_feeds, wanted_feeds
from orchestration.pipeline.retries import is_transient, retried_when_transient
from orchestration.pipeline.runs import run_shard
from sql import tasks
from transforms.inventory import PAYLOADS_SCHEMA, normalise_inventory, payload_body_errors

GROUP = "ingest"
# The normaliser's input plus the arrival time, which dates history events.
LANDED_SCHEMA = pl.Schema({**PAYLOADS_SCHEMA, "received_at": pl.Datetime("us", "UTC")})
# A claimed payload (`sql.tasks.ClaimedPayload`) with its body decoded.
CLAIMED_SCHEMA = pl.Schema({name: {**LANDED_SCHEMA, "merged_at": pl.Datetime("us", "UTC")}[name]
                            for name in tasks.ClaimedPayload._fields})


# The metadata names this many warnings; the count covers them all, and each task's log line its own.
WARNINGS_NAMED = 100
WARNINGS_LOGGED_PER_TASK = 5


class LandingBatch(dg.Config):
    landing_ids: list[int]


def named_warnings(inventory: pl.DataFrame) -> pl.DataFrame:
    """One row per warning of a push: its site, task and module, and what is odd about it."""
    return inventory.filter(pl.col("warning").is_not_null()).select(
        "site_id", "task_id", module=pl.col("machine_name"), message=pl.col("warning"))


def log_warnings(context: dg.AssetExecutionContext, warnings: pl.DataFrame) -> None:
    """One log line per task with warnings, naming the site and the first modules."""
    per_task = warnings.group_by("site_id", "task_id", maintain_order=True).agg(
        pl.len().alias("count"), pl.col("message").head(WARNINGS_LOGGED_PER_TASK))
    for site_id, task_id, count, messages in per_task.iter_rows():
        more = f" (and {count - len(messages)} more)" if count > len(messages) else ""
        context.log.warning(f"site {site_id}, task {task_id}: {count} warning{'' if count == 1 else 's'}: "
                            + "; ".join(messages) + more)


def payload_frame(claimed: list[tasks.ClaimedPayload]) -> tuple[pl.DataFrame, dict[str, str]]:
    """Claimed payloads as the normaliser's input; bodies that are not UTF-8 fail here."""
    decoded, failures = [], {}
    for payload in claimed:
        try:
            decoded.append(payload._replace(body=bytes(payload.body).decode("utf-8")))
        except UnicodeDecodeError as error:
            failures[payload.task_id] = f"payload is not UTF-8: {error}"
    frame = pl.DataFrame(decoded, schema=CLAIMED_SCHEMA, orient="row")
    return frame.select(LANDED_SCHEMA.names()), failures


@dg.asset(group_name=GROUP, kinds={"polars", "postgres"})
def normalised_inventory(
    context: dg.AssetExecutionContext, config: LandingBatch, database: PostgresResource
) -> pl.DataFrame:
    """Claim the batch's payloads and normalise both payload shapes into one frame."""
    with retried_when_transient(context), database.connect(autocommit=True) as conn:
        claimed = landing.claim(conn, run_id=context.run.run_id, landing_ids=config.landing_ids,
                                shard=run_shard(context.run))
        to_merge = [payload for payload in claimed if payload.merged_at is None]
        payloads, failures = payload_frame(to_merge)
        try:
            normalised = normalise_inventory(payloads.drop("received_at")).collect()
        except pl.exceptions.PolarsError:
            # Some body does not decode: find it, fail it alone, normalise the rest.
            errors = payload_body_errors(payloads.drop("received_at"))
            failures.update(zip(errors["task_id"].to_list(), errors["error"].to_list(), strict=True))
            payloads = payloads.filter(~pl.col("task_id").is_in(list(failures)))
            normalised = normalise_inventory(payloads.drop("received_at")).collect()
        for task_id, error in failures.items():
            tasks.fail(conn, task_id=task_id, error=error)
            context.log.warning(f"task {task_id} failed: {error}")
        inventory = normalised.join(payloads.select("landing_id", "received_at"), on="landing_id")
        tasks.report_progress(conn, run_id=context.run.run_id, message="normalised")
    warnings = named_warnings(inventory)
    log_warnings(context, warnings)
    context.add_output_metadata({
        "payloads_claimed": len(claimed),
        "payloads_failed": len(failures),
        "failed_tasks": dg.MetadataValue.json(failures),
        "already_merged": len(claimed) - len(to_merge),
        "rows": inventory.height,
        "sites": inventory["site_id"].n_unique(),
        "warnings": warnings.height,
        "warnings_named": dg.MetadataValue.json(warnings.head(WARNINGS_NAMED).to_dicts()),
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
    with retried_when_transient(context), database.connect() as conn:
        try:
            outcomes = merge_inventory(conn, normalised_inventory)
        except psycopg.Error as error:
            if is_transient(error):
                raise
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
            if is_transient(error):
                raise
            conn.rollback()
            tasks.fail(conn, task_id=task_id, error=f"merge failed: {error}")
            conn.commit()
            context.log.error(f"task {task_id} failed to merge: {error}")
    return totals


@dg.asset(group_name=GROUP, kinds={"polars", "postgres"},
          deps=[site_modules, release_data, security_advisories, osv_advisories])
def update_status(context: dg.AssetExecutionContext, database: PostgresResource,
                  release_feeds: ReleaseFeedResource) -> None:
    """Status of the run's sites: fetch feeds of projects seen for the first time, then recompute."""
    with retried_when_transient(context), database.connect(autocommit=True) as conn:
        site_ids = tasks.run_site_ids(conn, run_id=context.run.run_id)
        # The run's sites only: a project another site waits on is fetched by that site's next run or by
        # the release refresh, and a run does not read the whole portfolio's modules to find its own.
        new_feeds = wanted_feeds(conn, site_ids=site_ids, new_only=True) if site_ids else []
        stored = store_feeds(conn, release_feeds.fetch(new_feeds)) if new_feeds else None
        counts = refresh_status(conn, site_ids) if site_ids else {}
        tasks.report_progress(conn, run_id=context.run.run_id, message="status computed", done=True)
    failed = stored.failed if stored else {}
    for feed, error in failed.items():
        context.log.warning(f"release feed {feed} failed: {error}")
    context.add_output_metadata({
        "sites": len(site_ids), "new_feeds": len(new_feeds), "feeds_fetched": stored.fetched if stored else 0,
        "feeds_failed": dg.MetadataValue.json(failed),
        "not_found": dg.MetadataValue.json(stored.not_found if stored else []), **counts})


@dg.asset(group_name=GROUP, kinds={"postgres"}, deps=[update_status])
def task_results(context: dg.AssetExecutionContext, database: PostgresResource) -> None:
    """Mark the run's merged tasks completed with their results."""
    with retried_when_transient(context), database.connect(autocommit=True) as conn:
        completed = tasks.complete(conn, run_id=context.run.run_id)
    context.add_output_metadata({
        "tasks_completed": len(completed),
        "task_ids": dg.MetadataValue.json([task.task_id for task in completed]),
    })
