"""Running a Dagster job from the command line or the demo: in this process, recorded in the platform's instance.

A load asked for by hand (`modwatch releases refresh`, `advisories load`) or
done by the demo is a run like any the daemon launches: the Dagster UI lists
it, its assets show it as their latest materialization, and the run carries
this process's id so that run monitoring fails it should the process die.
The process's environment must already hold the platform's settings (the
database, the feed and advisory sources): the job's resources read them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from modwatch.outcomes import RunOutcome, run_outcome

if TYPE_CHECKING:  # imported by the demo before the platform starts: Dagster is imported when a job runs
    import dagster as dg


def console_logging(verbose: bool) -> dict:
    """Run config for Dagster's console logger: its DEBUG stream only when asked for."""
    return {"loggers": {"console": {"config": {"log_level": "DEBUG" if verbose else "CRITICAL"}}}}


def run_job(instance: dg.DagsterInstance, job_name: str, run_config: dict, *, verbose: bool = False) -> RunOutcome:
    """Execute job `job_name` here with `run_config`; what it did, as its run recorded it."""
    from orchestration.definitions import defs
    from orchestration.launcher import in_process_tags

    result = defs.resolve_job_def(job_name).execute_in_process(
        run_config={**run_config, **console_logging(verbose)}, instance=instance, raise_on_error=False,
        tags=in_process_tags())
    return run_outcome(result)
