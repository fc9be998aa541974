"""What a site's token reaches through every page and parameter: its own site's rows, and public release data."""

import psycopg
import pytest

from intake.pages.rendering import HERE, templates
from tests.support.dashboard import signed_in


def only_on(portfolio, site_id: int) -> str:
    """A project of `site_id` that no other site of the demo runs and drupal.org does not publish (custom)."""
    with psycopg.connect(portfolio.database_url) as conn:
        row = conn.execute("SELECT sp.project FROM site_projects sp WHERE sp.site_id = %s AND NOT EXISTS "
                           "(SELECT FROM site_projects other WHERE other.project = sp.project "
                           "AND other.site_id <> sp.site_id) AND NOT EXISTS (SELECT FROM projects p "
                           "WHERE p.name = sp.project AND p.fetch_state = 'ok') ORDER BY sp.project LIMIT 1",
                           (site_id,)).fetchone()
    assert row, f"site {site_id} has no project of its own"
    return row[0]


def test_another_site_s_own_project_is_no_page_for_a_site_token(portfolio):
    own, other = portfolio.site("11."), portfolio.site("10.2")
    theirs, mine = only_on(portfolio, other.id), only_on(portfolio, own.id)
    with signed_in(portfolio.base_url, own.token) as client:
        # The same answer as for a project nobody runs: which projects other sites have is theirs.
        refused = client.get(f"/projects/{theirs}")
        assert refused.status_code == 404 and other.site.name not in refused.text
        assert client.get(f"/projects/{mine}").status_code == 200
    with signed_in(portfolio.base_url, portfolio.admin_token) as admin:
        assert admin.get(f"/projects/{theirs}").status_code == 200


def test_an_advisory_page_counts_only_the_site_s_own_exposure(portfolio):
    own, other = portfolio.site("11."), portfolio.site("10.2")
    with psycopg.connect(portfolio.database_url) as conn:
        (advisory_id,) = conn.execute(
            "SELECT advisory_id FROM advisory_exposures GROUP BY advisory_id HAVING bool_and(site_id <> %s) "
            "ORDER BY count(DISTINCT site_id) DESC, advisory_id LIMIT 1", (own.id,)).fetchone()
    with signed_in(portfolio.base_url, own.token) as client:
        page = client.get(f"/advisories/{advisory_id}")
    assert page.status_code == 200 and other.site.name not in page.text
    assert "<dt>Sites affected</dt><dd>0</dd>" in page.text


@pytest.mark.parametrize("path", ["/?kind=all&q=", "/?kind=trouble", "/?kind=not_secure", "/?kind=stale&page=1"])
def test_the_portfolio_of_a_site_token_lists_that_site_alone(portfolio, path):
    own = portfolio.site("7.")
    others = [registered.site.name for registered in portfolio.sites if registered.id != own.id]
    with signed_in(portfolio.base_url, own.token) as client:
        page = client.get(path)
    assert page.status_code == 200 and not any(name in page.text for name in others)
    assert "<strong>1</strong><span>Sites</span>" in page.text


def test_text_from_data_is_escaped_and_only_web_urls_become_links(portfolio, admin):
    advisory_id = "DRUPAL-TEST-2099-001"
    with psycopg.connect(portfolio.database_url, autocommit=True) as conn:
        conn.execute("INSERT INTO osv_advisories (id, aliases, summary, details, url, modified, source) "
                     "VALUES (%s, ARRAY['<b>CVE</b>'], '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', "
                     "'javascript:alert(document.cookie)', now(), 'test')", (advisory_id,))
        try:
            page = admin.get(f"/advisories/{advisory_id}")
        finally:
            conn.execute("DELETE FROM osv_advisories WHERE id = %s", (advisory_id,))
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<img src=x" not in page.text and "<b>CVE</b>" not in page.text
    assert 'href="javascript:' not in page.text and "javascript:alert(document.cookie)" not in page.text


def test_every_template_escapes_what_it_shows():
    names = [path.name for path in (HERE / "templates").glob("*.html")]
    assert "site.html" in names and all(templates.env.autoescape(name) is True for name in names)
