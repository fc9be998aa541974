"""The landing table as a task queue: find, claim, fail and finish payloads.

Shared by the sensor, the ingest assets and `modwatch process`, so every path
follows the same lifecycle: pending → in_progress (run id) → completed | failed.
"""

from collections.abc import Iterable

import psycopg
from dagster import DagsterInstance

from sql import statement

# Claims are serialised so that two runs can never split one site's payloads.
CLAIM_LOCK_KEY = 0x6D6F6477  # "modw"
MAX_ATTEMPTS = 3


def pending_payloads(conn: psycopg.Connection, limit: int) -> list[dict]:
    return conn.execute(statement("landing_pending"), {"limit": limit}).fetchall()


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
    holders = [row["run_id"] for row in conn.execute(statement("landing_holders")).fetchall()]
    dead = dead_run_ids(instance, holders)
    if dead:
        conn.execute(statement("landing_release_abandoned"), {"run_ids": dead, "max_attempts": MAX_ATTEMPTS})
    return dead


def claim(conn: psycopg.Connection, *, run_id: str, landing_ids: list[int]) -> list[dict]:
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (CLAIM_LOCK_KEY,))
        return conn.execute(
            statement("landing_claim"), {"run_id": run_id, "landing_ids": landing_ids}
        ).fetchall()


def fail(conn: psycopg.Connection, *, task_id: str, error: str) -> None:
    conn.execute(statement("landing_fail"), {"task_id": task_id, "error": error})


def report_progress(conn: psycopg.Connection, *, run_id: str, message: str, done: bool = False) -> None:
    conn.execute(statement("landing_progress"), {"run_id": run_id, "message": message, "done": done})


def complete(conn: psycopg.Connection, *, run_id: str) -> list[dict]:
    return conn.execute(statement("landing_complete"), {"run_id": run_id}).fetchall()


def run_site_ids(conn: psycopg.Connection, *, run_id: str) -> list[int]:
    rows = conn.execute(statement("landing_run_sites"), {"run_id": run_id}).fetchall()
    return [row["site_id"] for row in rows]
