"""Jobs that refresh release data or advisories, or only recompute, and then recompute every status."""

import dagster as dg

from orchestration.defs.release_data.assets import (
    advisory_statuses,
    osv_advisories,
    portfolio_status,
    release_data,
    security_advisories,
)

refresh_releases = dg.define_asset_job(
    "refresh_releases", selection=[release_data, portfolio_status], executor_def=dg.in_process_executor,
    description="Fetch stale release feeds and recompute every status.")
load_security_advisories = dg.define_asset_job(
    "load_advisories", selection=[security_advisories, portfolio_status], executor_def=dg.in_process_executor,
    description="Load the advisories metapackage (Drupal 7 sites) and recompute every status.")
load_osv_advisories = dg.define_asset_job(
    "load_osv_advisories", selection=[osv_advisories, advisory_statuses], executor_def=dg.in_process_executor,
    description="Load the Drupal Security Team's OSV database and recompute the projects whose advisories changed.")
# Also what the catalogue sensor requests after versions are changed by hand.
reconcile = dg.define_asset_job(
    "reconcile", selection=[portfolio_status], executor_def=dg.in_process_executor,
    description="Recompute every status from scratch; the drift check reports any disagreement.")
