"""The landing table as a task queue: find, claim and release payloads.

Shared by the landing sensor, the ingest assets and `modwatch process`, so
every path follows the same lifecycle: pending → in_progress (run id) →
completed | failed (the statements are `sql/tasks/`).
"""

from collections.abc import Iterable, Sequence

import psycopg
from dagster import DagsterInstance

from sql import tasks

MAX_ATTEMPTS = 3


def dead_run_ids(instance: DagsterInstance, run_ids: Iterable[str]) -> list[str]:
    """Runs that hold tasks but will never finish them: unknown to Dagster or ended."""
    dead = []
    for run_id in set(run_ids):
        run = instance.get_run_by_id(run_id)
        if run is None or run.is_finished:
            dead.append(run_id)
    return dead


def release_abandoned(conn: psycopg.Connection, instance: DagsterInstance) -> list[str]:
    """Put the tasks of dead runs back to pending; returns the dead run ids."""
    dead = dead_run_ids(instance, (holder.run_id for holder in tasks.holders(conn)))
    if dead:
        tasks.release_abandoned(conn, run_ids=dead, max_attempts=MAX_ATTEMPTS)
    return dead


def claim(conn: psycopg.Connection, *, run_id: str, landing_ids: Sequence[int]) -> list[tasks.ClaimedPayload]:
    """Take the batch's payloads for the run; claims of concurrent runs take turns."""
    with conn.transaction():
        return tasks.claim(conn, run_id=run_id, landing_ids=landing_ids)
