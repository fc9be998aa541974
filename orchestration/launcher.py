"""The run launcher: Dagster's default one, starting run workers warm and telling whether one is alive.

Dagster's default launcher asks the code server to start each run, and the
code server spawns a fresh interpreter that imports Dagster, Polars and the
definitions again: seven seconds of a push's wait on two busy cores, longer
than the run itself. This one forks each run worker from a Dagster-aware
`multiprocessing` fork server that imported the code location's module once
(the way Dagster's multiprocess executor starts step workers with
`forkserver`): the worker executes the run as `dagster api execute_run`
would, reports to the same instance and is a run the UI shows like any
other, in a tenth of a second. A code location served by a code server of
its own (`grpc_server`: Compose, Kubernetes), in another Python or not a
module still runs there; `fork_workers: false` in `dagster.yaml` sends every
run to the code servers.

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
import multiprocessing
import os
import signal
import socket
import sys
import threading
from pathlib import Path

import dagster as dg
from dagster._core.code_pointer import ModuleCodePointer
from dagster._core.errors import DagsterUserCodeUnreachableError
from dagster._core.instance.ref import InstanceRef
from dagster._core.launcher import CheckRunHealthResult, DefaultRunLauncher, LaunchRunContext, WorkerStatus
from dagster._core.remote_origin import ManagedGrpcPythonEnvCodeLocationOrigin
from dagster._core.storage.tags import GRPC_INFO_TAG
from dagster._grpc.client import DagsterGrpcClient
from dagster._grpc.types import CanCancelExecutionRequest, CanCancelExecutionResult
from dagster._serdes import deserialize_value, serialize_value
from dagster._utils.interrupts import capture_interrupts

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


def execute_forked_run(instance_ref: str, run_id: str) -> None:
    """A run worker forked from the fork server: execute the run as `dagster api execute_run` does."""
    from dagster._cli.api import _execute_run_command_body

    with capture_interrupts(), dg.DagsterInstance.from_ref(deserialize_value(instance_ref, InstanceRef)) as instance:
        _execute_run_command_body(run_id, instance, lambda event: None, set_exit_code_on_failure=False)


_fork_server_lock = threading.Lock()
_fork_server_preload: list[str] = []


def fork_server(preload: list[str]):
    """This process's fork server context; the server starts on the first fork, importing `preload` (what
    the first caller names: the server imports once)."""
    with _fork_server_lock:
        context = multiprocessing.get_context("forkserver")
        if not _fork_server_preload:
            _fork_server_preload.extend(["dagster", "polars", __name__, *preload])
            context.set_forkserver_preload(_fork_server_preload)
        return context


class MonitoredRunLauncher(DefaultRunLauncher):
    """Launches runs as forked warm workers (or on the code servers, like the default launcher) and checks
    their workers."""

    def __init__(self, inst_data=None, fork_workers: bool = True):
        super().__init__(inst_data=inst_data)
        self._fork_workers = fork_workers

    @classmethod
    def config_type(cls):
        return {"fork_workers": dg.Field(bool, is_required=False, default_value=True,
                                         description="Fork run workers from a warm fork server of this "
                                                     "process; false: start them on the code servers.")}

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(inst_data=inst_data, fork_workers=config_value.get("fork_workers", True))

    def launch_run(self, context: LaunchRunContext) -> None:
        run = context.dagster_run
        self._instance.add_run_tags(run.run_id, {HOST_TAG: socket.gethostname()})
        module = self._forkable_module(run)
        if module is None:
            super().launch_run(context)
            return
        multiprocessing.active_children()  # reap workers that ended
        ref = self._instance.get_ref()
        # The worker's own imports done once in the server: the code location, the instance's storage, the
        # command body that executes a run.
        storage = {data.module_name for data in (ref.storage_data, ref.run_storage_data) if data}
        server = fork_server([module, "dagster._cli.api", *sorted(storage)])
        worker = server.Process(target=execute_forked_run, name=f"dagster-run-{run.run_id}",
                                args=(serialize_value(ref), run.run_id))
        worker.start()
        self._instance.add_run_tags(run.run_id, {PID_TAG: str(worker.pid),
                                                 PROCESS_START_TAG: process_start(worker.pid) or ""})

    def _forkable_module(self, run: dg.DagsterRun) -> str | None:
        """The module of the run's code location when a worker forked here can execute it: a location this
        process serves itself (a workspace's `python_module`), in this very Python. A code server of its
        own (`grpc_server`, another container) keeps its runs."""
        origin, remote = run.job_code_origin, run.remote_job_origin
        if not self._fork_workers or "forkserver" not in multiprocessing.get_all_start_methods():
            return None
        if origin is None or remote is None or not isinstance(
                remote.repository_origin.code_location_origin, ManagedGrpcPythonEnvCodeLocationOrigin):
            return None
        repository = origin.repository_origin
        if repository.executable_path != sys.executable or not isinstance(repository.code_pointer,
                                                                          ModuleCodePointer):
            return None
        return repository.code_pointer.module

    def terminate(self, run_id: str) -> bool:
        run = self._instance.get_run_by_id(run_id)
        if run is None or run.is_finished or GRPC_INFO_TAG in run.tags or PID_TAG not in run.tags:
            return super().terminate(run_id)
        if run.tags.get(HOST_TAG) != socket.gethostname():
            return False
        self._instance.report_run_canceling(run)
        pid = int(run.tags[PID_TAG])
        if not process_alive(pid, run.tags.get(PROCESS_START_TAG, "")):
            return False
        # The worker turns the interrupt into a canceled run, as a code server's worker does.
        os.kill(pid, signal.SIGINT)
        return True

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: dg.DagsterRun) -> CheckRunHealthResult:
        return worker_health(run)
