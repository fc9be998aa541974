"""Run the Alembic migrations programmatically (the CLI and tests use this)."""

from alembic import command
from alembic.config import Config

from foundation.database import sqlalchemy_url
from sql import MIGRATIONS

# Dagster keeps its own `alembic_version` in the same database; ours must not clash.
VERSION_TABLE = "modwatch_schema_version"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", sqlalchemy_url(database_url).replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)
