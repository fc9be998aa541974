"""The trend: the pipeline records one point per day from the stored statuses; the page draws them."""

import re
from datetime import UTC, datetime, timedelta

import dagster as dg
import psycopg
import pytest

from intake.pages.chart import line_chart
from orchestration.defs.resources import PostgresResource
from orchestration.defs.trend.assets import portfolio_trend
from sql import connection, store
from tests.support.dashboard import add_site_project, signed_in
from tests.support.live import ADMIN_TOKEN


def record(database_url: str) -> dict:
    result = dg.materialize([portfolio_trend], resources={"database": PostgresResource(database_url=database_url)})
    assert result.success
    (materialization,) = result.asset_materializations_for_node("portfolio_trend")
    return {name: value.value for name, value in materialization.metadata.items()}


@pytest.fixture
def three_sites(database_url) -> list[int]:
    with connection.connect(database_url) as conn:
        return [store.sites.create(conn, name=f"site {n}", url=f"https://{n}.example.org", actor="test").site.id
                for n in range(3)]


def test_today_s_point_counts_the_projects_in_trouble_and_a_second_recording_replaces_it(database_url, three_sites):
    first, second, third = three_sites
    with psycopg.connect(database_url, autocommit=True) as conn:
        add_site_project(conn, site_id=first, project="drupal", status="NOT_SECURE", known_vulnerable=True,
                         coverage_state="ended")
        add_site_project(conn, site_id=first, project="views", status="NOT_CURRENT", known_vulnerable=True)
        add_site_project(conn, site_id=first, project="webform", status="NOT_SECURE")
        add_site_project(conn, site_id=second, project="smart_trim", status="REVOKED")
        add_site_project(conn, site_id=second, project="linkit", status="NOT_SECURE", removed=True)  # gone
        add_site_project(conn, site_id=third, project="drupal", status="CURRENT", coverage_state="ending_soon")

    point = record(database_url)
    today = datetime.now(UTC).date().isoformat()
    assert point == {"day": today, "sites": 3, "sites_in_trouble": 2, "not_secure_projects": 2,
                     "revoked_projects": 1, "known_vulnerable_projects": 2, "known_vulnerable_sites": 1,
                     "coverage_ended_sites": 1}

    with psycopg.connect(database_url, autocommit=True) as conn:
        add_site_project(conn, site_id=first, project="webform", status="CURRENT")
        add_site_project(conn, site_id=third, project="token", status="NOT_SUPPORTED", known_vulnerable=True)
    again = record(database_url)
    assert (again["not_secure_projects"], again["known_vulnerable_sites"], again["sites_in_trouble"]) == (1, 2, 3)
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT count(*) FROM portfolio_trend").fetchone()[0] == 1


def test_the_trend_page_draws_the_recorded_days(database_url, three_sites, live_app):
    today = datetime.now(UTC).date()
    with psycopg.connect(database_url, autocommit=True) as conn:
        add_site_project(conn, site_id=three_sites[0], project="drupal", status="NOT_SECURE", known_vulnerable=True)
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
        assert values == ["5", "4", "2", "1"]
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
