"""Asset checks: the data contracts of the ingest run (SPEC §7)."""

import dagster as dg

from orchestration.defs.ingest import site_modules, task_results
from orchestration.defs.resources import PostgresResource
from sql import statement


def contract_result(rows: list[dict], key: str, what: str) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.ERROR,
        description=f"{len(rows)} {what}" if rows else f"no {what}",
        metadata={"count": len(rows), "sample": dg.MetadataValue.json([str(r[key]) for r in rows[:10]])},
    )


@dg.asset_check(asset=site_modules, description="No site module, event or version without its parent row.")
def no_orphan_rows(database: PostgresResource) -> dg.AssetCheckResult:
    with database.connect() as conn:
        rows = conn.execute(statement("check_orphan_rows")).fetchall()
    return contract_result(rows, "id", "orphan rows")


@dg.asset_check(asset=site_modules, description="At most one row per (site, module).")
def no_duplicate_site_modules(database: PostgresResource) -> dg.AssetCheckResult:
    with database.connect() as conn:
        rows = conn.execute(statement("check_duplicate_site_modules")).fetchall()
    return contract_result(rows, "site_id", "duplicated site modules")


@dg.asset_check(asset=task_results, description="Every payload this run took is completed or failed with a reason.")
def every_payload_accounted_for(context: dg.AssetCheckExecutionContext,
                                database: PostgresResource) -> dg.AssetCheckResult:
    with database.connect() as conn:
        rows = conn.execute(statement("check_unaccounted_payloads"), {"run_id": context.run.run_id}).fetchall()
    return contract_result(rows, "task_id", "payloads left unfinished or failed without a reason")
