"""Fixtures for pipeline tests: real HTTP intake, real sensor, real ingest job."""

import dagster as dg
import pytest

from modwatch.runtime import write_dagster_home
from tests.support.platform import Platform


@pytest.fixture
def platform(api, admin_headers, database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("MODWATCH_DATABASE_URL", database_url)
    # drupal.org is out of reach: feeds come from a local folder (empty unless a test fills it).
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    monkeypatch.setenv("MODWATCH_RELEASE_FEED_URL", feeds.as_uri())
    with dg.DagsterInstance.ephemeral() as instance:
        yield Platform(api, admin_headers, database_url, instance)


@pytest.fixture
def dagster_home(tmp_path, fresh_database, monkeypatch):
    """A Dagster home on PostgreSQL, as `modwatch up` writes it, over the module's own `fresh_database`."""
    monkeypatch.setenv("MODWATCH_DATABASE_URL", fresh_database)
    home = tmp_path / "home"
    write_dagster_home(home / "dagster")
    return home


@pytest.fixture
def instance(dagster_home):
    with dg.DagsterInstance.from_config(str(dagster_home / "dagster")) as instance:
        yield instance
