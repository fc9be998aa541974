"""The landing sensor: pending payloads become ingest runs, one per shard of sites."""

import dagster as dg

from foundation.settings import Settings, get_settings
from orchestration.defs.resources import PostgresResource
from orchestration.pipeline import landing
from orchestration.pipeline.runs import INGEST_JOB, Shard, by_shard, ingest_in_flight, ingest_run_request, ingest_shards
from sql import tasks

# The daemon looks at its sensors every 5 s and skips one whose last tick began less than its minimum
# interval ago. A tick begins a moment after the daemon looks, so an interval of exactly 5 s skips every
# other look: ticks 10 s apart, and a push waits twice as long as configured. A second of slack keeps
# the interval the one configured.
TICK_SLACK_SECONDS = 1


def tick_interval(configured_seconds: int) -> int:
    return max(1, configured_seconds - TICK_SLACK_SECONDS)


def landing_sensor(settings: Settings, shards: int | None = None) -> dg.SensorDefinition:
    """The sensor, ticking every `sensor_interval_seconds` and taking at most `ingest_batch_size` payloads
    per shard of sites (`shards`; unset: `MODWATCH_INGEST_SHARDS`, read at each tick)."""

    @dg.sensor(
        name="landing_sensor",
        job_name=INGEST_JOB,
        minimum_interval_seconds=tick_interval(settings.sensor_interval_seconds),
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Starts an ingest run per shard of sites for landed payloads that are not processed yet.",
    )
    def sensor(context: dg.SensorEvaluationContext, database: PostgresResource):
        # A shard whose run is still running gets its next run now: the run queue holds it until the
        # running one ends (one run per shard at a time), so it starts without waiting for another tick.
        # A shard whose run has not started yet gets none: that run has not claimed its batch, and the
        # payloads landed since wait for the next tick.
        shard_count = shards or ingest_shards()
        in_flight = ingest_in_flight(context.instance)
        with database.connect(autocommit=True) as conn:
            released = landing.release_abandoned(conn, context.instance)
            pending = tasks.pending_by_shard(conn, shards=shard_count, limit=settings.ingest_batch_size,
                                             taken=in_flight.taken, busy=in_flight.waiting_shards)
        if released:
            context.log.warning(f"released tasks of ended runs: {', '.join(released)}")
        if not pending:
            waiting = f"; shards {in_flight.waiting_shards} have a run waiting" if in_flight.waiting_shards else ""
            return dg.SkipReason(f"no pending payloads{waiting}")
        # No cursor: what to take is "not yet processed", which the landing table itself records.
        return dg.SensorResult(run_requests=[
            ingest_run_request(context.instance, batch, Shard(index, shard_count))
            for index, batch in by_shard(pending).items()])

    return sensor


@dg.definitions
def sensors() -> dg.Definitions:
    return dg.Definitions(sensors=[landing_sensor(get_settings())])
