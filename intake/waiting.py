"""`Prefer: wait=N` (RFC 7240): after landing, wait up to N seconds for the outcome.

N above `MAX_WAIT_SECONDS` is clamped to it; a malformed `wait` preference is
ignored, as RFC 7240 asks of preferences a server cannot honour.
"""

import asyncio
import time
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncEngine

from intake.database import autocommit, is_database_unavailable
from sql import store
from sql.tasks import TaskOutcome

MAX_WAIT_SECONDS = 30
POLL_INTERVAL_SECONDS = 0.1
FINISHED = frozenset({"completed", "failed"})


def preferred_wait_seconds(prefer_headers: list[str]) -> int:
    """The `wait` preference in seconds (0: none), clamped to MAX_WAIT_SECONDS."""
    for header in prefer_headers:
        for preference in header.split(","):
            name, _, value = preference.split(";", 1)[0].partition("=")
            if name.strip().lower() != "wait":
                continue
            value = value.strip().strip('"')
            if value.isdigit():
                return min(int(value), MAX_WAIT_SECONDS)
    return 0


async def wait_for_outcome(engine: AsyncEngine, task_id: UUID, seconds: float) -> TaskOutcome | None:
    """The finished task's outcome, or None if it is not finished in time.

    The payload is already committed: a database failure while waiting just
    ends the wait, and the caller answers 202 as usual.
    """
    deadline = time.monotonic() + seconds
    while (remaining := deadline - time.monotonic()) > 0:
        await asyncio.sleep(min(POLL_INTERVAL_SECONDS, remaining))
        try:
            async with autocommit(engine) as conn:
                outcome = await store.tasks.outcome(conn, task_id=task_id)
        except Exception as error:
            if is_database_unavailable(error):
                return None
            raise
        if outcome is not None and outcome.status in FINISHED:
            return outcome
    return None
