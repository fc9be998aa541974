"""Moved to `orchestration.pipeline.status`; summaries are recounted by `store.summaries` (this module goes
at integration)."""

from orchestration.pipeline.status import refresh_status  # noqa: F401
from sql import summaries


def refresh_security_summaries(conn, site_ids):
    return summaries.rebuild(conn) if site_ids is None else summaries.recount(conn, site_ids=site_ids)
