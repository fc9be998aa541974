"""What every modwatch process needs at start: settings, a migrated database, secrets.

`prepare` is the one place that turns configuration into a running
environment, so `up`, `process`, the benchmark and tests all agree on it.

A running platform (`modwatch up`) holds a lock in `MODWATCH_HOME` for as long
as it runs, and writes beside it the settings it handed its processes
(`platform.env`). Every other command on the same home reads that file under
its own environment, so a second terminal reaches the same database, the same
feeds and the same Dagster instance as the platform it talks to.
"""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from foundation.database import resolve_database_url
from foundation.secrets import admin_token
from foundation.settings import Settings
from sql.migrate import upgrade

DAGSTER_YAML = Path(__file__).resolve().parent.parent / "orchestration" / "dagster.yaml"
LOCK_FILE = "platform.lock"
ENVIRONMENT_FILE = "platform.env"
# Secrets stay out of the file: the admin token is read from its own file under the home.
NOT_SHARED = {"MODWATCH_ADMIN_TOKEN"}


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


class PlatformRunning(RuntimeError):
    def __init__(self, home: Path, pid: str):
        super().__init__(f"a modwatch platform is already running on MODWATCH_HOME={home.resolve()} (pid {pid})")
        self.pid = pid


@contextmanager
def platform_lock(home: Path) -> Iterator[None]:
    """Hold the home's platform lock while the block runs; PlatformRunning if another process holds it.

    An OS lock on the file, not the file's existence: it ends with the process however that ends, so a
    lock file left by a crash is simply taken over.
    """
    home.mkdir(parents=True, exist_ok=True)
    fd = os.open(home / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 32).decode().strip() or "unknown"
        os.close(fd)
        raise PlatformRunning(home, holder) from None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    try:
        yield
    finally:
        (home / ENVIRONMENT_FILE).unlink(missing_ok=True)
        os.ftruncate(fd, 0)
        os.close(fd)


def platform_running(home: Path) -> bool:
    """Whether a platform holds the home's lock now."""
    try:
        fd = os.open(home / LOCK_FILE, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also drops the shared lock, if taken
    return False


def write_platform_environment(home: Path, environment: dict[str, str]) -> None:
    """Record the settings the platform's processes run with, for the commands of other terminals."""
    shared = {name: value for name, value in sorted(environment.items())
              if (name.startswith("MODWATCH_") or name == "DAGSTER_HOME") and name not in NOT_SHARED}
    path = home / ENVIRONMENT_FILE
    path.write_text("".join(f"{name}={value}\n" for name, value in shared.items()))
    path.chmod(0o600)  # the database URL may hold a password


def read_platform_environment(home: Path) -> dict[str, str]:
    """The running platform's settings, or nothing when no platform runs on this home."""
    path = home / ENVIRONMENT_FILE
    if not path.is_file() or not platform_running(home):
        return {}
    lines = (line.partition("=") for line in path.read_text().splitlines())
    return {name: value for name, separator, value in lines if separator}


def join_running_platform(home: Path) -> dict[str, str]:
    """Take the running platform's settings wherever the environment does not set them; answers those taken."""
    taken = {name: value for name, value in read_platform_environment(home).items() if name not in os.environ}
    os.environ.update(taken)
    return taken


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
