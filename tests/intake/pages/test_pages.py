"""Each page of the dashboard over HTTP, on the demo loaded through the real pipeline: what it shows."""

import re

import httpx
import psycopg
import pytest

from tests.support.dashboard import external_assets, signed_in

PAGES = ["/", "/?kind=trouble", "/trend", "/projects/drupal", "/projects/facets"]


def advisory_of(portfolio, site_id: int, project: str) -> str:
    with psycopg.connect(portfolio.database_url) as conn:
        row = conn.execute("SELECT advisory_id FROM advisory_exposures WHERE site_id = %s AND project = %s "
                           "ORDER BY advisory_id LIMIT 1", (site_id, project)).fetchone()
    assert row, f"no advisory affects {project} on site {site_id}"
    return row[0]


def site_rows(html: str) -> list[str]:
    """The site names of the portfolio table, in order."""
    return re.findall(r'<a href="/sites/\d+">([^<]+)</a>', html)


def test_the_portfolio_lists_every_site_trouble_first_with_counts_per_kind(portfolio, admin):
    page = admin.get("/")
    assert page.status_code == 200
    names = site_rows(page.text)
    assert sorted(names) == sorted(registered.site.name for registered in portfolio.sites)
    counts = dict(re.findall(r'data-kind="(\w+)">\s*<strong>(\d+)</strong>', page.text))
    assert int(counts["all"]) == len(portfolio.sites)
    assert int(counts["not_secure"]) >= 2 and int(counts["revoked"]) >= 1 and int(counts["known_vulnerable"]) >= 2
    # Every site of the demo has a problem; the first rows are those with a NOT_SECURE, REVOKED or
    # known-vulnerable project.
    first_row = page.text.split("<tbody>")[1].split("</tr>")[0]
    assert 'class="trouble"' in first_row


def test_the_portfolio_filters_by_kind_and_searches_names_and_urls(portfolio, admin):
    portal, corporate = portfolio.site("11."), portfolio.site("10.2")
    revoked = site_rows(admin.get("/", params={"kind": "revoked"}).text)
    assert revoked == [portal.site.name]  # smart_trim's release was pulled
    insecure = site_rows(admin.get("/", params={"kind": "not_secure"}).text)
    assert {portal.site.name, corporate.site.name} <= set(insecure)
    assert site_rows(admin.get("/", params={"q": "PORTAL"}).text) == [portal.site.name]
    assert site_rows(admin.get("/", params={"q": "corporate.demo"}).text) == [corporate.site.name]
    assert site_rows(admin.get("/", params={"q": "no such site"}).text) == []
    assert site_rows(admin.get("/", params={"q": "100%_\x00"}).text) == []


@pytest.mark.parametrize("query", ["kind=bogus", "page=0", "page=x", "q=" + "x" * 201])
def test_a_bad_portfolio_query_is_a_400_page_naming_it(admin, query):
    answer = admin.get("/?" + query)
    assert answer.status_code == 400 and answer.headers["content-type"].startswith("text/html")
    assert f"the query parameter “{query.split('=')[0]}”" in answer.text
    assert "Sign out" in answer.text  # still the signed-in page frame


def test_the_site_page_is_drupal_s_available_updates_report(portfolio, admin):
    corporate = portfolio.site("10.2")
    page = admin.get(f"/sites/{corporate.id}")
    assert page.status_code == 200
    text = page.text
    assert corporate.site.name in text and corporate.site.url in text
    # Grouped as Drupal groups them, core first.
    assert text.index("<h3>Drupal core</h3>") < text.index("<h3>Contributed projects</h3>") \
        < text.index("<h3>Custom code</h3>")
    rows = dict(re.findall(r'data-project="(\w+)">(.*?)</tr>', text, re.DOTALL))
    core = rows["drupal"]
    assert "Includes:" in core and "node" in core and "system" in core
    assert "Security update:" in core and "10.3.9" in core  # the security release of a supported branch
    assert "Security coverage" in core
    assert 'class="advisory-link" href="/advisories/DRUPAL-CORE-' in core
    facets = rows["facets"]
    assert "Security update:" in facets and "known vulnerable" in facets
    assert re.search(r'href="https://www\.drupal\.org/[^"]+"', facets)  # release pages from the feed
    assert "Security update required!" in rows["ckeditor_uploadimage"]
    assert "Unknown" in rows["corporate_blocks"]


def report_tables(html: str) -> dict[str, list[tuple[str, str]]]:
    """Each table of the site's report by its heading: (row colour, project title) in page order."""
    tables = re.findall(r"<h3>([^<]+)</h3>\s*<table class=\"report\">(.*?)</table>", html, re.DOTALL)
    return {heading: re.findall(r'<tr class="project (\w+)".*?class="project-link"[^>]*>([^<]+)</a>', body,
                                re.DOTALL)
            for heading, body in tables}


def test_the_site_report_sorts_each_table_by_title_and_colours_rows_as_drupal(portfolio, admin):
    portal = portfolio.site("11.")
    tables = report_tables(admin.get(f"/sites/{portal.id}").text)
    contributed = tables["Contributed projects"]
    titles = [title for _, title in contributed]
    assert titles == sorted(titles, key=str.lower) and len(titles) > 3  # by title, whatever the status
    colours = {title: colour for colour, title in contributed + tables.get("Custom code", [])}
    with psycopg.connect(portfolio.database_url) as conn:
        statuses = dict(conn.execute(
            "SELECT coalesce(p.title, sp.project), sp.status::text FROM site_projects sp LEFT JOIN projects p "
            "ON p.name = sp.project AND p.feed_api = 'current' WHERE sp.site_id = %s AND NOT sp.known_vulnerable",
            (portal.id,)).fetchall())
    drupal_colour = {"CURRENT": "ok", "NOT_CURRENT": "warning", "NOT_CHECKED": "warning", "NOT_SECURE": "error",
                     "REVOKED": "error", "NOT_SUPPORTED": "error", "UNKNOWN": "error", "NOT_FETCHED": "error"}
    compared = {title: drupal_colour[status] for title, status in statuses.items() if title in colours}
    assert {"error", "ok"} <= set(compared.values())
    assert {title: colours[title] for title in compared} == compared


