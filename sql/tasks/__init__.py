"""Tasks: a landed payload's life (pending → in_progress → completed | failed), as the API reads it.

The landing table is the task record; the pipeline's side of the lifecycle
(claim, progress, completion, failure, release of dead runs) lives here too.
"""

from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from sql.query import Query


class TaskRow(NamedTuple):
    """A task for its status page; `token_site_id` is whose token the caller holds. NULLs for no such task."""

    task_id: UUID | None
    site_id: int | None
    status: str | None
    received_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    run_id: str | None
    progress_current: int | None
    progress_total: int | None
    progress_message: str | None
    result: Any
    error: str | None
    token_site_id: int | None


class TaskOutcome(NamedTuple):
    status: str
    result: Any
    error: str | None


STATUS = Query.of(__file__, "status", row=TaskRow)
OUTCOME = Query.of(__file__, "outcome", row=TaskOutcome)


def status(conn, *, task_id: UUID, token_hash: bytes | None):
    """One `TaskRow` (NULLs but `token_site_id` when there is no such task)."""
    return STATUS.one(conn, task_id=task_id, token_hash=token_hash)


def outcome(conn, *, task_id: UUID):
    """Where the task stands (`TaskOutcome`), or None."""
    return OUTCOME.one(conn, task_id=task_id)
