"""The platform under test: the intake over real HTTP plus the real Dagster side.

Pipeline tests (tests/orchestration) and read tests that want really
processed data (tests/intake) drive the same landing sensor and ingest job,
in this process (`Platform`) or in the real Dagster daemon (`DaemonPlatform`).
"""

import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import httpx

from modwatch.supervisor import Supervisor, platform_services
from orchestration.defs.resources import PostgresResource
from tests.support.sites import Site


@dataclass
class Platform:
    """The intake over HTTP plus the Dagster side, on one test database."""

    api: httpx.Client
    admin_headers: dict[str, str]
    database_url: str
    instance: dg.DagsterInstance
    runs: list[dg.ExecuteInProcessResult] = field(default_factory=list)

    def add_site(self, name: str = "site") -> Site:
        url = f"https://{name}.example.org"
        answer = self.api.post("/api/v1/sites", json={"name": name, "url": url}, headers=self.admin_headers)
        assert answer.status_code == 201, answer.text
        body = answer.json()
        return Site(body["id"], body["name"], url, body["token"])

    def push(self, site: Site, payload: dict, **headers) -> str:
        answer = self.api.post(f"/api/v1/sites/{site.id}/modules", json=payload,
                               headers={**site.headers, **headers})
        assert answer.status_code == 202, answer.text
        return answer.json()["task_id"]

    def evaluate_sensor(self):
        from orchestration.definitions import defs

        landing_sensor = defs.get_repository_def().get_sensor_def("landing_sensor")
        context = dg.build_sensor_context(
            instance=self.instance,
            resources={"database": PostgresResource(database_url=self.database_url)},
        )
        return landing_sensor(context)

    def run_once(self) -> dg.ExecuteInProcessResult | None:
        """One sensor evaluation and the ingest runs it requests (one per shard with pending payloads),
        executed one after another: the last of them, or None when it requests none."""
        from orchestration.definitions import defs

        result = self.evaluate_sensor()
        if isinstance(result, dg.SkipReason):
            return None
        runs = [defs.resolve_job_def("ingest").execute_in_process(
            run_config=request.run_config, instance=self.instance,
            tags={**request.tags, "dagster/run_key": request.run_key})
            for request in result.run_requests]
        self.runs += runs
        return runs[-1]

    def status(self, task_id: str, headers: dict[str, str] | None = None) -> dict:
        answer = self.api.get(f"/api/v1/tasks/{task_id}/status", headers=headers or self.admin_headers)
        assert answer.status_code == 200, answer.text
        return answer.json()


WORKSPACE = Path(__file__).resolve().parents[2] / "workspace.yaml"


class DaemonPlatform:
    """The real Dagster daemon (with the code server and run workers it starts) on its own database and
    Dagster home, started and killed as an operator or a crash would: `start()`, `kill()` (SIGKILL of the
    whole process group), `start()` again."""

    def __init__(self, environment: dict[str, str], log: Path):
        self.environment = environment
        self._log = log
        self._supervisor: Supervisor | None = None
        self._output = None

    def start(self) -> None:
        self._output = self._log.open("ab")
        self._supervisor = Supervisor(self.environment, output=self._output)
        daemon = next(service for service in platform_services(api_port=0, ui_port=0, workspace=str(WORKSPACE))
                      if service.name == "dagster-daemon")
        self._supervisor.start(daemon)

    def kill(self) -> None:
        """Kill the daemon, its code server and the run worker at once, leaving no chance to clean up."""
        os.killpg(self._supervisor.process("dagster-daemon").pid, signal.SIGKILL)
        self._supervisor.process("dagster-daemon").wait()
        self._output.close()

    def stop(self) -> None:
        if self._supervisor:
            self._supervisor.stop(grace_seconds=10)
        if self._output:
            self._output.close()

    def log_tail(self, characters: int = 4000) -> str:
        return self._log.read_text(errors="replace")[-characters:]


def wait_until(condition, *, timeout_seconds: float, interval: float = 0.5, what: str = "the condition"):
    """Poll `condition` until it answers something truthy; that answer, or AssertionError after the timeout."""
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        answer = condition()
        if answer:
            return answer
        time.sleep(interval)
    raise AssertionError(f"{what} did not happen within {timeout_seconds:.0f} s")
