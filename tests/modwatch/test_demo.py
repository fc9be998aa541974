"""The demo of `modwatch up --demo`: its three sites go through the real intake,
the real landing sensor and the real ingest job with the bundled feeds and
advisories, and between them show every status of the update report. Its
loads are runs of the platform's Dagster instance, on PostgreSQL as `up` keeps
it, so the UI shows every asset materialized."""

from collections import Counter
from pathlib import Path

import dagster as dg
import httpx
import psycopg
import pytest
from psycopg.rows import dict_row

from modwatch import demo
from modwatch.demo.inventories import DEMO_SITES, EXPECTED, EXPECTED_KNOWN_VULNERABLE
from modwatch.runtime import Runtime, write_dagster_home
from sql import connection
from tests.support.dashboard import load_like_up
from tests.support.databases import migrated_database
from tests.support.live import ADMIN_TOKEN, make_settings
from tests.support.platform import Platform

EVERY_STATUS = {"NOT_SECURE", "REVOKED", "NOT_SUPPORTED", "NOT_CURRENT", "CURRENT", "NOT_CHECKED", "UNKNOWN",
                "NOT_FETCHED"}


# What the demo loads, each by a run of its own job; every status asset is materialized by them too.
LOADED_ASSETS = {"security_advisories": "load_advisories", "osv_advisories": "load_osv_advisories",
                 "release_data": "refresh_releases", "portfolio_trend": "record_portfolio_trend"}
STATUS_ASSETS = {"advisory_statuses", "portfolio_status", "update_status"}
NO_STEP_LOG_CAPTURE = """
compute_logs:
  module: dagster._core.storage.noop_compute_log_manager
  class: NoOpComputeLogManager
"""


@pytest.fixture
def platform_database(database_server):
    """A database of the demo's own: the platform tables and Dagster's storage, as `up` keeps them."""
    with migrated_database(database_server, "demo") as url:
        yield url


@pytest.fixture
def demo_platform(live_app, tmp_path, platform_database, admin_headers, monkeypatch):
    """The intake over HTTP and the platform's Dagster instance, reading the demo's bundled feeds."""
    monkeypatch.setenv("MODWATCH_DATABASE_URL", platform_database)
    for name, value in demo.platform_environment().items():
        monkeypatch.setenv(name, value)
    write_dagster_home(tmp_path / "dagster")
    # Here one process stands in for the daemon too: its ingest runs (main thread) and the demo's loads
    # (background thread) may overlap, and each in-process run would redirect the process's stdout and
    # stderr to capture its step logs. `up` runs only the demo's loads in-process, one at a time.
    with (tmp_path / "dagster" / "dagster.yaml").open("a") as instance_config:
        instance_config.write(NO_STEP_LOG_CAPTURE)
    live = live_app(make_settings(tmp_path, platform_database))
    with httpx.Client(base_url=live.base_url, timeout=30) as client, \
            dg.DagsterInstance.from_config(str(tmp_path / "dagster")) as instance:
        yield Platform(client, admin_headers, platform_database, instance)


@pytest.fixture
def platform_db(platform_database):
    with psycopg.connect(platform_database, autocommit=True, row_factory=dict_row) as conn:
        yield conn


@pytest.fixture
def runtime(settings, platform_database) -> Runtime:
    return Runtime(settings, platform_database, ADMIN_TOKEN, embedded_server=None)


def site_module_rows(db) -> list[dict]:
    """Each present module with the status of its project on its site (a project is judged once)."""
    return db.execute(
        "SELECT s.url, s.id AS site_id, m.machine_name, sp.status, sp.status_reason, sp.known_vulnerable, "
        "sp.advisories FROM site_modules sm JOIN sites s ON s.id = sm.site_id "
        "JOIN modules m ON m.id = sm.module_id "
        "JOIN site_projects sp ON sp.site_id = sm.site_id AND sp.project = sm.project "
        "WHERE sm.removed_at IS NULL").fetchall()


def latest_materialization_runs(instance: dg.DagsterInstance, assets) -> dict[str, str | None]:
    """The job of the run that last materialized each asset, from the instance's records (what the UI reads)."""
    jobs = {}
    for asset in assets:
        event = instance.get_latest_materialization_event(dg.AssetKey(asset))
        jobs[asset] = instance.get_run_by_id(event.run_id).job_name if event else None
    return jobs


def test_the_demo_shows_every_status_through_the_real_pipeline(demo_platform, runtime, platform_db, capsys):
    db = platform_db
    prepared = demo.prepare_demo(runtime, demo_platform.instance, ui_url="http://ui.example")
    load_like_up(demo_platform, prepared)

    assert demo_platform.runs and all(run.success for run in demo_platform.runs)
    printed = capsys.readouterr().out
    assert "demo loaded after" in printed, printed
    corporate = next(s for s in prepared.sites if s.site is DEMO_SITES[1])
    assert f"/api/v1/sites/{corporate.id}/modules?status=NOT_SECURE" in printed

    rows = site_module_rows(db)
    assert {row["url"] for row in rows} == {site.url for site in DEMO_SITES}
    by_module = {(row["url"], row["machine_name"]): row for row in rows}
    assert {key: by_module[key]["status"] for key in EXPECTED} == EXPECTED
    assert {row["status"] for row in rows} == EVERY_STATUS
    # Each site has its share of problems, not just one of them.
    for site in DEMO_SITES:
        statuses = Counter(row["status"] for row in rows if row["url"] == site.url)
        assert {"NOT_SECURE", "CURRENT", "UNKNOWN"} <= statuses.keys(), (site.name, statuses)

    vulnerable = {key for key, row in by_module.items() if row["known_vulnerable"]}
    assert vulnerable >= EXPECTED_KNOWN_VULNERABLE
    assert all(by_module[key]["advisories"] for key in EXPECTED_KNOWN_VULNERABLE)

    fetch = {row["name"]: row for row in db.execute("SELECT name, fetch_state, fetch_error FROM projects")}
    assert fetch["gin_toolbar"]["fetch_state"] == "failed" and "parsed" in fetch["gin_toolbar"]["fetch_error"]
    assert fetch["pim_connector"]["fetch_state"] == "not_found"
    tasks = db.execute("SELECT task_id::text AS task_id, site_id FROM landing_payloads").fetchall()
    assert sorted(task["site_id"] for task in tasks) == sorted(site.id for site in prepared.sites)
    assert all(demo_platform.status(task["task_id"])["status"] == "completed" for task in tasks)


