"""Running `clients/modwatch-push` as cron would: a stand-in `drush` on PATH, configuration in the environment."""

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

CLIENT = Path(__file__).resolve().parents[2] / "clients" / "modwatch-push"
# The client is POSIX sh: run it with the plainest shell on the machine.
SHELL = next(shell for shell in ("/usr/bin/dash", "/bin/dash", "/bin/sh") if Path(shell).exists())


@dataclass
class ClientRun:
    exit_code: int
    stdout: str
    stderr: str
    seconds: float


def stand_in_drush(bin_dir: Path, printed: Path | None, *, exit_code: int = 0) -> Path:
    """A `drush` that answers `[options] pm-list --format=json` with the file `printed`, as drush does."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    drush = bin_dir / "drush"
    output = f'cat "{printed}"' if printed else 'echo "Drush command terminated abnormally." >&2'
    drush.write_text(
        "#!/bin/sh\n"
        'case " $* " in *" pm-list --format=json "*) ;; *) echo "unexpected: $*" >&2; exit 2 ;; esac\n'
        f"{output}\nexit {exit_code}\n"
    )
    drush.chmod(0o755)
    return drush


def run_client(*args: str, bin_dir: Path, url: str, site_id: int | str, token_file: Path | None,
               timeout: float = 60, **environment: str) -> ClientRun:
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "HOME": str(bin_dir), "MODWATCH_URL": url,
           "MODWATCH_SITE_ID": str(site_id), **environment}
    if token_file is not None:
        env["MODWATCH_TOKEN_FILE"] = str(token_file)
    started = time.monotonic()
    done = subprocess.run([SHELL, str(CLIENT), *args], env=env, capture_output=True, text=True, timeout=timeout)
    return ClientRun(done.returncode, done.stdout, done.stderr, time.monotonic() - started)
