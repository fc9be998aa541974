"""The run launcher: Dagster's default one, able to tell whether a run's worker is still alive.

Dagster's run monitoring fails a STARTED run only when the launcher reports
its worker gone. The default launcher cannot check, so a run whose worker and
code server were killed (OOM, host crash, `kill -9`) would stay STARTED for
ever and hold its payloads. This one asks the run's code server whether it is
still executing the run; a run executed in a CLI process (`modwatch
process`, `releases refresh`) is tagged with that process, which is checked
instead. Only runs of this host are checked: a code server's address means
nothing on another host (the webserver's container under Docker Compose).
`dagster.yaml` names this class as the instance's `run_launcher`.
"""

import json
import os
import socket
from pathlib import Path

import dagster as dg
from dagster._core.errors import DagsterUserCodeUnreachableError
from dagster._core.launcher import CheckRunHealthResult, DefaultRunLauncher, LaunchRunContext, WorkerStatus
from dagster._core.storage.tags import GRPC_INFO_TAG
from dagster._grpc.client import DagsterGrpcClient
from dagster._grpc.types import CanCancelExecutionRequest, CanCancelExecutionResult
from dagster._serdes import deserialize_value

HOST_TAG = "modwatch/host"
PID_TAG = "modwatch/pid"
# With the pid, when that process started: a pid reused by a later process is not the run's.
PROCESS_START_TAG = "modwatch/process-start"
CODE_SERVER_TIMEOUT_SECONDS = 10


def process_start(pid: int) -> str | None:
    """When the process started (clock ticks since boot, from /proc), or None where there is no /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: count from the last ")".
    return stat.rsplit(")", 1)[1].split()[19]


def in_process_tags() -> dict[str, str]:
    """Tags of a run executed in this process, so that a monitor can tell when the process is gone."""
    pid = os.getpid()
    return {HOST_TAG: socket.gethostname(), PID_TAG: str(pid), PROCESS_START_TAG: process_start(pid) or ""}


def process_alive(pid: int, started: str) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process: it exists
    return not started or process_start(pid) in (None, started)


def in_process_health(tags: dict[str, str]) -> CheckRunHealthResult:
    pid = int(tags[PID_TAG])
    if process_alive(pid, tags.get(PROCESS_START_TAG, "")):
        return CheckRunHealthResult(WorkerStatus.RUNNING, f"process {pid} is alive")
    return CheckRunHealthResult(WorkerStatus.FAILED, f"process {pid} that executed the run is gone")


def code_server_health(run_id: str, grpc_info: dict) -> CheckRunHealthResult:
    client = DagsterGrpcClient(port=grpc_info.get("port"), socket=grpc_info.get("socket"),
                               host=grpc_info.get("host"), use_ssl=bool(grpc_info.get("use_ssl", False)))
    where = grpc_info.get("socket") or f"{grpc_info.get('host')}:{grpc_info.get('port')}"
    try:
        answer = deserialize_value(
            client.can_cancel_execution(CanCancelExecutionRequest(run_id=run_id),
                                        timeout=CODE_SERVER_TIMEOUT_SECONDS),
            CanCancelExecutionResult)
    except DagsterUserCodeUnreachableError:
        return CheckRunHealthResult(WorkerStatus.FAILED, f"code server {where} is unreachable")
    if answer.can_cancel:
        return CheckRunHealthResult(WorkerStatus.RUNNING, f"code server {where} is executing the run")
    return CheckRunHealthResult(WorkerStatus.FAILED, f"code server {where} is not executing the run")


def worker_health(run: dg.DagsterRun) -> CheckRunHealthResult:
    """Whether the process executing `run` is alive; RUNNING when there is nothing to check from here."""
    if run.tags.get(HOST_TAG, socket.gethostname()) != socket.gethostname():
        # Launched on another host (the webserver's container, say): its code server's address means
        # nothing here, and a wrong answer would fail a healthy run.
        return CheckRunHealthResult(WorkerStatus.RUNNING, f"launched on {run.tags[HOST_TAG]}: not checked from here")
    if GRPC_INFO_TAG in run.tags:
        return code_server_health(run.run_id, json.loads(run.tags[GRPC_INFO_TAG]))
    if PID_TAG in run.tags:
        return in_process_health(dict(run.tags))
    # Executed somewhere that left no trace (a test, a notebook): only its owner can tell.
    return CheckRunHealthResult(WorkerStatus.RUNNING, "no worker to check")


class MonitoredRunLauncher(DefaultRunLauncher):
    """Launches runs on the code servers, like the default launcher, and checks their workers."""

    def launch_run(self, context: LaunchRunContext) -> None:
        self._instance.add_run_tags(context.dagster_run.run_id, {HOST_TAG: socket.gethostname()})
        super().launch_run(context)

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: dg.DagsterRun) -> CheckRunHealthResult:
        return worker_health(run)
