"""`modwatch process`: run the ingest job in this process until nothing is pending."""

import dagster as dg

from orchestration.pipeline import landing
from orchestration.pipeline.runs import INGEST_JOB, ingest_run_request
from sql import tasks
from sql.connection import connect


def process_pending(database_url: str, instance: dg.DagsterInstance, batch_size: int,
                    max_runs: int | None = None) -> list[dg.ExecuteInProcessResult]:
    from orchestration.definitions import defs

    job = defs.resolve_job_def(INGEST_JOB)
    results = []
    while max_runs is None or len(results) < max_runs:
        with connect(database_url, autocommit=True) as conn:
            landing.release_abandoned(conn, instance)
            pending = tasks.pending(conn, limit=batch_size)
        if not pending:
            break
        request = ingest_run_request(instance, pending)
        tags = {**request.tags, "dagster/run_key": request.run_key}
        results.append(job.execute_in_process(run_config=request.run_config, instance=instance,
                                              tags=tags, raise_on_error=False))
    return results
