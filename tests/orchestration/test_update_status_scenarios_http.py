"""Drupal's Update Status situations end to end: pushed over HTTP, ingested by Dagster, read over HTTP.

The transform test (tests/transforms/test_update_status_drupal_scenarios.py)
decides each situation from the rule of update.compare.inc that Drupal applies;
here the same scenarios go through the product instead: a local server stands
in for drupal.org with the scenarios' feeds, each scenario is one site (Drupal
7 for a 7.x feed, Drupal 10 for a current one: the site's core version picks
the feed generation) that pushes core plus the scenario's project, one module
per datestamp, through the intake; the real landing sensor and ingest job
fetch the feeds and compute statuses; `GET /sites/{id}/projects` must then
show what Drupal shows. The platform work is done once for every site.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import dagster as dg
import httpx
import pytest

from tests.support.databases import empty_platform_tables
from tests.support.feed_server import Answer, FeedServer
from tests.support.live import ADMIN_TOKEN, make_settings, serve
from tests.support.payloads import Module, shape_b
from tests.support.platform import Platform
from tests.support.sites import Site
from tests.transforms.test_update_status_drupal_scenarios import (
    SCENARIO_FEEDS,
    SCENARIOS,
    Scenario,
    expected_row,
)
from transforms.release_feed import parse_release_feed

# Every scenario can be pushed over HTTP as it stands (an empty and a missing version included: the
# intake accepts both). Any scenario left out must be named here with the reason.
NOT_OVER_HTTP: dict[str, str] = {}
END_TO_END = [scenario for scenario in SCENARIOS if scenario.id not in NOT_OVER_HTTP]

CORE_VERSIONS = {"current": "10.3.8", "7.x": "7.100"}
CORE_FEEDS = {
    "current": """<?xml version="1.0" encoding="utf-8"?>
<project xmlns:dc="http://purl.org/dc/elements/1.1/">
<title>Drupal core</title><short_name>drupal</short_name><api_version>current</api_version>
<project_status>published</project_status><supported_branches>10.3.</supported_branches>
<releases><release><name>drupal 10.3.8</name><version>10.3.8</version><status>published</status>
<date>1717200000</date><terms><term><name>Release type</name><value>Bug fixes</value></term></terms></release>
</releases></project>""",
    "7.x": """<?xml version="1.0" encoding="utf-8"?>
<project xmlns:dc="http://purl.org/dc/elements/1.1/">
<title>Drupal core</title><short_name>drupal</short_name><api_version>7.x</api_version>
<project_status>published</project_status><supported_majors>7</supported_majors>
<recommended_major>7</recommended_major><default_major>7</default_major>
<releases><release><name>drupal 7.100</name><version>7.100</version><status>published</status>
<date>1717200000</date><terms><term><name>Release type</name><value>Bug fixes</value></term></terms></release>
</releases></project>""",
}


@dataclass(frozen=True)
class Pushed:
    site: Site
    feed_api: str
    modules: list[str]


def feed_api_of(scenario: Scenario) -> str:
    return parse_release_feed((SCENARIO_FEEDS / f"{scenario.feed}.xml").read_bytes()).project.api_version


def scenario_modules(scenario: Scenario) -> list[Module]:
    """The scenario's project as one module per datestamp; an absent datestamp is left out of the payload."""
    names = [scenario.feed, *(f"{scenario.feed}_sub{index}" for index in range(1, len(scenario.datestamps)))]
    return [Module(name, scenario.version, project=scenario.feed, datestamp=datestamp)
            for name, datestamp in zip(names, scenario.datestamps, strict=True)]


