"""Release data and advisories, and every status recomputed from them."""

from datetime import UTC, datetime, timedelta

import dagster as dg

from orchestration.defs.resources import PostgresResource, ReleaseFeedResource, SecurityAdvisoriesResource
from orchestration.pipeline.advisories import load_advisories
from orchestration.pipeline.release_history import store_feeds, wanted_feeds
from orchestration.pipeline.status import (
    changed_statuses,
    compute_statuses,
    load_inputs,
    write_changed,
)

GROUP = "release_data"
REFRESH_INTERVAL = timedelta(hours=6)


class ReleaseRefresh(dg.Config):
    projects: list[str] | None = None  # only these projects (all stale ones when unset)
    force: bool = False  # fetch even feeds fetched within the refresh interval


class AdvisoriesSource(dg.Config):
    source: str | None = None  # URL or file; the security_advisories resource's source when unset


@dg.asset(group_name=GROUP, kinds={"xml", "postgres"})
def release_data(context: dg.AssetExecutionContext, config: ReleaseRefresh, database: PostgresResource,
                 release_feeds: ReleaseFeedResource) -> dg.MaterializeResult:
    """drupal.org release history of every project a site uses → `projects`, `releases`."""
    older_than = None if (config.force or config.projects) else datetime.now(UTC) - REFRESH_INTERVAL
    with database.connect() as conn:
        wanted = wanted_feeds(conn, projects=config.projects, older_than=older_than)
        stored = store_feeds(conn, release_feeds.fetch(wanted))
    for feed, error in stored.failed.items():
        context.log.warning(f"release feed {feed} failed: {error}")
    return dg.MaterializeResult(metadata={
        "feeds_fetched": stored.fetched, "feeds_changed": len(stored.changed),
        "feeds_failed": dg.MetadataValue.json(stored.failed), "not_found": dg.MetadataValue.json(stored.not_found)})


@dg.asset(group_name=GROUP, kinds={"json", "postgres"})
def security_advisories(context: dg.AssetExecutionContext, config: AdvisoriesSource, database: PostgresResource,
                        security_advisories: SecurityAdvisoriesResource) -> dg.MaterializeResult:
    """The drupal-security-advisories composer metapackage → `advisories`."""
    source = config.source or security_advisories.source
    if not source:
        context.log.info("no advisories source configured (MODWATCH_ADVISORIES_URL)")
        return dg.MaterializeResult(metadata={"loaded": False})
    with database.connect() as conn:
        loaded = load_advisories(conn, source)
    return dg.MaterializeResult(metadata={"loaded": True, **loaded})


@dg.asset(group_name=GROUP, kinds={"polars", "postgres"}, deps=[release_data, security_advisories],
          check_specs=[dg.AssetCheckSpec("no_status_drift", asset="portfolio_status",
                                         description="Stored statuses equal a recomputation from scratch.")])
def portfolio_status(context: dg.AssetExecutionContext, database: PostgresResource):
    """Every present site module's update status, recomputed from scratch and compared with what is stored."""
    with database.connect() as conn:
        fresh = compute_statuses(*load_inputs(conn, None))
        # The stored statuses come with the inputs: what differs is both the drift and what to write.
        drift = changed_statuses(fresh)
        written = write_changed(conn, drift, checked=fresh.height)
    yield dg.MaterializeResult(metadata={**written, "drifted_rows": drift.height})
    yield dg.AssetCheckResult(
        check_name="no_status_drift", passed=drift.is_empty(),
        description="stored statuses match" if drift.is_empty() else f"{drift.height} site modules had drifted",
        metadata={"count": drift.height, "sample": dg.MetadataValue.json(drift.head(10).select(
            "site_module_id", "status", "stored_status", "status_reason", "stored_status_reason").to_dicts())})
