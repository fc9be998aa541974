"""Fixtures for pipeline tests on a Dagster home like `modwatch up` writes (the `platform` fixture is shared, in
tests/conftest.py)."""

import dagster as dg
import pytest

from modwatch.runtime import write_dagster_home


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
