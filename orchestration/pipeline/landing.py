"""The landing table as a task queue: find, claim and release payloads.

Shared by the landing sensor, the ingest assets and `modwatch process`, so
every path follows the same lifecycle: pending → in_progress (run id) →
completed | failed (the statements are `sql/tasks/`).

A run that died without ending (its worker killed) is failed by Dagster's run
monitor in the daemon; `modwatch process`, which may run without a daemon,
checks the workers itself with the same launcher check.
"""

from collections.abc import Iterable, Sequence

import dagster as dg
import psycopg
from dagster._core.launcher import WorkerStatus

from orchestration.launcher import worker_health
from orchestration.pipeline.runs import Shard, ingest_shards
from sql import tasks

MAX_ATTEMPTS = 3


def fail_if_worker_gone(instance: dg.DagsterInstance, run: dg.DagsterRun) -> bool:
    """Fail a STARTED run whose worker is gone, as the run monitor would; whether it did."""
    if run.status != dg.DagsterRunStatus.STARTED:
        return False
    health = worker_health(run)
    if health.status != WorkerStatus.FAILED:
        return False
    instance.report_run_failed(run, f"the run's worker is gone ({health.msg}); its payloads go back to pending")
    return True


def dead_run_ids(instance: dg.DagsterInstance, run_ids: Iterable[str], *, check_workers: bool = False) -> list[str]:
    """Runs that hold tasks but will never finish them: unknown to Dagster or ended, and with
    `check_workers`, started runs whose worker is gone (failed here)."""
    dead = []
    for run_id in set(run_ids):
        run = instance.get_run_by_id(run_id)
        if run is None or run.is_finished or (check_workers and fail_if_worker_gone(instance, run)):
            dead.append(run_id)
    return dead


def release_abandoned(conn: psycopg.Connection, instance: dg.DagsterInstance, *,
                      check_workers: bool = False) -> list[str]:
    """Put the tasks of dead runs back to pending; returns the dead run ids (none when a run listed as
    holding tasks completed them before it was looked up: runs of other shards end all the time)."""
    dead = dead_run_ids(instance, (holder.run_id for holder in tasks.holders(conn)), check_workers=check_workers)
    if dead and tasks.release_abandoned(conn, run_ids=dead, max_attempts=MAX_ATTEMPTS):
        return dead
    return []


def claim(conn: psycopg.Connection, *, run_id: str, landing_ids: Sequence[int],
          shard: Shard | None = None) -> list[tasks.ClaimedPayload]:
    """Take the batch's payloads of the run's shard for the run; claims of concurrent runs take turns.

    A run that names no shard takes the shard of its batch's oldest payload under the configured count:
    a run never spans two shards, whatever landing ids it was given."""
    with conn.transaction():
        if shard is None:
            return tasks.claim(conn, run_id=run_id, landing_ids=landing_ids, shards=ingest_shards())
        return tasks.claim(conn, run_id=run_id, landing_ids=landing_ids, shards=shard.count, shard=shard.index)
