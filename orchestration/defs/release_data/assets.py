"""Release data and advisories, and every status recomputed from them."""

from datetime import UTC, datetime, timedelta

import dagster as dg

from orchestration.defs.resources import (
    OsvDatabaseResource,
    PostgresResource,
    ReleaseFeedResource,
    SecurityAdvisoriesResource,
)
from orchestration.pipeline.advisories import AdvisoriesError, load_advisories, load_osv, recompute_changed_projects
from orchestration.pipeline.recompute import recompute_all
from orchestration.pipeline.release_history import store_feeds, wanted_feeds

GROUP = "release_data"
REFRESH_INTERVAL = timedelta(hours=6)


class ReleaseRefresh(dg.Config):
    projects: list[str] | None = None  # only these projects (all stale ones when unset)
    force: bool = False  # fetch even feeds fetched within the refresh interval


class AdvisoriesSource(dg.Config):
    source: str | None = None  # URL or file; the security_advisories resource's source when unset


class OsvSource(dg.Config):
    source: str | None = None  # directory, zip or URL; the osv_database resource's source when unset


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
    for feed, reasons in stored.skipped_releases.items():
        context.log.warning(f"release feed {feed}: {len(reasons)} unreadable release(s) skipped: {'; '.join(reasons)}")
    return dg.MaterializeResult(metadata={
        "feeds_fetched": stored.fetched, "feeds_changed": len(stored.changed),
        "feeds_failed_count": len(stored.failed),
        "feeds_failed": dg.MetadataValue.json(stored.failed), "not_found": dg.MetadataValue.json(stored.not_found),
        "releases_skipped": stored.skipped_count,
        "skipped_releases": dg.MetadataValue.json(stored.skipped_releases),
        "feed_problems": dg.MetadataValue.md(stored.problems_table())})


@dg.asset(group_name=GROUP, kinds={"json", "postgres"})
def security_advisories(context: dg.AssetExecutionContext, config: AdvisoriesSource, database: PostgresResource,
                        security_advisories: SecurityAdvisoriesResource) -> dg.MaterializeResult:
    """The drupal-security-advisories composer metapackage → `advisories`."""
    with database.connect() as conn:
        try:
            loaded = load_advisories(conn, config.source or security_advisories.source)
        except AdvisoriesError as error:
            raise dg.Failure(description=str(error), allow_retries=False) from None  # the reason is the message
    return dg.MaterializeResult(metadata={"loaded": True, **loaded})


@dg.asset(group_name=GROUP, kinds={"json", "postgres"})
def osv_advisories(context: dg.AssetExecutionContext, config: OsvSource, database: PostgresResource,
                   osv_database: OsvDatabaseResource) -> dg.MaterializeResult:
    """The Drupal Security Team's advisory database (OSV) → `osv_advisories`, `osv_ranges`; the projects of
    the advisories that are new, changed or gone wait in `advisory_recompute`."""
    with database.connect() as conn:
        try:
            loaded = load_osv(conn, config.source or osv_database.source, osv_database.timeout_seconds)
        except AdvisoriesError as error:
            raise dg.Failure(description=str(error), allow_retries=False) from None  # the reason is the message
    context.log.info(f"{loaded['advisories']} OSV advisories from {loaded['source']}: {loaded['added']} added, "
                     f"{loaded['changed']} changed, {loaded['removed']} removed")
    return dg.MaterializeResult(metadata={
        **{name: value for name, value in loaded.items() if name != "changed_ids"},
        "changed_ids": dg.MetadataValue.json(loaded.get("changed_ids", []))})


@dg.asset(group_name=GROUP, kinds={"polars", "postgres"}, deps=[osv_advisories])
def advisory_statuses(context: dg.AssetExecutionContext, database: PostgresResource) -> dg.MaterializeResult:
    """The statuses of the site modules of every project whose advisories changed, recomputed (only those)."""
    with database.connect() as conn:
        recomputed = recompute_changed_projects(conn)
    return dg.MaterializeResult(metadata={**recomputed, "projects": dg.MetadataValue.json(recomputed["projects"])})


@dg.asset(group_name=GROUP, kinds={"polars", "postgres"}, deps=[release_data, security_advisories, osv_advisories],
          check_specs=[dg.AssetCheckSpec("no_status_drift", asset="portfolio_status",
                                         description="Stored statuses equal a recomputation from scratch.")])
def portfolio_status(context: dg.AssetExecutionContext, database: PostgresResource):
    """Every present site module's update status, recomputed from scratch and compared with what is stored."""
    with database.connect() as conn:
        # The stored digests come with the inputs: what differs is written; what differs from a status the
        # status step wrote is drift.
        written, drift = recompute_all(conn)
    yield dg.MaterializeResult(metadata={**written, "drifted_rows": drift.height})
    yield dg.AssetCheckResult(
        check_name="no_status_drift", passed=drift.is_empty(),
        description="stored statuses match" if drift.is_empty() else f"{drift.height} site projects had drifted",
        metadata={"count": drift.height, "sample": dg.MetadataValue.json(drift.head(10).select(
            "site_id", "project", "version", "status", "status_reason").to_dicts())})
