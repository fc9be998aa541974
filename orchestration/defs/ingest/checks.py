"""Asset checks: the data contracts of the ingest run."""

from collections.abc import Sequence

import dagster as dg

from orchestration.defs.ingest.assets import site_modules, task_results
from orchestration.defs.resources import PostgresResource
from sql import inventory, tasks


def contract_result(keys: Sequence[object], what: str) -> dg.AssetCheckResult:
    """Passed when nothing broke the contract; else how many rows did, with a sample of their keys."""
    return dg.AssetCheckResult(
        passed=not keys,
        severity=dg.AssetCheckSeverity.ERROR,
        description=f"{len(keys)} {what}" if keys else f"no {what}",
        metadata={"count": len(keys), "sample": dg.MetadataValue.json([str(key) for key in keys[:10]])},
    )


@dg.asset_check(asset=site_modules, description="No site module, event or version without its parent row.")
def no_orphan_rows(database: PostgresResource) -> dg.AssetCheckResult:
    with database.connect() as conn:
        orphans = inventory.orphan_rows(conn)
    return contract_result([orphan.id for orphan in orphans], "orphan rows")


@dg.asset_check(asset=site_modules, description="At most one row per (site, module).")
def no_duplicate_site_modules(database: PostgresResource) -> dg.AssetCheckResult:
    with database.connect() as conn:
        duplicates = inventory.duplicate_site_modules(conn)
    return contract_result([duplicate.site_id for duplicate in duplicates], "duplicated site modules")


@dg.asset_check(asset=task_results, description="Every payload this run took is completed or failed with a reason.")
def every_payload_accounted_for(context: dg.AssetCheckExecutionContext,
                                database: PostgresResource) -> dg.AssetCheckResult:
    with database.connect() as conn:
        unaccounted = tasks.unaccounted(conn, run_id=context.run.run_id)
    return contract_result([payload.task_id for payload in unaccounted],
                           "payloads left unfinished or failed without a reason")
