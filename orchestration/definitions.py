"""Dagster entry point (`workspace.yaml` loads this module).

Everything lives under `orchestration/defs/`, one folder per domain
(`ingest/`, `release_data/`, `catalogue/`) with one file per kind inside; the
folder is loaded as a whole (see `[tool.dg]` in pyproject.toml), so adding a
sensor never means editing a list. What the definitions run is in
`orchestration/pipeline/`.
"""

from pathlib import Path

import dagster as dg

defs = dg.load_from_defs_folder(path_within_project=Path(__file__).resolve().parent)
