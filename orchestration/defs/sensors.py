"""The landing sensor: pending payloads become one ingest run."""

import dagster as dg

from foundation.settings import get_settings
from orchestration import landing
from orchestration.defs.resources import PostgresResource
from orchestration.requests import INGEST_JOB, ingest_in_flight, ingest_run_request

settings = get_settings()


@dg.sensor(
    job_name=INGEST_JOB,
    minimum_interval_seconds=settings.sensor_interval_seconds,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts an ingest run for landed payloads that are not processed yet.",
)
def landing_sensor(context: dg.SensorEvaluationContext, database: PostgresResource):
    running = ingest_in_flight(context.instance)
    if running:
        # One ingest at a time keeps each site's payloads in order and the merges lock-free.
        return dg.SkipReason(f"ingest run {running} is still in flight")
    with database.connect(autocommit=True) as conn:
        released = landing.release_abandoned(conn, context.instance)
        pending = landing.pending_payloads(conn, settings.ingest_batch_size)
    if released:
        context.log.warning(f"released tasks of ended runs: {', '.join(released)}")
    if not pending:
        return dg.SkipReason("no pending payloads")
    return dg.SensorResult(
        run_requests=[ingest_run_request(context.instance, pending)],
        cursor=str(pending[-1]["id"]),
    )
