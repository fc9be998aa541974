"""The landing sensor: pending payloads become one ingest run."""

import dagster as dg

from foundation.settings import Settings, get_settings
from orchestration.defs.resources import PostgresResource
from orchestration.pipeline import landing
from orchestration.pipeline.runs import INGEST_JOB, ingest_in_flight, ingest_run_request
from sql import tasks


def landing_sensor(settings: Settings) -> dg.SensorDefinition:
    """The sensor, ticking every `sensor_interval_seconds` and taking at most `ingest_batch_size` payloads."""

    @dg.sensor(
        name="landing_sensor",
        job_name=INGEST_JOB,
        minimum_interval_seconds=settings.sensor_interval_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Starts an ingest run for landed payloads that are not processed yet.",
    )
    def sensor(context: dg.SensorEvaluationContext, database: PostgresResource):
        running = ingest_in_flight(context.instance)
        if running:
            # One ingest at a time keeps each site's payloads in order and the merges lock-free.
            return dg.SkipReason(f"ingest run {running} is still in flight")
        with database.connect(autocommit=True) as conn:
            released = landing.release_abandoned(conn, context.instance)
            pending = tasks.pending(conn, limit=settings.ingest_batch_size)
        if released:
            context.log.warning(f"released tasks of ended runs: {', '.join(released)}")
        if not pending:
            return dg.SkipReason("no pending payloads")
        # No cursor: what to take is "not yet processed", which the landing table itself records.
        return dg.SensorResult(run_requests=[ingest_run_request(context.instance, pending)])

    return sensor


@dg.definitions
def sensors() -> dg.Definitions:
    return dg.Definitions(sensors=[landing_sensor(get_settings())])
