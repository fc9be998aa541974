"""GET /reports/security: sites in trouble with their modules, and affected sites per module."""

from tests.support.answers import error_of, error_paths
from tests.support.portfolio import portfolio_fixture  # noqa: F401  (provides `portfolio`)


def test_sites_in_trouble_with_their_modules(portfolio):
    report = portfolio.get("/reports/security").json()
    assert set(report) == {"items", "total", "limit", "offset", "modules"}
    assert report["total"] == 2 and [site["name"] for site in report["items"]] == ["alpha", "beta"]
    alpha, beta = report["items"]
    assert set(alpha) == {"id", "name", "url", "last_sync_at", "modules"}
    assert alpha["id"] == portfolio.sites["alpha"].id and alpha["url"] == "https://alpha.example.org"
    assert [(m["machine_name"], m["status"], m["known_vulnerable"]) for m in alpha["modules"]] == [
        ("pathauto", "NOT_CURRENT", True), ("token", "NOT_SECURE", False)]
    token = alpha["modules"][1]
    assert token == {"machine_name": "token", "display_name": "Token", "project": "token", "version": "8.x-1.5",
                     "status": "NOT_SECURE", "status_reason": "1 security update(s) newer than the installed version",
                     "recommended_version": "8.x-1.6", "security_updates": ["8.x-1.6"], "known_vulnerable": False,
                     "advisories": []}
    assert alpha["modules"][0]["advisories"] == ["<1.9"]
    assert [(m["machine_name"], m["status"]) for m in beta["modules"]] == [("revoked_mod", "REVOKED")]
    # Neither gamma (all current) nor delta (never synced) is in trouble; removed modules never count.


def test_affected_sites_per_module(portfolio):
    modules = portfolio.get("/reports/security").json()["modules"]
    assert modules == [
        {"machine_name": "pathauto", "display_name": "Pathauto", "project": "pathauto", "module_type": "contrib",
         "affected_sites": 1},
        {"machine_name": "revoked_mod", "display_name": "Revoked Mod", "project": "revoked_mod",
         "module_type": "contrib", "affected_sites": 1},
        {"machine_name": "token", "display_name": "Token", "project": "token", "module_type": "contrib",
         "affected_sites": 1}]


def test_pages_of_sites(portfolio):
    first = portfolio.get("/reports/security", limit=1).json()
    second = portfolio.get("/reports/security", limit=1, offset=1).json()
    assert [s["name"] for s in first["items"]] == ["alpha"] and [s["name"] for s in second["items"]] == ["beta"]
    assert first["total"] == second["total"] == 2
    assert first["modules"] == second["modules"]  # the per-module part is the whole portfolio's
    beyond = portfolio.get("/reports/security", offset=2).json()
    assert beyond["items"] == [] and beyond["total"] == 2 and len(beyond["modules"]) == 3
    assert error_paths(portfolio.get("/reports/security", limit=0)) == ["query.limit"]
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
