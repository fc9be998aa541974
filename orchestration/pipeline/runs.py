"""How a batch of landed payloads becomes an ingest run request.

The landing sensor and `modwatch process` both build runs here, so a run
started either way carries the same config and tags.
"""

from collections import Counter
from collections.abc import Sequence

import dagster as dg

from sql.tasks import PendingPayload

INGEST_JOB = "ingest"
TASK_TAG = "modwatch/task-"  # + task id; the value is the task's site id
SITE_TAG = "modwatch/site-"  # + site id; the value is how many of its payloads the run takes
IN_FLIGHT = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def ingest_in_flight(instance: dg.DagsterInstance) -> str | None:
    """The id of an ingest run still queued or running, if any."""
    runs = instance.get_run_records(
        filters=dg.RunsFilter(job_name=INGEST_JOB, statuses=IN_FLIGHT), limit=1
    )
    return runs[0].dagster_run.run_id if runs else None


def ingest_run_request(instance: dg.DagsterInstance, pending: Sequence[PendingPayload]) -> dg.RunRequest:
    ids = [payload.id for payload in pending]
    run_key = f"landing:{ids[0]}-{ids[-1]}"
    # A batch whose earlier run died before claiming anything gets a fresh key.
    earlier = instance.get_runs_count(filters=dg.RunsFilter(tags={"dagster/run_key": run_key}))
    if earlier:
        run_key = f"{run_key}:retry{earlier}"
    return dg.RunRequest(run_key=run_key, run_config=ingest_run_config(ids), tags=ingest_tags(pending))


def ingest_tags(pending: Sequence[PendingPayload]) -> dict[str, str]:
    """One tag per task and per site, so the UI's tag filter finds the run of any one of them.

    (One comma-separated tag would not: Dagster filters on whole values, and a
    batch of a few hundred payloads outgrows the index on tag values.)
    """
    sites = Counter(payload.site_id for payload in pending)
    return {
        "modwatch/payloads": str(len(pending)),
        **{f"{TASK_TAG}{payload.task_id}": str(payload.site_id) for payload in pending},
        **{f"{SITE_TAG}{site_id}": str(count) for site_id, count in sorted(sites.items())},
    }


def ingest_run_config(landing_ids: list[int]) -> dict:
    return {"ops": {"normalised_inventory": {"config": {"landing_ids": landing_ids}}}}
