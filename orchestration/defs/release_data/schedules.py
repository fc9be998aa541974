"""When release data, advisories and the recomputation run on their own."""

import dagster as dg

from orchestration.defs.release_data.jobs import load_security_advisories, reconcile, refresh_releases

release_schedule = dg.ScheduleDefinition(
    job=refresh_releases, cron_schedule="0 */6 * * *", default_status=dg.DefaultScheduleStatus.RUNNING)
advisories_schedule = dg.ScheduleDefinition(
    job=load_security_advisories, cron_schedule="30 */6 * * *", default_status=dg.DefaultScheduleStatus.RUNNING)
reconcile_schedule = dg.ScheduleDefinition(
    job=reconcile, cron_schedule="15 3 * * *", default_status=dg.DefaultScheduleStatus.RUNNING)
