"""The platform under test: the intake over real HTTP plus the real Dagster side.

Pipeline tests (tests/orchestration) and read tests that want really
processed data (tests/intake) drive the same landing sensor and ingest job.
"""

from dataclasses import dataclass, field

import dagster as dg
import httpx

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
        """One sensor evaluation and, if it asks for one, the ingest run it requests."""
        from orchestration.definitions import defs

        result = self.evaluate_sensor()
        if isinstance(result, dg.SkipReason):
            return None
        (request,) = result.run_requests
        run = defs.resolve_job_def("ingest").execute_in_process(
            run_config=request.run_config, instance=self.instance,
            tags={**request.tags, "dagster/run_key": request.run_key},
        )
        self.runs.append(run)
        return run

    def status(self, task_id: str, headers: dict[str, str] | None = None) -> dict:
        answer = self.api.get(f"/api/v1/tasks/{task_id}/status", headers=headers or self.admin_headers)
        assert answer.status_code == 200, answer.text
        return answer.json()