def test_the_site_page_lists_its_advisories_syncs_with_runs_and_history(portfolio, admin):
    corporate = portfolio.site("10.2")
    text = admin.get(f"/sites/{corporate.id}").text
    advisories = text.split('id="advisories"')[1].split('id="syncs"')[0]
    assert re.search(r'href="/advisories/DRUPAL-CONTRIB-\d{4}-\d+"', advisories)
    assert re.search(r"CVE-\d{4}-\d+", advisories)
    assert 'href="https://www.drupal.org/sa-' in advisories
    syncs = text.split('id="syncs"')[1].split('id="history"')[0]
    assert "completed" in syncs
    assert re.search(r'class="run-link" href="http://localhost:3000/runs/[0-9a-f-]{36}"', syncs)
    history = text.split('id="history"')[1]
    assert "added" in history and "facets" in history


def test_an_advisory_page_names_the_affected_sites_their_versions_and_the_fix(portfolio, admin):
    corporate = portfolio.site("10.2")
    advisory_id = advisory_of(portfolio, corporate.id, "facets")
    page = admin.get(f"/advisories/{advisory_id.lower()}")  # ids are matched whatever their case
    assert page.status_code == 200
    text = page.text
    assert f"<h1>{advisory_id}</h1>" in text and "drupal.org" in text
    affected = text.split("Affected sites")[1]
    assert f'href="/sites/{corporate.id}"' in affected and 'href="/projects/facets"' in affected
    assert re.search(r'<td class="fix">\d[^<]*</td>', affected)  # the release that fixes it


def test_a_project_page_lists_its_sites_with_versions_statuses_and_the_fix(portfolio, admin):
    corporate = portfolio.site("10.2")
    page = admin.get("/projects/facets")
    assert page.status_code == 200
    assert f'href="/sites/{corporate.id}"' in page.text
    assert 'class="advisory-link" href="/advisories/DRUPAL-CONTRIB-' in page.text
    assert "Newest releases" in page.text and "security update" in page.text


def test_a_site_token_sees_only_its_own_site_on_an_advisory_page(portfolio):
    portal, corporate = portfolio.site("11."), portfolio.site("10.2")
    advisory_id = advisory_of(portfolio, corporate.id, "facets")
    with signed_in(portfolio.base_url, portal.token) as client:
        page = client.get(f"/advisories/{advisory_id}")
    assert page.status_code == 200 and corporate.site.name not in page.text


@pytest.mark.parametrize("path, status", [
    ("/sites/999999", 404), ("/advisories/DRUPAL-CONTRIB-1999-001", 404), ("/projects/no_such_project", 404),
    ("/projects/Not-A-Name", 404), ("/sites/abc", 404), ("/sites/0", 404), ("/advisories/a%20b", 404),
    ("/trend?days=1", 400),
])
def test_unknown_or_malformed_ids_are_a_4xx_page(admin, path, status):
    answer = admin.get(path)
    assert answer.status_code == status and answer.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("path", PAGES)
def test_pages_load_no_asset_from_anywhere_else_and_forbid_it(portfolio, admin, path):
    page = admin.get(path)
    assert page.status_code == 200
    assert external_assets(page.text) == []
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store" and page.headers["x-frame-options"] == "DENY"
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', page.text).group(1)
    css = admin.get(stylesheet)
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert external_assets(css.text) == []


def test_the_site_and_signin_pages_load_no_external_asset_either(portfolio, admin):
    corporate = portfolio.site("10.2")
    assert external_assets(admin.get(f"/sites/{corporate.id}").text) == []
    assert external_assets(admin.get(f"/advisories/{advisory_of(portfolio, corporate.id, 'facets')}").text) == []
    with httpx.Client(base_url=portfolio.base_url) as anonymous:
        assert external_assets(anonymous.get("/signin").text) == []


def test_the_api_keeps_its_routes_beside_the_pages(portfolio, admin):
    assert admin.get("/health").status_code == 200
    sites = admin.get("/api/v1/sites", headers={"Authorization": f"Bearer {portfolio.admin_token}"})
    assert sites.status_code == 200 and sites.json()["total"] == len(portfolio.sites)
    assert admin.get("/api/v1/sites").status_code == 401  # a page session is not an API credential


def test_a_project_s_disabled_modules_are_listed_apart_as_drupal_lists_them(portfolio, admin):
    with psycopg.connect(portfolio.database_url) as conn:
        found = conn.execute(
            "SELECT sm.site_id, sm.project, m.machine_name FROM site_modules sm JOIN modules m ON m.id = sm.module_id "
            "WHERE NOT sm.enabled AND sm.removed_at IS NULL ORDER BY sm.site_id, sm.project LIMIT 1").fetchone()
    assert found, "the demo has no disabled module"
    site_id, project, machine_name = found
    rows = dict(re.findall(r'data-project="(\w+)">(.*?)</tr>', admin.get(f"/sites/{site_id}").text, re.DOTALL))
    disabled = re.search(r"<li>Disabled: ([^<]*)</li>", rows[project])
    assert disabled and machine_name in disabled.group(1).split(", ")
    assert "<li>Enabled: " in rows[project]