@pytest.fixture(scope="module")
def synced(migrated_database_url, tmp_path_factory) -> Iterator[tuple[Platform, dict[str, Pushed], FeedServer]]:
    """Every scenario's site pushed and ingested once: the platform, each scenario's site, the feed server."""
    from intake.main import create_app

    empty_platform_tables(migrated_database_url)
    with FeedServer() as server, pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("MODWATCH_DATABASE_URL", migrated_database_url)
        monkeypatch.setenv("MODWATCH_RELEASE_FEED_URL", server.base_url)
        for path in SCENARIO_FEEDS.glob("*.xml"):
            body = path.read_bytes()
            api_version = parse_release_feed(body).project.api_version
            server.serve(f"/{path.stem}/{api_version}", Answer(body=body))
        for feed_api, body in CORE_FEEDS.items():
            server.serve(f"/drupal/{feed_api}", Answer(body=body.encode()))

        live = serve(create_app(make_settings(tmp_path_factory.mktemp("scenarios"), migrated_database_url)))
        try:
            with httpx.Client(base_url=live.base_url, timeout=30) as api, \
                    dg.DagsterInstance.ephemeral() as instance:
                platform = Platform(api, {"Authorization": f"Bearer {ADMIN_TOKEN}"}, migrated_database_url,
                                    instance)
                pushed: dict[str, Pushed] = {}
                for index, scenario in enumerate(END_TO_END):
                    feed_api = feed_api_of(scenario)
                    core = CORE_VERSIONS[feed_api]
                    site = platform.add_site(f"scenario-{index:02d}")
                    modules = scenario_modules(scenario)
                    platform.push(site, shape_b([Module("system", core, module_type="core", project="drupal"),
                                                 *modules], core=core))
                    pushed[scenario.id] = Pushed(site, feed_api, sorted(m.machine_name for m in modules))
                # The sensor asks for one run per shard with pending payloads; evaluate it until nothing is
                # left (a bounded number of times: a sensor that never settles fails here, not by hanging).
                for _ in range(20):
                    run = platform.run_once()
                    if run is None:
                        break
                    assert run.success
                else:
                    raise AssertionError("the landing sensor kept requesting runs")
                assert platform.runs, "the ingest job never ran"
                yield platform, pushed, server
        finally:
            live.stop()
            empty_platform_tables(migrated_database_url)


def projects_of(platform: Platform, site: Site) -> dict[str, dict]:
    answer = platform.api.get(f"/api/v1/sites/{site.id}/projects", headers=platform.admin_headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["total"] == len(body["items"]) == 2
    return {item["project"]: item for item in body["items"]}


def test_each_feed_is_fetched_over_http_once_however_many_sites_share_it(synced):
    _, pushed, server = synced
    wanted = {f"/{scenario.feed}/{feed_api_of(scenario)}" for scenario in END_TO_END}
    wanted |= {f"/drupal/{seen.feed_api}" for seen in pushed.values()}
    assert sorted(seen.path for seen in server.requests) == sorted(wanted)
    assert {seen.answered for seen in server.requests} == {200}


def test_every_scenario_runs_end_to_end_but_the_ones_named():
    assert NOT_OVER_HTTP == {}
    assert {scenario.id for scenario in END_TO_END} | NOT_OVER_HTTP.keys() == {s.id for s in SCENARIOS}
    # Both feed generations are exercised over HTTP.
    assert {feed_api_of(scenario) for scenario in END_TO_END} == {"current", "7.x"}


@pytest.mark.parametrize("scenario", END_TO_END, ids=[scenario.id for scenario in END_TO_END])
def test_drupal_scenario_over_http(synced, scenario: Scenario):
    platform, pushed, _ = synced
    seen = pushed[scenario.id]
    row = projects_of(platform, seen.site)[scenario.feed]
    assert {key: row[key] for key in expected_row(scenario)} == expected_row(scenario), scenario.why
    # One project however many modules it has; the project's datestamp is its modules' largest.
    assert row["modules"] == seen.modules
    present = [stamp for stamp in scenario.datestamps if stamp is not None]
    assert row["datestamp"] == (max(present) if present else None)
    assert row["security_update_available"] is bool(scenario.security)
    # Each module row carries its project's status.
    answer = platform.api.get(f"/api/v1/sites/{seen.site.id}/modules", headers=platform.admin_headers)
    assert answer.status_code == 200, answer.text
    assert sorted((m["machine_name"], m["status"]) for m in answer.json()["items"]
                  if m["machine_name"] != "system") == [(name, scenario.status) for name in seen.modules]


def test_core_is_a_project_of_its_own_on_every_site(synced):
    platform, pushed, _ = synced
    for seen in pushed.values():
        core = projects_of(platform, seen.site)["drupal"]
        assert (core["version"], core["modules"], core["status"]) == (
            CORE_VERSIONS[seen.feed_api], ["system"], "CURRENT")
