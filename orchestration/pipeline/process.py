"""`modwatch process`: run the ingest job in this process until nothing is pending.

It always ends: the tasks of runs whose worker is gone are put back first, and
when a run can take none of the pending payloads (each waits for an earlier
payload of its site that a live run holds) it stops and says which run.
Each round takes every shard of sites with pending payloads, one run per
shard as the landing sensor requests them, one run after another.
"""

from dataclasses import dataclass, field

import dagster as dg

from orchestration.launcher import in_process_tags
from orchestration.pipeline import landing
from orchestration.pipeline.runs import INGEST_JOB, Shard, by_shard, ingest_run_request, ingest_shards
from sql import tasks
from sql.connection import connect


@dataclass
class Processed:
    """What `process_pending` did, and what is left."""

    runs: list[dg.ExecuteInProcessResult] = field(default_factory=list)
    completed: int = 0
    failed: int = 0
    released_runs: list[str] = field(default_factory=list)  # dead runs whose tasks went back to pending
    waiting: int = 0  # payloads left pending behind `blocking_runs`
    blocking_runs: list[str] = field(default_factory=list)

    @property
    def failed_runs(self) -> list[str]:
        return [run.run_id for run in self.runs if not run.success]


def step_metadata(result: dg.ExecuteInProcessResult, step: str, key: str) -> int:
    """A number a step of the run recorded (0 when the step did not get that far)."""
    for event in result.get_asset_materialization_events():
        if event.asset_key == dg.AssetKey(step):
            value = event.materialization.metadata.get(key)
            return int(value.value) if value is not None else 0
    return 0


def process_pending(database_url: str, instance: dg.DagsterInstance, batch_size: int,
                    max_runs: int | None = None, run_config: dict | None = None) -> Processed:
    """Ingest runs in this process until nothing is pending or nothing can be taken (`run_config` adds to
    each run's own, e.g. its loggers)."""
    from orchestration.definitions import defs

    job = defs.resolve_job_def(INGEST_JOB)
    shards = ingest_shards()
    processed = Processed()
    while max_runs is None or len(processed.runs) < max_runs:
        with connect(database_url, autocommit=True) as conn:
            processed.released_runs += landing.release_abandoned(conn, instance, check_workers=True)
            pending = tasks.pending_by_shard(conn, shards=shards, limit=batch_size)
        if not pending:
            break
        progressed = False
        for index, batch in by_shard(pending).items():
            if max_runs is not None and len(processed.runs) >= max_runs:
                break
            request = ingest_run_request(instance, batch, Shard(index, shards))
            tags = {**request.tags, "dagster/run_key": request.run_key, **in_process_tags()}
            result = job.execute_in_process(run_config={**request.run_config, **(run_config or {})},
                                            instance=instance, tags=tags, raise_on_error=False)
            processed.runs.append(result)
            processed.completed += step_metadata(result, "task_results", "tasks_completed")
            processed.failed += step_metadata(result, "normalised_inventory", "payloads_failed")
            # A failed run is reported as such, not mistaken for one that could take nothing.
            progressed |= not result.success or bool(step_metadata(result, "normalised_inventory",
                                                                    "payloads_claimed"))
        if not progressed:
            with connect(database_url, autocommit=True) as conn:
                processed.blocking_runs = [holder.run_id for holder in tasks.holders(conn)]
                processed.waiting = len(tasks.pending(conn, limit=batch_size))
            break
    return processed
