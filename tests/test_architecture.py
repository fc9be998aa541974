"""The layering rule holds: the import-linter contracts in pyproject.toml are kept."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept():
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports, "import-linter is a dev dependency: `make test` installs it"
    run = subprocess.run([lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


def test_the_api_process_never_loads_polars_or_dagster():
    # Polars and Dagster are the pipeline's: an API replica that loaded them would pay their memory for nothing.
    probe = ("import sys\nfrom intake.main import create_app\n"
             "print(sorted(m for m in ('polars', 'dagster') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "[]"
