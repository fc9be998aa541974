"""What every modwatch process needs at start: settings, a migrated database, secrets.

`prepare` is the one place that turns configuration into a running
environment, so `up`, `process`, the benchmark and tests all agree on it.
"""

import os
from dataclasses import dataclass
from pathlib import Path

from foundation.database import resolve_database_url
from foundation.secrets import admin_token
from foundation.settings import Settings
from sql.migrate import upgrade

DAGSTER_YAML = Path(__file__).resolve().parent.parent / "orchestration" / "dagster.yaml"


@dataclass
class Runtime:
    settings: Settings
    database_url: str
    admin_token: str
    embedded_server: object | None  # keeps the embedded PostgreSQL alive while referenced

    def child_environment(self) -> dict[str, str]:
        """Environment for child processes: they join this database, never start another."""
        env = dict(os.environ)
        env.update(
            MODWATCH_DATABASE_URL=self.database_url,
            MODWATCH_HOME=str(self.settings.home.resolve()),
            MODWATCH_ADMIN_TOKEN=self.admin_token,
            DAGSTER_HOME=str(self.settings.dagster_home),
        )
        return env


def write_dagster_home(dagster_home: Path) -> None:
    dagster_home.mkdir(parents=True, exist_ok=True)
    (dagster_home / "dagster.yaml").write_text(DAGSTER_YAML.read_text())


def prepare(settings: Settings, *, migrate: bool = True) -> Runtime:
    settings.home.mkdir(parents=True, exist_ok=True)
    database_url, server = resolve_database_url(settings.database_url, settings.home)
    if migrate:
        upgrade(database_url)
    configured = settings.admin_token.get_secret_value() if settings.admin_token else None
    token = admin_token(settings.home, configured)
    write_dagster_home(settings.dagster_home)
    return Runtime(settings, database_url, token, server)
