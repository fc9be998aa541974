"""When release data, advisories and the recomputation run on their own.

An advisories source that is not configured (or turned off) skips its schedule
with the reason, rather than failing a run every six hours: a run asked for by
hand still fails.
"""

import dagster as dg

from orchestration.defs.release_data.jobs import (
    load_osv_advisories,
    load_security_advisories,
    reconcile,
    refresh_releases,
)
from orchestration.defs.resources import OsvDatabaseResource, SecurityAdvisoriesResource

release_schedule = dg.ScheduleDefinition(
    job=refresh_releases, cron_schedule="0 */6 * * *", default_status=dg.DefaultScheduleStatus.RUNNING)
reconcile_schedule = dg.ScheduleDefinition(
    job=reconcile, cron_schedule="15 3 * * *", default_status=dg.DefaultScheduleStatus.RUNNING)


@dg.schedule(job=load_security_advisories, cron_schedule="30 */6 * * *",
             default_status=dg.DefaultScheduleStatus.RUNNING)
def load_advisories_schedule(context: dg.ScheduleEvaluationContext, security_advisories: SecurityAdvisoriesResource):
    if not security_advisories.source:
        return dg.SkipReason("no advisories metapackage configured (MODWATCH_ADVISORIES_URL)")
    return dg.RunRequest()


@dg.schedule(job=load_osv_advisories, cron_schedule="45 */6 * * *", default_status=dg.DefaultScheduleStatus.RUNNING)
def load_osv_advisories_schedule(context: dg.ScheduleEvaluationContext, osv_database: OsvDatabaseResource):
    if not osv_database.enabled:
        return dg.SkipReason("OSV advisories are turned off (MODWATCH_OSV_URL=none)")
    return dg.RunRequest()
