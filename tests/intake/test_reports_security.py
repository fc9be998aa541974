"""GET /reports/security: the sites in trouble with their counts, the most affected projects, and the sites
whose core security coverage ended or is ending (tests/intake/test_read_site_projects.py builds those).

The report reads the security summaries the pipeline keeps; how they follow
ingest runs, removals, deletions and reconciles is tested in
tests/orchestration/test_security_summaries.py.
"""

from tests.support.answers import error_of, error_paths
from tests.support.portfolio import portfolio_fixture  # noqa: F401  (provides `portfolio`)


def test_sites_in_trouble_with_their_counts(portfolio):
    report = portfolio.get("/reports/security").json()
    assert set(report) == {"items", "total", "limit", "offset", "projects", "projects_total", "coverage",
                           "coverage_total"}
    assert report["total"] == 2 and [site["name"] for site in report["items"]] == ["alpha", "beta"]
    assert (report["limit"], report["offset"]) == (50, 0)
    alpha, beta = report["items"]
    alpha_id, beta_id = portfolio.sites["alpha"].id, portfolio.sites["beta"].id
    assert set(alpha) == {"id", "name", "url", "last_sync_at", "counts", "projects_url", "modules_url", "advisories"}
    assert alpha["id"] == alpha_id and alpha["url"] == "https://alpha.example.org" and alpha["last_sync_at"]
    # token NOT_SECURE; pathauto NOT_CURRENT but known-vulnerable. Removed old_module never counts.
    assert alpha["counts"] == {"not_secure": 1, "revoked": 0, "known_vulnerable": 1, "affected_projects": 2,
                               "affected_modules": 2}
    assert beta["counts"] == {"not_secure": 0, "revoked": 1, "known_vulnerable": 0, "affected_projects": 1,
                              "affected_modules": 1}
    assert alpha["projects_url"] == f"/api/v1/sites/{alpha_id}/projects"
    assert alpha["modules_url"] == f"/api/v1/sites/{alpha_id}/modules"
    assert beta["modules_url"] == f"/api/v1/sites/{beta_id}/modules"
    # Neither gamma (all current) nor delta (never synced) is in trouble; no site runs covered core.
    assert (report["coverage"], report["coverage_total"]) == ([], 0)


def test_the_projects_and_modules_urls_list_what_is_in_trouble(portfolio):
    alpha = portfolio.get("/reports/security").json()["items"][0]
    insecure = portfolio.api.get(alpha["modules_url"], params={"status": "NOT_SECURE,REVOKED"},
                                 headers=portfolio.admin_headers).json()
    vulnerable = portfolio.api.get(alpha["modules_url"], params={"known_vulnerable": "true"},
                                   headers=portfolio.admin_headers).json()
    assert [m["machine_name"] for m in insecure["items"]] == ["token"]
    assert [m["machine_name"] for m in vulnerable["items"]] == ["pathauto"]
    projects = portfolio.api.get(alpha["projects_url"], params={"status": "NOT_SECURE,REVOKED"},
                                 headers=portfolio.admin_headers).json()
    assert [p["project"] for p in projects["items"]] == ["token"]


def test_affected_sites_per_project(portfolio):
    report = portfolio.get("/reports/security").json()
    assert report["projects_total"] == 3
    assert report["projects"] == [
        {"project": "pathauto", "affected_sites": 1, "not_secure_sites": 0, "revoked_sites": 0,
         "known_vulnerable_sites": 1, "advisories": []},
        {"project": "revoked_mod", "affected_sites": 1, "not_secure_sites": 0, "revoked_sites": 1,
         "known_vulnerable_sites": 0, "advisories": []},
        {"project": "token", "affected_sites": 1, "not_secure_sites": 1, "revoked_sites": 0,
         "known_vulnerable_sites": 0, "advisories": []}]


def test_the_most_affected_projects_are_bounded(portfolio):
    first_two = portfolio.get("/reports/security", projects_limit=2).json()
    assert [p["project"] for p in first_two["projects"]] == ["pathauto", "revoked_mod"]
    assert first_two["projects_total"] == 3
    assert len(portfolio.get("/reports/security", projects_limit=500).json()["projects"]) == 3
    for bad in (0, 501, -1):
        assert error_paths(portfolio.get("/reports/security", projects_limit=bad)) == ["query.projects_limit"]
        assert error_paths(portfolio.get("/reports/security", coverage_limit=bad)) == ["query.coverage_limit"]


def test_pages_of_sites(portfolio):
    first = portfolio.get("/reports/security", limit=1).json()
    second = portfolio.get("/reports/security", limit=1, offset=1).json()
    assert [s["name"] for s in first["items"]] == ["alpha"] and [s["name"] for s in second["items"]] == ["beta"]
    assert first["total"] == second["total"] == 2
    assert first["projects"] == second["projects"]  # the per-project part is the whole portfolio's
    beyond = portfolio.get("/reports/security", offset=2).json()
    assert beyond["items"] == [] and beyond["total"] == 2 and len(beyond["projects"]) == 3
    assert beyond["projects_total"] == 3
    assert error_paths(portfolio.get("/reports/security", limit=0)) == ["query.limit"]
    assert error_paths(portfolio.get("/reports/security", limit=501)) == ["query.limit"]
    assert error_paths(portfolio.get("/reports/security", offset=-5)) == ["query.offset"]


def test_the_report_is_for_the_admin(portfolio):
    for site in portfolio.sites.values():
        assert error_of(portfolio.get("/reports/security", headers=site.headers), 403)["code"] == "forbidden"
    error_of(portfolio.get("/reports/security", headers={}), 401)
    error_of(portfolio.get("/reports/security", headers={"Authorization": "Bearer nope"}), 401)


def test_conditional_reads(portfolio):
    first = portfolio.get("/reports/security")
    again = portfolio.get("/reports/security",
                          headers={**portfolio.admin_headers, "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    other = portfolio.get("/reports/security",
                          headers={**portfolio.admin_headers, "If-None-Match": first.headers["etag"]}, projects_limit=1)
    assert other.status_code == 200
