"""The portfolio's numbers are the API's: /api/v1/sites and /api/v1/reports/security on the same data."""

import re

import pytest


def portfolio_rows(html: str) -> dict[int, dict[str, int | bool]]:
    """Each site row of the portfolio table: its problem badges and project counts, by site id."""
    body = html.split('<table class="sites">')[1].split("</tbody>")[0]
    rows = {}
    for row in re.findall(r"<tr class=\"[^\"]*\">(.*?)</tr>", body, re.DOTALL):
        site_id = int(re.search(r'href="/sites/(\d+)"', row).group(1))
        badge = {label: int(found.group(1)) if (found := re.search(rf"(\d+) {label}</span>", row)) else 0
                 for label in ("NOT_SECURE", "REVOKED", "known vulnerable")}
        cells = re.findall(r"<td>(\d+)</td>", row)
        rows[site_id] = {"not_secure": badge["NOT_SECURE"], "revoked": badge["REVOKED"],
                         "known_vulnerable": badge["known vulnerable"],
                         "coverage_ended": "core coverage ended" in row,
                         "coverage_ending": "core coverage ending" in row, "stale": ">stale</span>" in row,
                         "projects": int(cells[0]), "updates_available": int(cells[1]),
                         "security_updates": int(cells[2])}
    return rows


def headline(html: str) -> dict[str, int]:
    return {kind: int(value) for kind, value in re.findall(r'data-kind="(\w+)">\s*<strong>(\d+)</strong>', html)}


@pytest.fixture
def api(portfolio, admin):
    def get(path: str) -> dict:
        answer = admin.get("/api/v1" + path, headers={"Authorization": f"Bearer {portfolio.admin_token}"})
        assert answer.status_code == 200, answer.text
        return answer.json()

    return get


def test_each_site_s_counts_on_the_portfolio_are_the_api_s(admin, api):
    rows = portfolio_rows(admin.get("/").text)
    sites = api("/sites?limit=100")["items"]
    assert sorted(rows) == sorted(site["id"] for site in sites)
    for site in sites:
        counts = site["project_counts"]
        assert (rows[site["id"]]["projects"], rows[site["id"]]["updates_available"],
                rows[site["id"]]["security_updates"], rows[site["id"]]["stale"]) \
            == (counts["projects"], counts["updates_available"], counts["security_updates"], site["stale"]), site
    report = api("/reports/security?limit=100&coverage_limit=100")
    in_trouble = {item["id"]: item["counts"] for item in report["items"]}
    for site_id, row in rows.items():
        expected = in_trouble.get(site_id, {"not_secure": 0, "revoked": 0, "known_vulnerable": 0})
        assert (row["not_secure"], row["revoked"], row["known_vulnerable"]) \
            == (expected["not_secure"], expected["revoked"], expected["known_vulnerable"]), site_id
    coverage = {item["id"]: item["state"] for item in report["coverage"]}
    assert {site_id for site_id, row in rows.items() if row["coverage_ended"]} \
        == {site_id for site_id, state in coverage.items() if state == "ended"}
    assert {site_id for site_id, row in rows.items() if row["coverage_ending"]} \
        == {site_id for site_id, state in coverage.items() if state == "ending_soon"}


def test_the_portfolio_headline_counts_the_sites_the_api_reports(admin, api):
    counts = headline(admin.get("/").text)
    sites = api("/sites?limit=100")
    report = api("/reports/security?limit=100&coverage_limit=100")
    troubled = [item["counts"] for item in report["items"]]
    states = [item["state"] for item in report["coverage"]]
    assert counts == {
        "all": sites["total"],
        "not_secure": sum(1 for item in troubled if item["not_secure"]),
        "revoked": sum(1 for item in troubled if item["revoked"]),
        "known_vulnerable": sum(1 for item in troubled if item["known_vulnerable"]),
        "coverage_ended": states.count("ended"),
        "coverage_ending": states.count("ending_soon"),
        "stale": sum(1 for site in sites["items"] if site["stale"]),
    }
    assert counts["not_secure"] >= 2 and report["total"] == len(troubled)


@pytest.mark.parametrize("kind", ["not_secure", "revoked", "known_vulnerable", "coverage_ended", "stale"])
def test_each_kind_lists_as_many_sites_as_its_count(admin, kind):
    counts = headline(admin.get("/").text)
    listed = admin.get("/", params={"kind": kind}).text
    assert len(portfolio_rows(listed)) == counts[kind]
    assert re.search(rf"<p class=\"summary\">{counts[kind]} site", listed)
