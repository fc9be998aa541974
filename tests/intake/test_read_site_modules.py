"""GET /sites/{id}/modules: every field, every filter and their combinations, pages, access."""

import pytest

from tests.support.answers import error_of, error_paths, names
from tests.support.portfolio import portfolio_fixture  # noqa: F401  (provides `portfolio`)

ALPHA_PRESENT = ["acme_custom", "admin_toolbar", "ctools", "node", "pathauto", "token", "views"]
FIELDS = {"machine_name", "project", "display_name", "module_type", "enabled", "version", "status", "status_reason",
          "latest_version", "recommended_version", "also_available", "security_updates", "update_available",
          "security_update_available", "known_vulnerable", "advisories", "first_seen", "last_seen", "last_updated",
          "removed_at"}


def modules(portfolio, site: str = "alpha", **params):
    return portfolio.get(f"/sites/{portfolio.sites[site].id}/modules", **params)


def by_name(answer) -> dict[str, dict]:
    assert answer.status_code == 200, answer.text
    return {item["machine_name"]: item for item in answer.json()["items"]}


def test_present_modules_by_machine_name_with_every_field(portfolio):
    answer = modules(portfolio)
    assert names(answer) == ALPHA_PRESENT and answer.json()["total"] == 7
    rows = by_name(answer)
    assert all(set(row) == FIELDS for row in rows.values())
    token = rows["token"]
    assert {key: token[key] for key in FIELDS - {"first_seen", "last_seen", "last_updated"}} == {
        "machine_name": "token", "project": "token", "display_name": "Token", "module_type": "contrib",
        "enabled": True, "version": "8.x-1.5", "status": "NOT_SECURE",
        "status_reason": "installed release is marked insecure",
        "latest_version": "8.x-1.6", "recommended_version": "8.x-1.6", "also_available": [],
        "security_updates": ["8.x-1.6"], "update_available": True, "security_update_available": True,
        "known_vulnerable": False, "advisories": [], "removed_at": None}
    assert token["first_seen"] <= token["last_seen"]
    assert rows["pathauto"]["known_vulnerable"]
    assert [item["constraint"] for item in rows["pathauto"]["advisories"]] == ["<1.9"]
    assert rows["pathauto"]["status"] == "NOT_CURRENT" and rows["pathauto"]["version"] == "8.x-1.8"
    assert rows["views"]["latest_version"] == "8.x-3.1" and rows["views"]["update_available"]
    assert rows["ctools"]["status"] == "CURRENT" and not rows["ctools"]["update_available"]
    assert rows["node"]["module_type"] == "core" and rows["node"]["project"] == "drupal"
    assert rows["acme_custom"]["status"] == "UNKNOWN" and "custom" in rows["acme_custom"]["status_reason"]
    assert rows["admin_toolbar"]["enabled"] is False
    # The second (full) sync listed pathauto again at a new version: it was updated then.
    assert rows["pathauto"]["last_updated"] > rows["pathauto"]["first_seen"]


def test_removed_modules_only_when_asked(portfolio):
    rows = by_name(modules(portfolio, include_removed=True))
    assert list(rows) == sorted([*ALPHA_PRESENT, "old_module"])
    assert rows["old_module"]["removed_at"] is not None and rows["token"]["removed_at"] is None
    assert rows["old_module"]["version"] == "8.x-1.0"
    assert "old_module" not in by_name(modules(portfolio, include_removed=False))


@pytest.mark.parametrize(("params", "expected"), [
    ({"status": "NOT_SECURE"}, ["token"]),
    ({"status": "NOT_CURRENT"}, ["pathauto", "views"]),
    ({"status": "NOT_SECURE,CURRENT"}, ["ctools", "token"]),
    ({"status": ["NOT_SECURE", "CURRENT"]}, ["ctools", "token"]),
    ({"status": ["UNKNOWN", "REVOKED,NOT_SECURE"]}, ["acme_custom", "admin_toolbar", "node", "token"]),
    ({"status": "REVOKED"}, []),
    ({"update_available": "true"}, ["pathauto", "token", "views"]),
    ({"update_available": "false"}, ["acme_custom", "admin_toolbar", "ctools", "node"]),
    ({"security_update": "true"}, ["token"]),
    ({"security_update": "false"}, ["acme_custom", "admin_toolbar", "ctools", "node", "pathauto", "views"]),
    ({"known_vulnerable": "true"}, ["pathauto"]),
    ({"known_vulnerable": "false"}, ["acme_custom", "admin_toolbar", "ctools", "node", "token", "views"]),
    ({"module_type": "custom"}, ["acme_custom"]),
    ({"module_type": "core"}, ["node"]),
    ({"module_type": "contrib"}, ["admin_toolbar", "ctools", "pathauto", "token", "views"]),
    ({"include_removed": "true", "status": "UNKNOWN"}, ["acme_custom", "admin_toolbar", "node", "old_module"]),
    # combinations: every filter must hold
    ({"update_available": "true", "known_vulnerable": "false"}, ["token", "views"]),
    ({"status": "NOT_CURRENT", "known_vulnerable": "true"}, ["pathauto"]),
    ({"update_available": "true", "security_update": "false", "module_type": "contrib"}, ["pathauto", "views"]),
    ({"update_available": "true", "module_type": "core"}, []),
    ({"status": "UNKNOWN", "module_type": "contrib", "include_removed": "true"}, ["admin_toolbar", "old_module"]),
    ({"status": "NOT_SECURE,NOT_CURRENT", "security_update": "false", "known_vulnerable": "false"}, ["views"]),
])
def test_filters(portfolio, params, expected):
    answer = modules(portfolio, **params)
    assert names(answer) == expected and answer.json()["total"] == len(expected)


