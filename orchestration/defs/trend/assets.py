"""The portfolio trend: one point per day of the problems across every site, for the dashboard's chart."""

import dagster as dg

from orchestration.defs.resources import PostgresResource
from orchestration.pipeline.trend import record_today

GROUP = "trend"


# Statuses keep no history of their own, so the trend is what was recorded each day: lineage from the
# assets that write statuses, read when this runs.
@dg.asset(group_name=GROUP, kinds={"postgres"}, deps=[dg.AssetKey("update_status"), dg.AssetKey("portfolio_status")])
def portfolio_trend(context: dg.AssetExecutionContext, database: PostgresResource) -> dg.MaterializeResult:
    """Today's NOT_SECURE, REVOKED and known-vulnerable projects and sites → `portfolio_trend` (a later
    recording of the same day replaces it)."""
    with database.connect() as conn:
        point = record_today(conn)
    context.log.info(f"trend point of {point['day']}: {point['not_secure_projects']} NOT_SECURE projects, "
                     f"{point['known_vulnerable_sites']} known-vulnerable sites")
    return dg.MaterializeResult(metadata=point)
