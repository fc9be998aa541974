"""Asset checks: the data contracts of the ingest run."""

from collections.abc import Sequence

import dagster as dg

from orchestration.defs.ingest.assets import site_modules, task_results
from orchestration.defs.resources import PostgresResource
from sql import inventory, tasks


def contract_result(keys: Sequence[object], what: str, **metadata) -> dg.AssetCheckResult:
    """Passed when nothing broke the contract; else how many rows did, with a sample of their keys."""
    return dg.AssetCheckResult(
        passed=not keys,
        severity=dg.AssetCheckSeverity.ERROR,
        description=f"{len(keys)} {what}" if keys else f"no {what}",
        metadata={"count": len(keys), "sample": dg.MetadataValue.json([str(key) for key in keys[:10]]), **metadata},
    )


# The merge contracts are checked on the run's sites, the rows it could have written: a pass over the whole
# portfolio's site modules took 0.6 s of every run at 10k sites. A run of the checks alone (from the asset's
# page in the UI) merges nothing and checks the whole portfolio; an ingest run that merged no site checks none.

@dg.asset_check(asset=site_modules,
                description="No site module, event or version of the run's sites without its parent row.")
def no_orphan_rows(context: dg.AssetCheckExecutionContext, database: PostgresResource) -> dg.AssetCheckResult:
    with database.connect() as conn:
        site_ids = checked_site_ids(conn, context)
        orphans = inventory.orphan_rows(conn, site_ids=site_ids)
    return contract_result([orphan.id for orphan in orphans], "orphan rows", sites=checked_sites(site_ids))


@dg.asset_check(asset=site_modules, description="At most one row per (site, module) on the run's sites.")
def no_duplicate_site_modules(context: dg.AssetCheckExecutionContext,
                              database: PostgresResource) -> dg.AssetCheckResult:
    with database.connect() as conn:
        site_ids = checked_site_ids(conn, context)
        duplicates = inventory.duplicate_site_modules(conn, site_ids=site_ids)
    return contract_result([duplicate.site_id for duplicate in duplicates], "duplicated site modules",
                           sites=checked_sites(site_ids))


def checked_sites(site_ids: list[int] | None) -> int | str:
    return "all" if site_ids is None else len(site_ids)


def checked_site_ids(conn, context: dg.AssetCheckExecutionContext) -> list[int] | None:
    """The sites the run merged, if it is a run of the merge; None (every site) for a run of the checks alone."""
    if not context.job_def.graph.has_node_named(site_modules.op.name):
        return None
    return tasks.run_site_ids(conn, run_id=context.run.run_id)


@dg.asset_check(asset=task_results, description="Every payload this run took is completed or failed with a reason.")
def every_payload_accounted_for(context: dg.AssetCheckExecutionContext,
                                database: PostgresResource) -> dg.AssetCheckResult:
    with database.connect() as conn:
        unaccounted = tasks.unaccounted(conn, run_id=context.run.run_id)
    return contract_result([payload.task_id for payload in unaccounted],
                           "payloads left unfinished or failed without a reason")
