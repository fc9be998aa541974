"""Admin deletions keep the security report's summaries right, as the pipeline's status step does.

The same statements and the same lock as `orchestration.status.refresh_security_summaries`,
run in the deleting transaction, so the report never counts what is gone.
"""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncConnection

from sql import statement


async def recount_security_summaries(conn: AsyncConnection, *, site_ids: Sequence[int] = (),
                                     module_ids: Sequence[int] = ()) -> None:
    """Recount the summaries of these sites and of these modules (and of every module the sites have)."""
    await conn.exec_driver_sql(statement("summary_lock"))
    if site_ids:
        await conn.exec_driver_sql(statement("summary_sites_refresh"), {"site_ids": list(site_ids)})
    await conn.exec_driver_sql(statement("summary_modules_refresh"),
                               {"site_ids": list(site_ids), "module_ids": list(module_ids)})
