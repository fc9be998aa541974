"""The portfolio trend: one point per day of the problems across every site, kept by the pipeline."""

from datetime import date, datetime
from typing import NamedTuple

from sql.query import Query


class TrendPoint(NamedTuple):
    day: date
    sites: int
    sites_in_trouble: int
    not_secure_projects: int
    revoked_projects: int
    known_vulnerable_projects: int
    known_vulnerable_sites: int
    coverage_ended_sites: int
    recorded_at: datetime


RECORD = Query.of(__file__, "record", row=TrendPoint)
POINTS = Query.of(__file__, "points", row=TrendPoint)


def record(conn):
    """Count today's point from the stored statuses and keep it, replacing today's earlier one (`TrendPoint`)."""
    return RECORD.one(conn)


def points(conn, *, days: int):
    """The points of the last `days` days, oldest first (`TrendPoint`s)."""
    return POINTS.all(conn, days=days)
