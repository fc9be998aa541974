"""Shared fixtures: a real PostgreSQL, a migrated database, a real HTTP server.

One server for the whole session — the embedded `pgserver`, or the server
named by MODWATCH_TEST_DATABASE_URL. The session gets its own freshly
created database (so concurrent runs never meet), migrated once; every test
that asks for `database_url` starts from empty tables.
"""

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import httpx
import psycopg
import pytest

from foundation.database import drop_database, ensure_database, libpq_url, start_embedded_server
from foundation.settings import Settings
from sql.migrate import upgrade
from tests.support.databases import empty_platform_tables
from tests.support.live import ADMIN_TOKEN, LiveServer, make_settings, serve
from tests.support.platform import Platform
from tests.support.ports import free_port


@pytest.fixture(scope="session")
def database_server(tmp_path_factory) -> Iterator[str]:
    configured = os.environ.get("MODWATCH_TEST_DATABASE_URL")
    if configured:
        yield libpq_url(configured)
        return
    # Not under pytest's basetemp: concurrent pytest sessions prune each other's basetemps.
    home = Path(tempfile.mkdtemp(prefix="modwatch-test-pg-"))
    server = start_embedded_server(home)
    yield server.get_uri()
    server.cleanup()
    shutil.rmtree(home, ignore_errors=True)


def _unique_database_name(purpose: str) -> str:
    return f"modwatch_test_{purpose}_{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def migrated_database_url(database_server) -> Iterator[str]:
    name = _unique_database_name("main")
    url = ensure_database(database_server, name)
    upgrade(url)
    yield url
    drop_database(database_server, name)


@pytest.fixture
def empty_database_url(database_server) -> Iterator[str]:
    """A brand-new database with no schema, dropped afterwards."""
    name = _unique_database_name("empty")
    yield ensure_database(database_server, name)
    drop_database(database_server, name)


@pytest.fixture
def database_url(migrated_database_url) -> str:
    """The session database with every platform table emptied."""
    empty_platform_tables(migrated_database_url)
    return migrated_database_url


@pytest.fixture
def db(database_url) -> Iterator[psycopg.Connection]:
    """An autocommit connection to the test database, rows as dicts."""
    from psycopg.rows import dict_row

    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        yield conn


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return make_settings(tmp_path, database_url)


@pytest.fixture
def live_app(settings):
    """Start the real app over HTTP; returns a function so a test can pick its settings."""
    from intake.main import create_app

    started: list[LiveServer] = []

    def start(app_settings: Settings | None = None) -> LiveServer:
        live = serve(create_app(app_settings or settings))
        started.append(live)
        return live

    yield start
    for live in started:
        live.stop()


@pytest.fixture
def api(live_app) -> Iterator[httpx.Client]:
    """An HTTP client against the real app (default test settings)."""
    live = live_app()
    with httpx.Client(base_url=live.base_url, timeout=30) as client:
        yield client


@pytest.fixture
def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def free_port_url() -> str:
    """A PostgreSQL URL where nothing listens: a database that is down."""
    return f"postgresql://postgres@127.0.0.1:{free_port()}/modwatch"


@pytest.fixture
def platform(api, admin_headers, database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("MODWATCH_DATABASE_URL", database_url)
    # drupal.org is out of reach: feeds come from a local folder (empty unless a test fills it).
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    monkeypatch.setenv("MODWATCH_RELEASE_FEED_URL", feeds.as_uri())
    with dg.DagsterInstance.ephemeral() as instance:
        yield Platform(api, admin_headers, database_url, instance)
