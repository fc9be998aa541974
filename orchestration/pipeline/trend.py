"""The portfolio trend: today's point, counted from the stored statuses and kept (one per UTC day)."""

import psycopg

from sql import store


def record_today(conn: psycopg.Connection) -> dict:
    """Record (or re-record) today's point; answers it as metadata for the run."""
    point = store.trend.record(conn)
    return {"day": point.day.isoformat(), "sites": point.sites, "sites_in_trouble": point.sites_in_trouble,
            "not_secure_projects": point.not_secure_projects, "revoked_projects": point.revoked_projects,
            "known_vulnerable_projects": point.known_vulnerable_projects,
            "known_vulnerable_sites": point.known_vulnerable_sites,
            "coverage_ended_sites": point.coverage_ended_sites}
