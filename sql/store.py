"""The store: every domain of `sql/`, so callers write `store.sites.get(conn, ...)`.

`sql/` is the only code that holds SQL. Each domain is a folder of `.sql`
files with one module of typed functions beside them (see `sql/query.py` for
how one function serves the async API and the sync pipeline alike).
"""

from sql import (
    advisories,
    audit,
    catalogue,
    history,
    inventory,
    landing,
    releases,
    scale,
    site_modules,
    sites,
    statuses,
    summaries,
    tasks,
)

__all__ = [
    "advisories",
    "audit",
    "catalogue",
    "history",
    "inventory",
    "landing",
    "releases",
    "scale",
    "site_modules",
    "sites",
    "statuses",
    "summaries",
    "tasks",
]
