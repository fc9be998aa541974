"""The demo's data shows what the update report is about: a security release listed without an Insecure
mark, core coverage in each of its states, and projects made of several modules.

The feed-level tests read the bundled feeds as the pipeline parses them; the
last test sends the events microsite through the real intake and ingest job
with those feeds and reads what was stored.
"""

import time
from datetime import date
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from modwatch import demo
from modwatch.demo.inventories import (
    DEMO_SITES,
    DRUPAL10_CORPORATE,
    DRUPAL10_EVENTS,
    EXPECTED,
    EXPECTED_CORE_COVERAGE,
)
from sql import connection
from sql import statuses as status_store
from tests.support.platform import Platform
from tests.support.sites import Site
from transforms.release_feed import parse_release_feed
from transforms.security_coverage import security_coverage
from transforms.versions import version_struct

FEEDS = Path(demo.__file__).parent / "feeds"
MODERN_SITES = [site for site in DEMO_SITES if not site.core_version.startswith("7.")]


def current_feed(project: str):
    return parse_release_feed((FEEDS / f"{project}-current.xml").read_bytes())


def installed_version(site, machine_name: str) -> str:
    (module,) = [module for module in site.modules if module.machine_name == machine_name]
    return module.version


@pytest.mark.parametrize("site", [DRUPAL10_CORPORATE, DRUPAL10_EVENTS], ids=lambda site: site.name)
def test_webform_has_a_newer_security_release_its_own_release_not_marked_insecure(site):
    # Drupal (current feeds): NOT_SECURE comes only from the project's status or an Insecure mark on the
    # installed release; a newer security release in a supported branch is listed and makes the project
    # NOT_CURRENT. The feed must hold exactly that situation for the demo to show it.
    feed = current_feed("webform")
    version = installed_version(site, "webform")
    releases = feed.releases
    installed = releases.filter(pl.col("version") == version).row(0, named=True)
    assert not installed["is_insecure"] and feed.project.project_status == "published"
    newer_security = releases.filter(pl.col("is_security_update") & (pl.col("sort_key") > installed["sort_key"])
                                     & pl.col("version").str.starts_with(feed.project.supported_branches[0]))
    assert newer_security["version"].to_list() == ["6.2.8"]
    assert EXPECTED[(site.url, "webform")] == "NOT_CURRENT"


def test_linkit_is_insecure_by_its_own_mark():
    # The contrast: the release the events site runs carries drupal.org's Insecure mark, so NOT_SECURE.
    releases = current_feed("linkit").releases
    assert releases.filter(pl.col("version") == installed_version(DRUPAL10_EVENTS, "linkit"))["is_insecure"].item()
    assert EXPECTED[(DRUPAL10_EVENTS.url, "linkit")] == "NOT_SECURE"


@pytest.mark.parametrize("today", [date(2025, 1, 15), date(2026, 11, 28), date(2040, 1, 1)])
def test_core_coverage_covers_ends_soon_and_has_ended_on_any_day(today):
    # Coverage of 10.x and 11.x is counted in minors (M.m is covered until M.(m+2).0, minus the newest
    # published official minor in the feed: 10.4 and 11.1), never in days, so the demo shows the same
    # three states whenever it runs: corporate 10.2 → 4 - 4 = 0 ended, portal 11.1 → 3 - 1 = 2 covered,
    # events 10.3 → 5 - 4 = 1 ending soon.
    installed = pl.DataFrame({"site_id": list(range(len(MODERN_SITES))),
                              "version": [site.core_version for site in MODERN_SITES]})
    installed = installed.with_columns(v=version_struct(pl.col("version"))).select(
        "site_id", "version", *(pl.col("v").struct.field(name) for name in ("major", "minor", "is_dev", "extra")))
    releases = current_feed("drupal").releases.with_columns(feed_api=pl.lit("current"))

    result = security_coverage(installed.lazy(), releases.lazy(), today=today).collect()

    shown = {MODERN_SITES[row["site_id"]].url: (row["coverage_until_version"], row["coverage_additional_minors"],
                                                row["coverage_state"]) for row in result.to_dicts()}
    assert shown == EXPECTED_CORE_COVERAGE
    assert {state for _, _, state in shown.values()} == {"covered", "ending_soon", "ended"}


