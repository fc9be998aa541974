"""When the trend's point is recorded: every hour, so today's point follows the day's pushes and the
day's last recording is the one kept."""

import dagster as dg

from orchestration.defs.trend.assets import portfolio_trend

record_portfolio_trend = dg.define_asset_job(
    "record_portfolio_trend", selection=[portfolio_trend], executor_def=dg.in_process_executor,
    description="Record today's point of the portfolio trend from the stored statuses.")

portfolio_trend_schedule = dg.ScheduleDefinition(
    job=record_portfolio_trend, cron_schedule="50 * * * *", default_status=dg.DefaultScheduleStatus.RUNNING)
