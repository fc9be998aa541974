"""Demo data for `modwatch up --demo`: three sites, bundled release feeds and advisories.

The demo goes the way a real deployment does. Before the platform starts,
the three sites are registered (or found again by URL, so a second start
does not duplicate them); the platform processes read release feeds from the
bundled folder (`feeds/`, a `file://` base) instead of drupal.org, and
advisories from the bundled files. While the services start, a background
thread loads those advisories by running the platform's own advisory jobs;
once the API answers, it pushes each site's inventory to the HTTP intake with
the site's own token — one of them the way an operator would, through
`clients/modwatch-push` and what drush prints; the landing sensor and the
daemon's ingest run take it from there. When the tasks are done it refreshes
the release data of every project the sites use with the release job, and
prints where to look.

Every load is a Dagster run in the platform's instance (executed in this
process, as `modwatch advisories load` does), so the Dagster UI shows the
advisories, the release data and the statuses as materialized by the runs
that loaded them, not "Never materialized".
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import psycopg
import typer

from modwatch.demo.inventories import DEMO_SITES, DemoSite
from modwatch.jobs import run_job
from modwatch.outcomes import RunOutcome, advisories_summary, releases_summary
from modwatch.runtime import Runtime
from sql import connection, store

if TYPE_CHECKING:  # `up` imports this module before its services start; Dagster loads in the background
    import dagster as dg

DEMO_DIR = Path(__file__).resolve().parent
# The push client ships beside the packages in a checkout (a site installs that one file).
PUSH_CLIENT = DEMO_DIR.parents[1] / "clients" / "modwatch-push"
FEEDS_DIR = DEMO_DIR / "feeds"
ADVISORIES_DIR = DEMO_DIR / "advisories"
# The Drupal 8+ metapackage is what the scheduled advisories job reloads; the
# 7.x one is loaded once at start and kept (advisories are replaced per feed).
CURRENT_ADVISORIES = ADVISORIES_DIR / "drupal-security-advisories-9.x.json"
ADVISORIES_FILES = (ADVISORIES_DIR / "drupal-security-advisories-7.x.json", CURRENT_ADVISORIES)
# The Security Team's OSV advisories of the demo's projects.
OSV_DIR = DEMO_DIR / "osv"
RELEASES_JOB = "refresh_releases"
TREND_JOB = "record_portfolio_trend"
ACTOR = "demo"
FINISHED = ("completed", "failed")


@dataclass(frozen=True)
class RegisteredSite:
    id: int
    site: DemoSite
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def platform_environment() -> dict[str, str]:
    """Release feeds and advisories from the bundled files: the demo needs no internet."""
    return {"MODWATCH_RELEASE_FEED_URL": FEEDS_DIR.as_uri(), "MODWATCH_ADVISORIES_URL": str(CURRENT_ADVISORIES),
            "MODWATCH_OSV_URL": str(OSV_DIR)}


def _same_url(a: str, b: str) -> bool:
    return a.rstrip("/").lower() == b.rstrip("/").lower()


def register_sites(conn: psycopg.Connection) -> list[RegisteredSite]:
    """Register the demo sites, or find them again by URL and issue each a fresh token.

    Tokens are stored only as hashes, so re-using a site means rotating its
    token: the demo pushes with each site's own token, as a real site does.
    """
    existing = store.sites.list_brief(conn)
    registered = []
    for demo in DEMO_SITES:
        found = next((row for row in existing if _same_url(row.url, demo.url)), None)
        if found is None:
            issued = store.sites.create(conn, name=demo.name, url=demo.url, actor=ACTOR)
        else:
            issued = store.sites.rotate_token(conn, site_id=found.id, actor=ACTOR)
        registered.append(RegisteredSite(issued.site.id, demo, issued.token))
    return registered


@dataclass(frozen=True)
class Load:
    """One run that loaded demo data: what it was, what it did (its summary line), whether it worked."""

    what: str
    outcome: RunOutcome
    summary: str
    succeeded: bool


def load_advisories(instance: dg.DagsterInstance) -> list[Load]:
    """Load both bundled metapackages (Drupal 7, Drupal 8+) and the OSV advisories, each in a run of its job."""
    from orchestration.pipeline.advisories import advisories_job_run

    loads = []
    for source in (*ADVISORIES_FILES, OSV_DIR):
        job, run_config = advisories_job_run(str(source))
        outcome = run_job(instance, job, run_config)
        loads.append(Load("advisories", outcome, *advisories_summary(outcome)))
    return loads


def load_release_data(instance: dg.DagsterInstance) -> Load:
    """Fetch the feed of every project the sites use, in a run of the release job (which recomputes statuses).

    The ingest run already fetched the feeds of projects it saw first; this run is the release data as the
    schedule would load it, so the UI shows it loaded. A feed broken on purpose makes it report a failure."""
    outcome = run_job(instance, RELEASES_JOB, {"ops": {"release_data": {"config": {"force": True}}}})
    return Load("release data", outcome, *releases_summary(outcome))


def record_trend(instance: dg.DagsterInstance) -> Load:
    """Record today's point of the portfolio trend, as the hourly schedule would, so the dashboard's trend
    page has a point from the start."""
    outcome = run_job(instance, TREND_JOB, {})
    summary = "portfolio trend: today's point recorded" if outcome.success else "portfolio trend: not recorded"
    return Load("trend", outcome, summary, outcome.success)


def push_inventories(client: httpx.Client, sites: list[RegisteredSite]) -> dict[int, str]:
    """POST each site's inventory to the intake; returns site id -> task id."""
    tasks = {}
    for registered in sites:
        if registered.site.pushed_with_client and PUSH_CLIENT.is_file():
            tasks[registered.id] = push_with_client(str(client.base_url), registered)
            continue
        answer = client.post(f"/api/v1/sites/{registered.id}/modules", json=registered.site.payload(),
                             headers=registered.headers)
        answer.raise_for_status()
        tasks[registered.id] = answer.json()["task_id"]
    return tasks


