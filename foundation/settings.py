"""Configuration, from the environment only (and a `.env` file).

One `Settings` object describes a deployment. Bad values fail when the object
is built, so a misconfigured process stops at start with a message naming the
variable instead of failing later on the first request.
"""

from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, PositiveInt, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The Drupal Security Team's advisory database (OSV), as an archive of its repository.
OSV_ARCHIVE_URL = "https://github.com/DrupalSecurityTeam/drupal-advisory-database/archive/refs/heads/main.zip"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MODWATCH_", env_file=".env", extra="ignore", frozen=True
    )

    database_url: str | None = Field(
        default=None,
        description="PostgreSQL for platform tables and Dagster storage; unset: embedded server",
    )
    home: Path = Field(
        default=Path(".modwatch"),
        description="Embedded database, Dagster home, generated secrets",
    )
    admin_token: SecretStr | None = Field(
        default=None, description="Bearer token for admin endpoints; generated on first start"
    )
    rate_limit_per_hour: PositiveInt = 60
    max_modules: PositiveInt = 2000
    max_body_bytes: PositiveInt = 10_485_760
    release_feed_url: str = "https://updates.drupal.org/release-history"
    advisories_url: str | None = Field(
        default=None, description="Composer advisories metapackage (URL or file), for Drupal 7 sites")
    osv_url: str = Field(
        default=OSV_ARCHIVE_URL,
        description="Drupal 8+ advisories in OSV form: a directory, a zip or a URL; `none` turns them off")
    sensor_interval_seconds: PositiveInt = 5
    dagster_ui_url: str = Field(
        default="http://localhost:3000", description="Base of run links in task status"
    )
    ingest_batch_size: PositiveInt = Field(
        default=200, description="Most landed payloads one ingest run takes"
    )
    ingest_shards: PositiveInt = Field(
        default=4, description="Shards of sites; one ingest run per shard at a time, shards side by side"
    )
    stale_after_hours: PositiveInt = Field(
        default=48, description="A site with no sync for this long is reported `stale`"
    )

    @field_validator("database_url")
    @classmethod
    def _postgres_only(cls, url: str | None) -> str | None:
        if url is None or url == "":
            return None
        if not url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
            raise ValueError("must be a postgresql:// URL")
        return url

    @field_validator("release_feed_url")
    @classmethod
    def _feed_base(cls, url: str) -> str:
        # The feed client speaks HTTP(S) and reads local folders; any other scheme would fail at every fetch.
        if urlsplit(url).scheme.lower() not in ("http", "https", "file"):
            raise ValueError("must be an http://, https:// or file:// URL")
        return url.rstrip("/")

    @property
    def dagster_home(self) -> Path:
        return self.home.resolve() / "dagster"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
