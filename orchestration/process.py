"""`modwatch process`: run the ingest job in this process until nothing is pending."""

import dagster as dg
import psycopg
from psycopg.rows import dict_row

from orchestration import landing
from orchestration.requests import INGEST_JOB, ingest_run_request


def process_pending(database_url: str, instance: dg.DagsterInstance, batch_size: int,
                    max_runs: int | None = None) -> list[dg.ExecuteInProcessResult]:
    from orchestration.definitions import defs

    job = defs.resolve_job_def(INGEST_JOB)
    results = []
    while max_runs is None or len(results) < max_runs:
        with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
            landing.release_abandoned(conn, instance)
            pending = landing.pending_payloads(conn, batch_size)
        if not pending:
            break
        request = ingest_run_request(instance, pending)
        tags = {**request.tags, "dagster/run_key": request.run_key}
        results.append(job.execute_in_process(run_config=request.run_config, instance=instance,
                                              tags=tags, raise_on_error=False))
    return results
