"""The trend: the pipeline records one point per day from the stored statuses; the page draws them."""

import re
from datetime import UTC, datetime, timedelta

import dagster as dg
import psycopg
from psycopg.rows import dict_row

from intake.pages.chart import line_chart
from orchestration.defs.resources import PostgresResource
from orchestration.defs.trend.assets import portfolio_trend
from sql import connection, store
from tests.support.dashboard import signed_in
from tests.support.live import ADMIN_TOKEN


def record(database_url: str) -> dict:
    result = dg.materialize([portfolio_trend], resources={"database": PostgresResource(database_url=database_url)})
    assert result.success
    (materialization,) = result.asset_materializations_for_node("portfolio_trend")
    return {name: value.value for name, value in materialization.metadata.items()}


COUNTED = """
SELECT (SELECT count(*) FROM sites) AS sites,
       count(DISTINCT site_id) AS sites_in_trouble,
       count(*) FILTER (WHERE status = 'NOT_SECURE') AS not_secure_projects,
       count(*) FILTER (WHERE status = 'REVOKED') AS revoked_projects,
       count(*) FILTER (WHERE known_vulnerable) AS known_vulnerable_projects,
       count(DISTINCT site_id) FILTER (WHERE known_vulnerable) AS known_vulnerable_sites,
       (SELECT count(*) FROM site_projects WHERE project = 'drupal' AND removed_at IS NULL
          AND security_coverage ->> 'state' = 'ended') AS coverage_ended_sites
FROM site_projects WHERE removed_at IS NULL AND (status IN ('NOT_SECURE', 'REVOKED') OR known_vulnerable)
"""


def counted(database_url: str) -> dict:
    """Today's point as it should be, counted straight from the projects' statuses."""
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        return {"day": datetime.now(UTC).date().isoformat(), **conn.execute(COUNTED).fetchone()}


def test_today_s_point_counts_the_projects_in_trouble_and_a_second_recording_replaces_it(portfolio):
    point = record(portfolio.database_url)
    assert point == counted(portfolio.database_url)
    assert point["not_secure_projects"] >= 4 and point["revoked_projects"] >= 1 and point["known_vulnerable_sites"] >= 3

    # A project's status changes as the status step changes it (statuses and summary in one transaction).
    portal = portfolio.site("11.")
    with connection.connect(portfolio.database_url) as conn:
        (before,) = conn.execute("SELECT status FROM site_projects WHERE site_id = %s AND project = 'token'",
                                 (portal.id,)).fetchone()
        conn.execute("UPDATE site_projects SET status = 'NOT_SECURE' WHERE site_id = %s AND project = 'token'",
                     (portal.id,))
        store.summaries.recount(conn, site_ids=[portal.id])
    try:
        again = record(portfolio.database_url)
        assert again == counted(portfolio.database_url)
        assert again["not_secure_projects"] == point["not_secure_projects"] + 1
        with psycopg.connect(portfolio.database_url) as conn:
            assert conn.execute("SELECT count(*) FROM portfolio_trend WHERE day = %s",
                                (datetime.now(UTC).date(),)).fetchone()[0] == 1
    finally:
        with connection.connect(portfolio.database_url) as conn:
            conn.execute("UPDATE site_projects SET status = %s WHERE site_id = %s AND project = 'token'",
                         (before, portal.id))
            store.summaries.recount(conn, site_ids=[portal.id])
        record(portfolio.database_url)


def test_the_trend_page_draws_the_recorded_days(database_url, live_app):
    today = datetime.now(UTC).date()
    with psycopg.connect(database_url, autocommit=True) as conn:
        # Points the schedule recorded on earlier days.
        for days_ago, not_secure, vulnerable_sites in ((3, 5, 2), (2, 4, 2), (1, 2, 1)):
            conn.execute("INSERT INTO portfolio_trend VALUES (%s, 3, 2, %s, 0, 3, %s, 0, now())",
                         (today - timedelta(days=days_ago), not_secure, vulnerable_sites))
        conn.execute("INSERT INTO portfolio_trend VALUES (%s, 3, 1, 9, 0, 9, 3, 0, now())",
                     (today - timedelta(days=400),))  # older than the chart's window
    record(database_url)
    live = live_app()
    with signed_in(live.base_url, ADMIN_TOKEN) as client:
        page = client.get("/trend")
        assert page.status_code == 200
        polylines = re.findall(r'<polyline class="series ([\w-]+)" points="([^"]+)"', page.text)
        assert [name for name, _ in polylines] == ["not-secure", "vulnerable"]
        assert all(len(points.split()) == 4 for _, points in polylines)
        values = re.findall(r"<title>NOT_SECURE projects: (\d+)</title>", page.text)
        assert values == ["5", "4", "2", "0"]  # today: no site, nothing in trouble
        assert today.isoformat() in page.text and (today - timedelta(days=400)).isoformat() not in page.text
        longer = client.get("/trend", params={"days": 500})
        assert len(re.findall(r"<title>NOT_SECURE projects", longer.text)) == 5


def test_the_trend_page_says_when_nothing_was_recorded_yet(live_app):
    live = live_app()
    with signed_in(live.base_url, ADMIN_TOKEN) as client:
        page = client.get("/trend")
    assert page.status_code == 200 and "No point recorded yet" in page.text and "<svg" not in page.text


def test_the_chart_scales_to_a_round_maximum_and_centres_a_single_day():
    days = [datetime(2026, 11, d, tzinfo=UTC).date() for d in (1, 2, 3)]
    chart = line_chart(days, {"a": ("a", [0, 7, 3])})
    assert [value for _, value in chart.y_ticks] == [0, 2, 4, 6, 8]
    (series,) = chart.series
    xs = [x for x, _, _ in series.points]
    assert xs[0] == chart.plot_left and xs[-1] == chart.plot_right and xs == sorted(xs)
    ys = [y for _, y, _ in series.points]
    assert ys[0] == chart.plot_bottom and ys[1] < ys[2] < ys[0]  # larger values are higher up
    single = line_chart(days[:1], {"a": ("a", [0])})
    assert single.series[0].points[0][0] == (chart.plot_left + chart.plot_right) / 2
    assert [value for _, value in single.y_ticks] == [0, 1, 2, 3, 4]
