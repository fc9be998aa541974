"""Fixtures for pipeline tests: real HTTP intake, real sensor, real ingest job."""

import dagster as dg
import pytest

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
