"""Tasks: a landed payload's life (pending → in_progress → completed | failed).

The landing table is the task record. The API reads a task's status and
outcome; the pipeline takes the rest of the lifecycle: find pending payloads,
claim them for a run, report progress, fail one with a reason, complete the
run's merged tasks, and put back the tasks of runs that ended without
finishing them. An operator lists tasks and puts failed ones back to pending.

Sites are split into shards, a site's shard being its id modulo the shard
count: `pending_by_shard` and `claim` compute it the same way, in SQL, so a
run of one shard never takes another shard's payloads and runs of different
shards can go side by side without ever sharing a site.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from sql.query import Query, Statement, operation


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


class PendingPayload(NamedTuple):
    id: int
    task_id: str
    site_id: int
    attempts: int


class ShardPayload(NamedTuple):
    """A payload waiting for a run, with the shard of its site."""

    id: int
    task_id: str
    site_id: int
    attempts: int
    shard: int


class RunHolder(NamedTuple):
    run_id: str


class ClaimedPayload(NamedTuple):
    """A payload a run took: `merged_at` is set when an earlier attempt of the run already merged it."""

    landing_id: int
    task_id: str
    site_id: int
    payload_shape: str
    sync_type: str
    core_version: str | None
    received_at: datetime
    body: bytes
    merged_at: datetime | None


class CompletedTask(NamedTuple):
    task_id: str
    site_id: int


class RunSite(NamedTuple):
    site_id: int


class RetryOutcome(NamedTuple):
    """A task asked to be retried: `retried`, or why not (its `status` is not failed, or `superseded_by`
    names a later payload of its site that was applied since)."""

    task_id: str
    site_id: int
    status: str
    error: str | None
    superseded_by: str | None
    retried: bool


class TaskBrief(NamedTuple):
    task_id: str
    site_id: int
    status: str
    received_at: datetime
    attempts: int
    run_id: str | None
    progress_message: str | None
    error: str | None


class StatusCount(NamedTuple):
    status: str
    tasks: int
    oldest_received_at: datetime


class UnaccountedPayload(NamedTuple):
    task_id: str
    status: str
    run_id: str | None


STATUS = Query.of(__file__, "status", row=TaskRow)
OUTCOME = Query.of(__file__, "outcome", row=TaskOutcome)
PENDING = Query.of(__file__, "pending", row=PendingPayload)
PENDING_BY_SHARD = Query.of(__file__, "pending_by_shard", row=ShardPayload)
HOLDERS = Query.of(__file__, "holders", row=RunHolder)
RELEASE_ABANDONED = Statement.of(__file__, "release_abandoned")
CLAIM_LOCK = Statement.of(__file__, "claim_lock")
CLAIM = Query.of(__file__, "claim", row=ClaimedPayload)
FAIL = Statement.of(__file__, "fail")
PROGRESS = Statement.of(__file__, "progress")
COMPLETE = Query.of(__file__, "complete", row=CompletedTask)
RUN_SITES = Query.of(__file__, "run_sites", row=RunSite)
UNACCOUNTED = Query.of(__file__, "unaccounted", row=UnaccountedPayload)
RETRY = Query.of(__file__, "retry", row=RetryOutcome)
RECENT = Query.of(__file__, "recent", row=TaskBrief)
COUNTS = Query.of(__file__, "counts", row=StatusCount)


def status(conn, *, task_id: UUID, token_hash: bytes | None):
    """One `TaskRow` (NULLs but `token_site_id` when there is no such task)."""
    return STATUS.one(conn, task_id=task_id, token_hash=token_hash)


def outcome(conn, *, task_id: UUID):
    """Where the task stands (`TaskOutcome`), or None."""
    return OUTCOME.one(conn, task_id=task_id)


def pending(conn, *, limit: int):
    """The oldest `limit` payloads waiting for a run (`PendingPayload`s, by id)."""
    return PENDING.all(conn, limit=limit)


def pending_by_shard(conn, *, shards: int, limit: int, taken: Sequence[int] = (), busy: Sequence[int] = ()):
    """The oldest `limit` waiting payloads of each of `shards` shards (`ShardPayload`s, by shard then id),
    leaving out the payloads `taken` by runs in flight and the shards that are `busy`."""
    return PENDING_BY_SHARD.all(conn, shards=shards, limit=limit, taken=list(taken), busy=list(busy))


def holders(conn):
    """The runs holding tasks in progress (`RunHolder`s)."""
    return HOLDERS.all(conn)


def release_abandoned(conn, *, run_ids: Sequence[str], max_attempts: int):
    """Put the tasks of these ended runs back to pending (failed after `max_attempts`); answers how many."""
    return RELEASE_ABANDONED(conn, run_ids=list(run_ids), max_attempts=max_attempts)


@operation
def claim(*, run_id: str, landing_ids: Sequence[int], shards: int = 1, shard: int | None = None):
    """Take these payloads for the run (`ClaimedPayload`s), each site's in the order received, only those
    of shard `shard` of `shards` (None: the shard of the batch's oldest payload).

    Run it inside a transaction: the claims of concurrent runs take turns until it ends."""
    yield CLAIM_LOCK.step()
    return (yield CLAIM.step(run_id=run_id, landing_ids=list(landing_ids), shards=shards, shard=shard))


def fail(conn, *, task_id: str, error: str):
    return FAIL(conn, task_id=task_id, error=error)


def report_progress(conn, *, run_id: str, message: str, done: bool = False):
    """Say where the run's tasks stand (`done`: every module of theirs is processed)."""
    return PROGRESS(conn, run_id=run_id, message=message, done=done)


def complete(conn, *, run_id: str):
    """Complete the run's merged tasks with what the status step found (`CompletedTask`s)."""
    return COMPLETE.all(conn, run_id=run_id)


def run_site_ids(conn, *, run_id: str) -> list[int]:
    """The ids of the sites of the run's merged tasks (on the pipeline's connection: it answers at once)."""
    return [site.site_id for site in RUN_SITES.all(conn, run_id=run_id)]


def unaccounted(conn, *, run_id: str):
    """Payloads the run left unfinished, and failures without a reason (`UnaccountedPayload`s, at most 20)."""
    return UNACCOUNTED.all(conn, run_id=run_id)


def retry(conn, *, task_ids: Sequence[str] = (), every_failed: bool = False, actor: str):
    """Put these failed tasks (or `every_failed` one) back to pending, each audited as `task.retry`.

    Answers one `RetryOutcome` per task found; ids of no task are absent. Run it in a transaction."""
    return RETRY.all(conn, task_ids=list(task_ids), every_failed=every_failed, actor=actor)


def recent(conn, *, status: str | None = None, limit: int = 50):
    """The latest `limit` tasks (`TaskBrief`s), newest first, optionally only those of `status`."""
    return RECENT.all(conn, status=status, limit=limit)


def counts(conn):
    """Tasks per status (`StatusCount`s), with the oldest arrival of each."""
    return COUNTS.all(conn)
