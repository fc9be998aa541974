"""The ingest job: one run per batch of a shard's landed payloads (requested by the landing sensor)."""

import dagster as dg

from orchestration.defs.ingest.assets import normalised_inventory, site_modules, task_results, update_status
from orchestration.pipeline.runs import INGEST_JOB

ingest_job = dg.define_asset_job(
    INGEST_JOB,
    selection=[normalised_inventory, site_modules, update_status, task_results],
    executor_def=dg.in_process_executor,
    tags={"modwatch/pipeline": "ingest"},
    description="Apply landed inventories: normalise, merge with history, compute status, finish tasks.",
)


@dg.definitions
def ingest() -> dg.Definitions:
    """The job, and where a step's value waits for the next: in the run's memory.

    Dagster's default keeps an asset's value in one file per asset key, shared
    by every run: two ingest runs of different shards side by side would read
    each other's frames and merge the wrong payloads. Every job runs its steps
    in one process, so memory is enough, and nothing piles up on disk.
    """
    return dg.Definitions(jobs=[ingest_job], resources={"io_manager": dg.mem_io_manager})
