"""The store: every domain of `sql/`, so callers write `store.sites.get(conn, ...)`.

`sql/` is the only code that holds SQL. Each domain is a folder of `.sql`
files with one module of typed functions beside them (see `sql/query.py` for
how one function serves the async API and the sync pipeline alike).

Domains are imported on first use: the API process never loads the
pipeline's domains, and with them Polars (the frame queries' schemas).
"""

from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what static analysis (and the import contracts) see
    from sql import (  # noqa: F401
        advisories,
        audit,
        baseline,
        catalogue,
        dashboard,
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
        trend,
    )

DOMAINS = ("advisories", "audit", "baseline", "catalogue", "dashboard", "history", "inventory", "landing",
           "releases", "scale", "site_modules", "sites", "statuses", "summaries", "tasks", "trend")
__all__ = list(DOMAINS)


def __getattr__(name: str) -> ModuleType:
    if name not in DOMAINS:
        raise AttributeError(f"the store has no domain {name!r}")
    domain = import_module(f"sql.{name}")
    globals()[name] = domain
    return domain
