"""The ingest job: one run per batch of landed payloads (requested by the landing sensor)."""

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