def test_another_site(portfolio):
    rows = by_name(modules(portfolio, "beta"))
    assert {name: row["status"] for name, row in rows.items()} == {
        "revoked_mod": "REVOKED", "token": "CURRENT", "views": "CURRENT"}
    assert rows["revoked_mod"]["status_reason"] == "project revoked on drupal.org"
    assert modules(portfolio, "delta").json() == {"items": [], "total": 0, "limit": 50, "offset": 0}


def test_invalid_filters_are_refused_with_their_path(portfolio):
    unknown = modules(portfolio, status="NOT_SECURE,INSECURE")
    assert error_of(unknown, 422)["details"][0]["path"] == "query.status" and "INSECURE" in unknown.text
    assert error_paths(modules(portfolio, module_type="theme")) == ["query.module_type"]
    assert error_paths(modules(portfolio, update_available="maybe")) == ["query.update_available"]
    assert error_paths(modules(portfolio, include_removed="2")) == ["query.include_removed"]


def test_pagination_edges(portfolio):
    first = modules(portfolio, limit=3).json()
    assert [row["machine_name"] for row in first["items"]] == ALPHA_PRESENT[:3] and first["total"] == 7
    second = modules(portfolio, limit=3, offset=3).json()
    assert [row["machine_name"] for row in second["items"]] == ALPHA_PRESENT[3:6]
    assert [row["machine_name"] for row in modules(portfolio, limit=3, offset=6).json()["items"]] == ["views"]
    assert modules(portfolio, offset=7).json() == {"items": [], "total": 7, "limit": 50, "offset": 7}
    filtered_beyond = modules(portfolio, offset=5, update_available="true").json()
    assert filtered_beyond["items"] == [] and filtered_beyond["total"] == 3
    for params, path in [({"limit": 0}, "query.limit"), ({"limit": 501}, "query.limit"),
                         ({"offset": -1}, "query.offset")]:
        assert error_paths(modules(portfolio, **params)) == [path]


def test_who_may_read(portfolio):
    alpha, beta = portfolio.sites["alpha"], portfolio.sites["beta"]
    assert names(portfolio.get(f"/sites/{alpha.id}/modules", headers=alpha.headers)) == ALPHA_PRESENT
    error_of(portfolio.get(f"/sites/{alpha.id}/modules", headers=beta.headers), 403)
    error_of(portfolio.get(f"/sites/{alpha.id}/modules", headers={}), 401)
    error_of(portfolio.get(f"/sites/{alpha.id}/modules", headers={"Authorization": "Bearer nope"}), 401)
    error_of(portfolio.get("/sites/999999/modules"), 404)
    error_of(portfolio.get("/sites/999999/modules", headers=alpha.headers), 403)
    error_of(portfolio.get("/sites/999999/modules", headers={"Authorization": "Bearer nope"}), 401)


def test_conditional_reads(portfolio):
    alpha = portfolio.sites["alpha"]
    path = f"/sites/{alpha.id}/modules"
    first = portfolio.get(path, headers=alpha.headers)
    again = portfolio.get(path, headers={**alpha.headers, "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["etag"] == first.headers["etag"]
    assert portfolio.get(path, status="NOT_SECURE").headers["etag"] != first.headers["etag"]
    # The tag does not leak to another site's token: access is checked before the condition.
    error_of(portfolio.get(path, headers={**portfolio.sites["beta"].headers, "If-None-Match": "*"}), 403)


def test_last_seen_is_the_last_sync_that_listed_the_module(portfolio):
    alpha = portfolio.sites["alpha"]
    events = portfolio.get(f"/sites/{alpha.id}/history", limit=500).json()["items"]
    second_sync, first_sync = events[0]["occurred_at"], events[-1]["occurred_at"]
    rows = by_name(modules(portfolio, include_removed=True))
    # The second full sync listed every present module, changed or not (ctools was not).
    assert {row["last_seen"] for name, row in rows.items() if name != "old_module"} == {second_sync}
    assert rows["ctools"]["last_updated"] == first_sync
    assert rows["old_module"]["last_seen"] == first_sync  # it was not in the second sync
