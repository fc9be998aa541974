"""How landed payloads become ingest run requests, one per shard of sites.

Sites are split into `MODWATCH_INGEST_SHARDS` shards (a site's shard is its
id modulo the count, computed in `sql/tasks`). Each ingest run takes one
shard's payloads and is tagged with it; the run queue (`dagster.yaml`:
a tag concurrency limit of one per value of `modwatch/shard`) lets at most one
run per shard execute, so runs of different shards go side by side and each
site's payloads still apply one run after another, in the order received.

The landing sensor and `modwatch process` both build runs here, so a run
started either way carries the same config and tags.
"""

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import NamedTuple

import dagster as dg

from sql.tasks import PendingPayload

INGEST_JOB = "ingest"
TASK_TAG = "modwatch/task-"  # + task id; the value is the task's site id
SITE_TAG = "modwatch/site-"  # + site id; the value is how many of its payloads the run takes
SHARD_TAG = "modwatch/shard"  # the shard of sites the run takes; the run queue allows one run per value
SHARDS_TAG = "modwatch/shards"  # how many shards there were when the run was requested
SHARDS_VARIABLE = "MODWATCH_INGEST_SHARDS"
DEFAULT_SHARDS = 4
# Queued or launching: the run has not claimed its payloads yet.
NOT_YET_RUNNING = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
]
IN_FLIGHT = [*NOT_YET_RUNNING, dg.DagsterRunStatus.STARTED]


class Shard(NamedTuple):
    index: int
    count: int


class InFlight(NamedTuple):
    """What the ingest runs not yet ended hold: the landing ids of their batches, and the shards that
    already have a run waiting to start (another would only queue behind it)."""

    taken: list[int]
    waiting_shards: list[int]


def ingest_shards() -> int:
    """How many shards of sites ingest runs are split into (`MODWATCH_INGEST_SHARDS`, default 4)."""
    value = dg.EnvVar(SHARDS_VARIABLE).get_value(str(DEFAULT_SHARDS)) or str(DEFAULT_SHARDS)
    try:
        shards = int(value)
    except ValueError:
        shards = 0
    if shards < 1:
        raise ValueError(f"{SHARDS_VARIABLE} must be a positive whole number, not {value!r}")
    return shards


def run_shard(run: dg.DagsterRun) -> Shard | None:
    """The shard a run was requested for, or None for a run that names none."""
    if SHARD_TAG not in run.tags or SHARDS_TAG not in run.tags:
        return None
    return Shard(int(run.tags[SHARD_TAG]), int(run.tags[SHARDS_TAG]))


def batch_landing_ids(run: dg.DagsterRun) -> list[int]:
    """The landing ids an ingest run was given to claim."""
    config = run.run_config.get("ops", {}).get("normalised_inventory", {}).get("config", {})
    return list(config.get("landing_ids", []))


def ingest_in_flight(instance: dg.DagsterInstance) -> InFlight:
    records = instance.get_run_records(filters=dg.RunsFilter(job_name=INGEST_JOB, statuses=IN_FLIGHT))
    taken, waiting = [], set()
    for record in records:
        run = record.dagster_run
        taken += batch_landing_ids(run)
        shard = run_shard(run)
        if shard is not None and run.status in NOT_YET_RUNNING:
            waiting.add(shard.index)
    return InFlight(taken, sorted(waiting))


def by_shard(pending: Sequence) -> dict[int, list]:
    """Payloads (`sql.tasks.ShardPayload`s) grouped by their shard, in order."""
    shards = defaultdict(list)
    for payload in pending:
        shards[payload.shard].append(payload)
    return dict(shards)


def ingest_run_request(instance: dg.DagsterInstance, pending: Sequence[PendingPayload],
                       shard: Shard | None = None) -> dg.RunRequest:
    ids = [payload.id for payload in pending]
    # The batch's ids are its identity: shards hold disjoint sites, so two shards never share a key.
    run_key = f"landing:{ids[0]}-{ids[-1]}"
    # A batch whose earlier run died before claiming anything gets a fresh key.
    earlier = instance.get_runs_count(filters=dg.RunsFilter(tags={"dagster/run_key": run_key}))
    if earlier:
        run_key = f"{run_key}:retry{earlier}"
    return dg.RunRequest(run_key=run_key, run_config=ingest_run_config(ids), tags=ingest_tags(pending, shard))


def ingest_tags(pending: Sequence[PendingPayload], shard: Shard | None = None) -> dict[str, str]:
    """One tag per task and per site, so the UI's tag filter finds the run of any one of them, and the
    shard, which the run queue limits to one run at a time.

    (One comma-separated tag would not: Dagster filters on whole values, and a
    batch of a few hundred payloads outgrows the index on tag values.)
    """
    sites = Counter(payload.site_id for payload in pending)
    return {
        "modwatch/payloads": str(len(pending)),
        **({SHARD_TAG: str(shard.index), SHARDS_TAG: str(shard.count)} if shard else {}),
        **{f"{TASK_TAG}{payload.task_id}": str(payload.site_id) for payload in pending},
        **{f"{SITE_TAG}{site_id}": str(count) for site_id, count in sorted(sites.items())},
    }


def ingest_run_config(landing_ids: list[int]) -> dict:
    return {"ops": {"normalised_inventory": {"config": {"landing_ids": landing_ids}}}}
