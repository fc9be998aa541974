"""GET /modules, /modules/{name}, /modules/{name}/versions and /sites: the catalogue across sites."""

import pytest

from tests.support.answers import error_of, error_paths, names
from tests.support.portfolio import portfolio_fixture  # noqa: F401  (provides `portfolio`)

CATALOGUE = ["acme_custom", "admin_toolbar", "ctools", "node", "old_module", "pathauto", "revoked_mod", "token",
             "views"]
SITE_COUNTS = {"acme_custom": 1, "admin_toolbar": 1, "ctools": 2, "node": 1, "old_module": 0, "pathauto": 1,
               "revoked_mod": 1, "token": 2, "views": 2}


def test_the_catalogue_with_site_counts(portfolio):
    answer = portfolio.get("/modules")
    body = answer.json()
    assert names(answer) == CATALOGUE and body["total"] == 9
    rows = {item["machine_name"]: item for item in body["items"]}
    assert {name: row["site_count"] for name, row in rows.items()} == SITE_COUNTS
    assert set(rows["token"]) == {"machine_name", "display_name", "project", "module_type", "description",
                                  "drupal_org_link", "created_at", "updated_at", "site_count", "version_count"}
    assert rows["pathauto"]["version_count"] == 3  # 1.7 and 1.8 installed, 1.9 known as the latest release
    assert rows["node"]["project"] == "drupal" and rows["node"]["module_type"] == "core"


@pytest.mark.parametrize(("params", "expected"), [
    ({"module_type": "core"}, ["node"]),
    ({"module_type": "custom"}, ["acme_custom"]),
    ({"project": "drupal"}, ["node"]),
    ({"project": "token"}, ["token"]),
    ({"q": "path"}, ["pathauto"]),
    ({"q": "TOKEN"}, ["token"]),  # any case
    ({"q": "Admin Tool"}, ["admin_toolbar"]),  # display name
    ({"q": "_"}, ["acme_custom", "admin_toolbar", "old_module", "revoked_mod"]),  # literally, not LIKE's wildcard
    ({"q": "%"}, []),
    ({"q": "o", "module_type": "contrib", "project": "views"}, []),
    ({"q": "t", "module_type": "contrib"}, ["admin_toolbar", "ctools", "pathauto", "token"]),
])
def test_filters(portfolio, params, expected):
    answer = portfolio.get("/modules", **params)
    assert names(answer) == expected and answer.json()["total"] == len(expected)


def test_catalogue_pages_and_bad_parameters(portfolio):
    assert names(portfolio.get("/modules", limit=4, offset=4)) == CATALOGUE[4:8]
    assert portfolio.get("/modules", offset=9).json() == {"items": [], "total": 9, "limit": 50, "offset": 9}
    assert error_paths(portfolio.get("/modules", limit=501)) == ["query.limit"]
    assert error_paths(portfolio.get("/modules", module_type="theme")) == ["query.module_type"]
    assert error_paths(portfolio.get("/modules", project="Not a project")) == ["query.project"]
    assert error_paths(portfolio.get("/modules", q="")) == ["query.q"]


def test_one_module_with_its_versions_and_sites(portfolio):
    alpha, beta = portfolio.sites["alpha"], portfolio.sites["beta"]
    token = portfolio.get("/modules/token").json()
    assert token["site_count"] == 2 and token["version_count"] == 2
    assert [(v["version"], v["site_count"], v["is_security_update"]) for v in token["versions"]["items"]] == [
        ("8.x-1.6", 1, False), ("8.x-1.5", 1, False)]
    assert token["versions"]["total"] == 2 and token["versions"]["limit"] == 100
    using = token["sites_using"]
    assert using["total"] == 2 and [(s["site_id"], s["version"], s["status"]) for s in using["items"]] == [
        (alpha.id, "8.x-1.5", "NOT_SECURE"), (beta.id, "8.x-1.6", "CURRENT")]
    assert set(using["items"][0]) == {"site_id", "site_name", "site_url", "version", "enabled", "status",
                                      "known_vulnerable", "removed_at"}
    not_using = token["sites_not_using"]
    assert not_using["total"] == 2
    assert [(s["site_name"], s["version"], s["removed_at"]) for s in not_using["items"]] == [
        ("gamma", None, None), ("delta", None, None)]


def test_a_removed_module_shows_who_had_it(portfolio):
    old = portfolio.get("/modules/old_module").json()
    assert old["site_count"] == 0 and old["sites_using"] == {"items": [], "total": 0, "limit": 100, "offset": 0}
    alpha = old["sites_not_using"]["items"][0]
    assert alpha["site_name"] == "alpha" and alpha["version"] == "8.x-1.0" and alpha["removed_at"] is not None
    assert old["sites_not_using"]["total"] == 4


def test_versions_newest_first_with_pages(portfolio):
    versions = portfolio.get("/modules/pathauto/versions").json()
    assert [(v["version"], v["site_count"]) for v in versions["items"]] == [
        ("8.x-1.9", 0), ("8.x-1.8", 1), ("8.x-1.7", 0)]
    assert set(versions["items"][0]) == {"version", "is_security_update", "release_date", "release_notes_link",
                                         "created_at", "site_count"}
    second = portfolio.get("/modules/pathauto/versions", limit=1, offset=1).json()
    assert [v["version"] for v in second["items"]] == ["8.x-1.8"] and second["total"] == 3
    assert portfolio.get("/modules/pathauto/versions", offset=3).json()["items"] == []


def test_sites_using_or_not_with_pages(portfolio):
    ctools_users = portfolio.get("/modules/ctools/sites").json()
    assert [s["site_name"] for s in ctools_users["items"]] == ["alpha", "gamma"]
    others = portfolio.get("/modules/ctools/sites", using="false").json()
    assert [s["site_name"] for s in others["items"]] == ["beta", "delta"] and others["total"] == 2
    page = portfolio.get("/modules/views/sites", using="false", limit=1, offset=1).json()
    assert [s["site_name"] for s in page["items"]] == ["delta"] and page["total"] == 2
    assert portfolio.get("/modules/views/sites", offset=2).json()["items"] == []


def test_unknown_and_invalid_modules(portfolio):
    for path in ("/modules/nope", "/modules/nope/versions", "/modules/nope/sites", "/modules/nope/sites?using=false"):
        assert error_of(portfolio.api.get(f"/api/v1{path}", headers=portfolio.admin_headers), 404)["code"] == \
            "not_found"
    assert error_paths(portfolio.get("/modules/Not-A-Name")) == ["path.machine_name"]


def test_the_catalogue_is_for_the_admin(portfolio):
    alpha = portfolio.sites["alpha"]
    for path in ("/modules", "/modules/token", "/modules/token/versions", "/modules/token/sites"):
        error_of(portfolio.get(path, headers=alpha.headers), 403)
        error_of(portfolio.get(path, headers={}), 401)
        error_of(portfolio.get(path, headers={"Authorization": "Bearer nope"}), 401)


def test_conditional_reads(portfolio):
    for path in ("/modules", "/modules/token", "/modules/token/versions", "/modules/token/sites"):
        first = portfolio.get(path)
        again = portfolio.get(path, headers={**portfolio.admin_headers, "If-None-Match": first.headers["etag"]})
        assert again.status_code == 304, path