class PushClientError(RuntimeError):
    pass


def push_with_client(api_url: str, registered: RegisteredSite) -> str:
    """Run `clients/modwatch-push` as the site's cron would, with a drush that prints the site's inventory."""
    with tempfile.TemporaryDirectory(prefix="modwatch-demo-") as scratch:
        folder = Path(scratch)
        printed = folder / "pm-list.json"
        printed.write_text(json.dumps(registered.site.drush_pm_list(), indent=4))
        drush = folder / "drush"
        drush.write_text(f'#!/bin/sh\ncat "{printed}"\n')
        drush.chmod(0o700)
        token_file = folder / "token"
        token_file.write_text(registered.token)
        done = subprocess.run(
            ["sh", str(PUSH_CLIENT), "--url", api_url.rstrip("/"), "--site-id", str(registered.id),
             "--token-file", str(token_file), "--drush", str(drush)],
            capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        raise PushClientError(f"modwatch-push exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout.strip()


@dataclass
class Demo:
    """The registered demo sites, what the platform's processes need to serve them, and the Dagster
    instance the demo's loads are recorded in (the platform's own)."""

    environment: dict[str, str]
    sites: list[RegisteredSite]
    admin_token: str
    # The instance, or what opens it: `up` opens it in the background, so that importing Dagster does not
    # delay the services.
    instance: dg.DagsterInstance | Callable[[], dg.DagsterInstance]
    ui_url: str | None = None  # base of run links; none printed when unset
    loads: list[Load] = field(default_factory=list)

    def load_in_background(self, api_url: str, *, timeout_seconds: float = 240.0) -> threading.Thread:
        """Load the advisories, push the inventories once the API answers, load the release data, then print
        where to look."""
        thread = threading.Thread(target=self._load, args=(api_url, timeout_seconds),
                                  name="modwatch-demo", daemon=True)
        thread.start()
        return thread

    def _load(self, api_url: str, timeout_seconds: float) -> None:
        started = time.monotonic()
        deadline = started + timeout_seconds
        admin = {"Authorization": f"Bearer {self.admin_token}"}
        if callable(self.instance):
            self.instance = self.instance()
        # Before the pushes, as a deployment has its advisories before sites report: no status is ever
        # computed twice at once.
        self.record(load_advisories(self.instance))
        try:
            with httpx.Client(base_url=api_url, timeout=30) as client:
                if not wait_for_health(client, deadline):
                    typer.echo(f"demo: the API at {api_url} did not answer; no demo data pushed", err=True)
                    return
                tasks = push_inventories(client, self.sites)
                by_client = [r.site.name for r in self.sites if r.site.pushed_with_client and PUSH_CLIENT.is_file()]
                typer.echo(f"demo: pushed {len(tasks)} inventories"
                           + (f" ({', '.join(by_client)} with clients/modwatch-push)" if by_client else "")
                           + "; the landing sensor hands them to an ingest run")
                statuses = wait_for_tasks(client, tasks, admin, deadline)
        except (httpx.HTTPError, PushClientError, subprocess.TimeoutExpired) as error:
            typer.echo(f"demo: could not load the demo data: {error}", err=True)
            return
        typer.echo(self.summary(api_url, statuses, time.monotonic() - started))
        # The sites' data is complete; the release data's own run follows (the ingest fetched every feed it
        # needed already), so the summary above waits for nothing but the sites.
        if {task.get("status") for task in statuses.values()} == {"completed"}:
            self.record([load_release_data(self.instance), record_trend(self.instance)])

    def record(self, loads: list[Load]) -> None:
        """Keep the loads for the summary and say at once what each did, with its run."""
        self.loads += loads
        for load in loads:
            typer.echo(f"demo: {load.summary} (run {self.run_url(load.outcome.run_id)})",
                       err=not load.outcome.success)

    def run_url(self, run_id: str) -> str:
        return f"{self.ui_url.rstrip('/')}/runs/{run_id}" if self.ui_url else run_id

    def summary(self, api_url: str, statuses: dict[int, dict], seconds: float) -> str:
        """Where to look: each site's task, the runs that loaded the data, and curl commands to try."""
        states = {task.get("status") for task in statuses.values()}
        outcome = "loaded" if states == {"completed"} else "FAILED" if "failed" in states else "still loading"
        lines = [f"\ndemo {outcome} after {seconds:.0f} s:"]
        lines += [f"  site {registered.id:<4} {registered.site.name:<32} {describe_task(statuses.get(registered.id))}"
                  for registered in self.sites]
        run_urls = sorted({task["run_url"] for task in statuses.values() if task.get("run_url")})
        lines += [f"  {'ingest run':<16} {url}" for url in run_urls]
        lines += [f"  {load.what + ' run':<16} {self.run_url(load.outcome.run_id)}" for load in self.loads]
        # The Drupal 10 site has the most to show: insecure core and contrib, known advisories.
        example = next(r for r in self.sites if r.site.core_version.startswith("10."))
        task_id = statuses.get(example.id, {}).get("task_id", "TASK_ID")
        auth = '-H "Authorization: Bearer $TOKEN"'
        lines += [
            f"Dashboard: {api_url}/ (sign in with the admin token below)",
            "Try:",
            f"  TOKEN={self.admin_token}",
            f"  curl {auth} '{api_url}/api/v1/sites/{example.id}/modules?status=NOT_SECURE'",
            f"  curl {auth} '{api_url}/api/v1/sites/{example.id}/projects'",
            f"  curl {auth} '{api_url}/api/v1/tasks/{task_id}/status'",
        ]
        return "\n".join(lines) + "\n"


def describe_task(task: dict | None) -> str:
    if not task:
        return "not pushed"
    if task["status"] != "completed":
        return f"task {task['status']}" + (f": {task['error']}" if task.get("error") else "")
    result = task.get("result") or {}
    return f"{result.get('modules_processed')} modules, {result.get('security_updates_found')} with security updates"


def wait_for_health(client: httpx.Client, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            if client.get("/health").status_code == 200:
                return True
        except httpx.TransportError:
            pass  # not listening yet
        time.sleep(0.5)
    return False


def wait_for_tasks(client: httpx.Client, tasks: dict[int, str], headers: dict[str, str],
                   deadline: float) -> dict[int, dict]:
    """Poll each task's status until all are finished (or the deadline passes)."""
    statuses: dict[int, dict] = {}
    while True:
        for site_id, task_id in tasks.items():
            if statuses.get(site_id, {}).get("status") not in FINISHED:
                answer = client.get(f"/api/v1/tasks/{task_id}/status", headers=headers)
                answer.raise_for_status()
                statuses[site_id] = answer.json()
        if all(s["status"] in FINISHED for s in statuses.values()) or time.monotonic() > deadline:
            return statuses
        time.sleep(1.0)


def prepare_demo(env: Runtime, instance: dg.DagsterInstance | Callable[[], dg.DagsterInstance],
                 ui_url: str | None = None) -> Demo:
    """Register the demo sites; the advisories, the inventories and the release data follow in the background,
    recorded in `instance` (or the one it opens), while the platform starts (this process's environment must
    hold `platform_environment()` by then)."""
    with connection.connect(env.database_url) as conn:
        sites = register_sites(conn)
    return Demo(environment=platform_environment(), sites=sites, admin_token=env.admin_token, instance=instance,
                ui_url=ui_url)
