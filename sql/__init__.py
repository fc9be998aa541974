"""The store: the schema (Alembic migrations) and every SQL statement the platform runs.

This package is the only code that holds SQL. Each domain is a folder
(`sites/`, `landing/`, `tasks/`, `inventory/`, `catalogue/`, `releases/`,
`statuses/`, `summaries/`, ...) of `.sql` files with one module of typed
functions beside them; callers reach them as `store.<domain>.<function>`
(`sql/store.py`). `sql/query.py` runs a statement on the API's async
connections and the pipeline's sync ones alike.
"""

from pathlib import Path

MIGRATIONS = Path(__file__).parent / "migrations"
