"""A snapshot of the definitions: a renamed job, a changed selection, sensor or schedule fails here."""

import dagster as dg
import pytest

from foundation.settings import Settings
from orchestration.defs.ingest.sensors import landing_sensor
from orchestration.defs.resources import OsvDatabaseResource, ReleaseFeedResource, SecurityAdvisoriesResource

JOBS = {
    "ingest": ["normalised_inventory", "site_modules", "task_results", "update_status"],
    "load_advisories": ["portfolio_status", "security_advisories"],
    "load_osv_advisories": ["advisory_statuses", "osv_advisories"],
    "reconcile": ["portfolio_status"],
    "record_portfolio_trend": ["portfolio_trend"],
    "refresh_releases": ["portfolio_status", "release_data"],
}
# The landing sensor's minimum interval is a second under the configured 5 s, so the daemon's 5-second
# sensor loop evaluates it on every pass.
SENSORS = {"catalog_sensor": ("reconcile", 30), "landing_sensor": ("ingest", 4)}
SCHEDULES = {
    "load_advisories_schedule": ("load_advisories", "30 */6 * * *"),
    "load_osv_advisories_schedule": ("load_osv_advisories", "45 */6 * * *"),
    "reconcile_schedule": ("reconcile", "15 3 * * *"),
    "record_portfolio_trend_schedule": ("record_portfolio_trend", "50 * * * *"),
    "refresh_releases_schedule": ("refresh_releases", "0 */6 * * *"),
}
CHECKS = {
    ("portfolio_status", "no_status_drift"),
    ("site_modules", "no_duplicate_site_modules"),
    ("site_modules", "no_orphan_rows"),
    ("task_results", "every_payload_accounted_for"),
}
# Each asset's upstream assets: the lineage the UI draws. Release data and advisories are loaded by runs of
# their own, and reach statuses both through the ingest run's status step and through the recomputations.
UPSTREAM = {
    "advisory_statuses": ["osv_advisories"],
    "normalised_inventory": [],
    "osv_advisories": [],
    "portfolio_status": ["osv_advisories", "release_data", "security_advisories"],
    "portfolio_trend": ["portfolio_status", "update_status"],
    "release_data": [],
    "security_advisories": [],
    "site_modules": ["normalised_inventory"],
    "task_results": ["update_status"],
    "update_status": ["osv_advisories", "release_data", "security_advisories", "site_modules"],
}
# io_manager: the ingest job keeps its step values in memory (runs side by side never share frames).
RESOURCES = ["database", "io_manager", "osv_database", "release_feeds", "security_advisories"]


@pytest.fixture
def repository(monkeypatch, database_url) -> dg.RepositoryDefinition:
    monkeypatch.setenv("MODWATCH_DATABASE_URL", database_url)
    from orchestration.definitions import defs

    return defs.get_repository_def()


def test_jobs_and_their_asset_selections(repository):
    jobs = {job.name: sorted(key.to_user_string() for key in job.asset_layer.selected_asset_keys)
            for job in repository.get_all_jobs() if not job.name.startswith("__")}
    assert jobs == JOBS


def test_sensors_with_their_jobs_and_intervals(repository):
    sensors = {sensor.name: (sensor.job_name, sensor.minimum_interval_seconds) for sensor in repository.sensor_defs}
    assert sensors == SENSORS


def test_schedules_with_their_jobs_and_cron_strings(repository):
    schedules = {schedule.name: (schedule.job_name, schedule.cron_schedule) for schedule in repository.schedule_defs}
    assert schedules == SCHEDULES


def test_asset_checks(repository):
    checks = {(key.asset_key.to_user_string(), key.name) for key in repository.asset_graph.asset_check_keys}
    assert checks == CHECKS


def test_the_asset_graph_shows_how_release_data_and_advisories_reach_statuses(repository):
    graph = repository.asset_graph
    upstream = {key.to_user_string(): sorted(parent.to_user_string() for parent in graph.get(key).parent_keys)
                for key in graph.get_all_asset_keys()}
    assert upstream == UPSTREAM


def test_resources(monkeypatch, database_url):
    monkeypatch.setenv("MODWATCH_DATABASE_URL", database_url)
    from orchestration.definitions import defs

    assert sorted(defs.resources) == RESOURCES


def test_the_landing_sensor_takes_its_interval_and_batch_size_from_the_settings_given():
    sensor = landing_sensor(Settings(_env_file=None, sensor_interval_seconds=11, ingest_batch_size=3))
    assert (sensor.name, sensor.job_name, sensor.minimum_interval_seconds) == ("landing_sensor", "ingest", 10)


def test_settings_with_a_default_are_read_from_the_environment_as_they_are_used(monkeypatch, tmp_path):
    from foundation.settings import OSV_ARCHIVE_URL
    from orchestration.pipeline.feeds import FeedRequest

    monkeypatch.delenv("MODWATCH_ADVISORIES_URL", raising=False)
    assert SecurityAdvisoriesResource().source is None
    assert SecurityAdvisoriesResource(url="advisories.json").source == "advisories.json"
    monkeypatch.setenv("MODWATCH_ADVISORIES_URL", "https://example.org/advisories.json")
    assert SecurityAdvisoriesResource().source == "https://example.org/advisories.json"

    monkeypatch.delenv("MODWATCH_OSV_URL", raising=False)
    assert OsvDatabaseResource().source == OSV_ARCHIVE_URL and OsvDatabaseResource().enabled
    monkeypatch.setenv("MODWATCH_OSV_URL", "none")
    assert not OsvDatabaseResource().enabled
    assert OsvDatabaseResource(url=str(tmp_path)).source == str(tmp_path)

    (tmp_path / "token-current.xml").write_bytes(b"<project/>")
    monkeypatch.setenv("MODWATCH_RELEASE_FEED_URL", tmp_path.as_uri())
    (answer,) = ReleaseFeedResource().fetch([FeedRequest("token", "current")])
    assert (answer.outcome, answer.body) == ("ok", b"<project/>")
    assert Settings.model_fields["release_feed_url"].default == "https://updates.drupal.org/release-history"


def test_the_landing_sensor_takes_at_most_the_batch_size_given(platform):
    from orchestration.defs.resources import PostgresResource
    from tests.support.payloads import Module, shape_b

    site = platform.add_site("batched")
    for patch in range(4):
        platform.push(site, shape_b([Module("token", f"8.x-1.{patch}")]))
    context = dg.build_sensor_context(
        instance=platform.instance, resources={"database": PostgresResource(database_url=platform.database_url)})
    result = landing_sensor(Settings(_env_file=None, ingest_batch_size=3))(context)
    (request,) = result.run_requests
    assert request.tags["modwatch/payloads"] == "3" and result.cursor is None
