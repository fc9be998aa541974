"""The demo of `modwatch up --demo`: its three sites go through the real intake,
the real landing sensor and the real ingest job with the bundled feeds and
advisories, and between them show every status of the update report."""

import time
from collections import Counter
from pathlib import Path

import dagster as dg
import pytest

from modwatch import demo
from modwatch.demo.inventories import DEMO_SITES, EXPECTED, EXPECTED_KNOWN_VULNERABLE
from modwatch.runtime import Runtime
from sql import connection
from tests.support.live import ADMIN_TOKEN
from tests.support.platform import Platform

EVERY_STATUS = {"NOT_SECURE", "REVOKED", "NOT_SUPPORTED", "NOT_CURRENT", "CURRENT", "NOT_CHECKED", "UNKNOWN",
                "NOT_FETCHED"}


@pytest.fixture
def demo_platform(api, admin_headers, database_url, monkeypatch):
    """The intake over HTTP and an in-process Dagster, reading the demo's bundled feeds."""
    monkeypatch.setenv("MODWATCH_DATABASE_URL", database_url)
    for name, value in demo.platform_environment().items():
        monkeypatch.setenv(name, value)
    with dg.DagsterInstance.ephemeral() as instance:
        yield Platform(api, admin_headers, database_url, instance)


@pytest.fixture
def runtime(settings, database_url) -> Runtime:
    return Runtime(settings, database_url, ADMIN_TOKEN, embedded_server=None)


def site_module_rows(db) -> list[dict]:
    return db.execute(
        "SELECT s.url, s.id AS site_id, m.machine_name, sm.status, sm.status_reason, sm.known_vulnerable, "
        "sm.advisories FROM site_modules sm JOIN sites s ON s.id = sm.site_id "
        "JOIN modules m ON m.id = sm.module_id WHERE sm.removed_at IS NULL").fetchall()


def load_like_up(platform: Platform, prepared: demo.Demo, timeout_seconds: float = 120) -> None:
    """What `up --demo` does, with this test standing in for the daemon (sensor + ingest runs)."""
    loader = prepared.load_in_background(platform.api.base_url, timeout_seconds=timeout_seconds)
    deadline = time.monotonic() + timeout_seconds
    while loader.is_alive() and time.monotonic() < deadline:
        if platform.run_once() is None:
            time.sleep(0.2)
    loader.join(timeout=5)
    assert not loader.is_alive()


def test_the_demo_shows_every_status_through_the_real_pipeline(demo_platform, runtime, db, capsys):
    prepared = demo.prepare_demo(runtime)
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


def test_every_demo_module_reports_a_consistent_inventory():
    for site in DEMO_SITES:
        names = [module.machine_name for module in site.modules]
        assert len(names) == len(set(names)), site.name
        assert {"system", "node", "user"} <= set(names)
        assert all(m.version == site.core_version for m in site.modules if m.module_type == "core")
    assert {site.shape for site in DEMO_SITES} == {"A", "B"}


def test_a_second_start_reuses_the_demo_sites(demo_platform, runtime, db):
    first = demo.prepare_demo(runtime)
    second = demo.prepare_demo(runtime)

    assert [s.id for s in second.sites] == [s.id for s in first.sites]
    assert db.execute("SELECT count(*) AS n FROM sites").fetchone()["n"] == len(DEMO_SITES)
    # Tokens are only stored hashed, so the second start issued new ones; the old ones stop working.
    site, payload = second.sites[0], second.sites[0].site.payload()
    assert demo_platform.api.post(f"/api/v1/sites/{site.id}/modules", json=payload,
                                  headers=first.sites[0].headers).status_code == 401
    assert demo_platform.api.post(f"/api/v1/sites/{site.id}/modules", json=payload,
                                  headers=site.headers).status_code == 202
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
