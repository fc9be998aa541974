"""The `modwatch` command line as an operator runs it: its own process, its own environment."""

import os
import subprocess
import sys
from pathlib import Path


def cli_environment(home: Path, **variables: str) -> dict[str, str]:
    """This process's environment without any modwatch or Dagster setting, then `MODWATCH_HOME` and `variables`."""
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith(("MODWATCH_", "DAGSTER_")) and name not in ("PGOPTIONS", "XDG_RUNTIME_DIR")}
    return {**environment, "MODWATCH_HOME": str(home), **variables}


def run_cli(*args: str, environment: dict[str, str], timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "modwatch.cli", *args], env=environment, capture_output=True,
                          text=True, timeout=timeout)