def test_every_demo_load_is_a_run_of_the_platforms_instance(demo_platform, runtime, capsys):
    instance = demo_platform.instance
    prepared = demo.prepare_demo(runtime, instance, ui_url="http://ui.example")
    assert latest_materialization_runs(instance, LOADED_ASSETS) == dict.fromkeys(LOADED_ASSETS)
    load_like_up(demo_platform, prepared)

    # Never "Never materialized": each load's asset was materialized by its job's run, as the UI shows it.
    assert latest_materialization_runs(instance, LOADED_ASSETS) == LOADED_ASSETS
    assert None not in latest_materialization_runs(instance, STATUS_ASSETS).values()
    loads = {load.outcome.run_id: load for load in prepared.loads}
    assert [load.what for load in prepared.loads] == ["advisories"] * 3 + ["release data", "trend"]
    recorded = {run.run_id: run for run in instance.get_runs(filters=dg.RunsFilter(run_ids=list(loads)))}
    assert set(recorded) == set(loads)
    assert {run.status for run in recorded.values()} == {dg.DagsterRunStatus.SUCCESS}
    # Each run carries this process, so run monitoring can fail it if the process dies mid-load.
    assert all(run.tags["modwatch/pid"] for run in recorded.values())
    printed = capsys.readouterr()
    assert "demo: OSV advisories loaded: " in printed.out
    assert printed.out.count("demo: advisories loaded: ") == 2
    # The bundled gin_toolbar feed is broken on purpose: the release run says so, by name.
    release, trend = prepared.loads[-2:]
    assert not release.succeeded and "1 failed (gin_toolbar (current): feed could not be parsed" in release.summary
    assert f"demo: {release.summary} (run http://ui.example/runs/{release.outcome.run_id})" in printed.out
    # The summary names the advisory runs; the release data's line follows it.
    assert printed.out.index("demo loaded after") < printed.out.index(f"demo: {release.summary}")
    # Then today's point of the trend, so the dashboard's trend page has one from the start.
    assert trend.succeeded
    assert f"demo: {trend.summary} (run http://ui.example/runs/{trend.outcome.run_id})" in printed.out
    assert all(f"advisories run   http://ui.example/runs/{load.outcome.run_id}" in printed.out
               for load in prepared.loads[:3])


def test_every_demo_module_reports_a_consistent_inventory():
    for site in DEMO_SITES:
        names = [module.machine_name for module in site.modules]
        assert len(names) == len(set(names)), site.name
        assert {"system", "node", "user"} <= set(names)
        assert all(m.version == site.core_version for m in site.modules if m.module_type == "core")
    assert {site.shape for site in DEMO_SITES} == {"A", "B"}


def test_a_second_start_reuses_the_demo_sites(demo_platform, runtime, platform_db):
    db = platform_db
    first = demo.prepare_demo(runtime, demo_platform.instance)
    second = demo.prepare_demo(runtime, demo_platform.instance)

    assert [s.id for s in second.sites] == [s.id for s in first.sites]
    assert db.execute("SELECT count(*) AS n FROM sites").fetchone()["n"] == len(DEMO_SITES)
    # Tokens are only stored hashed, so the second start issued new ones; the old ones stop working.
    site, payload = second.sites[0], second.sites[0].site.payload()
    assert demo_platform.api.post(f"/api/v1/sites/{site.id}/modules", json=payload,
                                  headers=first.sites[0].headers).status_code == 401
    assert demo_platform.api.post(f"/api/v1/sites/{site.id}/modules", json=payload,
                                  headers=site.headers).status_code == 202
    assert all(load.succeeded for load in demo.load_advisories(demo_platform.instance))
    loaded = db.execute("SELECT feed_api, count(*) AS n FROM advisories GROUP BY feed_api ORDER BY 1").fetchall()
    assert [row["feed_api"] for row in loaded] == ["7.x", "current"]


def test_the_platform_reads_only_bundled_files():
    environment = demo.platform_environment()
    assert environment["MODWATCH_RELEASE_FEED_URL"].startswith("file://")
    assert Path(environment["MODWATCH_OSV_URL"]).joinpath("LICENSE").is_file()  # the bundled OSV subset
    assert demo.FEEDS_DIR.joinpath("drupal-7.x.xml").is_file()
    assert demo.FEEDS_DIR.joinpath("drupal-current.xml").is_file()
    assert all(path.is_file() for path in demo.ADVISORIES_FILES)


def test_registration_is_recorded_in_the_audit_log(database_url, runtime, db):
    with connection.connect(database_url) as conn:
        demo.register_sites(conn)
    actions = [row["action"] for row in db.execute("SELECT action FROM audit_log WHERE actor = 'demo'")]
    assert actions.count("site.create") == len(DEMO_SITES)