@pytest.mark.parametrize("site", MODERN_SITES, ids=lambda site: site.name)
def test_every_modern_site_runs_core_as_many_modules_of_one_project(site):
    # Drupal reports projects: core's modules all belong to `drupal` at the site's core version, so the
    # projects view folds dozens of rows into one.
    core_modules = [module for module in site.modules if module.module_type == "core"]
    assert len(core_modules) >= 20
    assert {module.version for module in core_modules} == {site.core_version}
    assert any(len([m for m in site.modules if (m.project or m.machine_name) == name]) > 1
               for name in {m.project for m in site.modules if m.project})  # a contrib project too


@pytest.fixture
def demo_feeds_platform(api, admin_headers, database_url, monkeypatch):
    monkeypatch.setenv("MODWATCH_DATABASE_URL", database_url)
    for name, value in demo.platform_environment().items():
        monkeypatch.setenv(name, value)
    with dg.DagsterInstance.ephemeral() as instance:
        yield Platform(api, admin_headers, database_url, instance)


def test_the_events_site_through_the_pipeline(demo_feeds_platform, db, database_url):
    platform = demo_feeds_platform
    answer = platform.api.post("/api/v1/sites", json={"name": DRUPAL10_EVENTS.name, "url": DRUPAL10_EVENTS.url},
                               headers=platform.admin_headers)
    assert answer.status_code == 201, answer.text
    site = Site(answer.json()["id"], DRUPAL10_EVENTS.name, DRUPAL10_EVENTS.url, answer.json()["token"])
    platform.push(site, DRUPAL10_EVENTS.payload())
    # The intake lands a payload just after it answers 202: wait for the sensor to see it.
    deadline = time.monotonic() + 30
    while (run := platform.run_once()) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert run is not None and run.success

    rows = db.execute(
        "SELECT m.machine_name, sm.project, sp.status, sp.recommended_version, sp.security_updates, "
        "sp.security_update_available FROM site_modules sm JOIN modules m ON m.id = sm.module_id "
        # a module's status is its project's on the site
        "JOIN site_projects sp ON sp.site_id = sm.site_id AND sp.project = sm.project "
        "WHERE sm.site_id = %s AND sm.removed_at IS NULL", (site.id,)).fetchall()
    by_module = {row["machine_name"]: row for row in rows}
    assert {name: by_module[name]["status"] for (url, name) in EXPECTED if url == site.url} == {
        name: status for (url, name), status in EXPECTED.items() if url == site.url}

    # (a) webform: NOT_CURRENT, recommended 6.2.9, and the security release it lacks is listed.
    webform = by_module["webform"]
    assert (webform["recommended_version"], webform["security_updates"], webform["security_update_available"]) == (
        "6.2.9", ["6.2.8"], True)
    # Core 10.3.6 likewise: 10.4.1 recommended, 10.3.9 listed (10.2.x releases are outside the supported
    # branches and ignored).
    system = by_module["system"]
    assert (system["recommended_version"], system["security_updates"]) == ("10.4.1", ["10.3.9"])
    # (c) every core module is one project with one status.
    core_rows = [row for row in rows if row["project"] == "drupal"]
    assert len(core_rows) == sum(module.module_type == "core" for module in DRUPAL10_EVENTS.modules)
    assert {(row["status"], tuple(row["security_updates"])) for row in core_rows} == {("NOT_CURRENT", ("10.3.9",))}
    core_project = db.execute("SELECT modules FROM site_projects WHERE site_id = %s AND project = 'drupal'",
                              (site.id,)).fetchone()
    assert core_project["modules"] == len(core_rows)

    # (b) coverage from the release data as stored: 10.3 has one more minor, "update to 10.4 soon".
    with connection.connect(database_url) as conn:
        releases = status_store.releases(conn, projects=["drupal"])
    installed = pl.DataFrame({"site_id": [site.id], "version": [DRUPAL10_EVENTS.core_version]}).with_columns(
        v=version_struct(pl.col("version"))).select(
        "site_id", "version", *(pl.col("v").struct.field(name) for name in ("major", "minor", "is_dev", "extra")))
    coverage = security_coverage(installed.lazy(), releases.lazy(), today=date(2026, 11, 28)).collect()
    assert coverage.select("coverage_until_version", "coverage_additional_minors", "coverage_state").row(0) == \
        EXPECTED_CORE_COVERAGE[DRUPAL10_EVENTS.url]
