"""Managing the catalogue by hand: create, change, delete, versions — and the audit log of each."""

import pytest

from tests.support.answers import error_of, error_paths
from tests.support.population import Population, load_population

TOKEN_LINK = "https://www.drupal.org/project/token"


@pytest.fixture
def used_module(db) -> str:
    """A module three sites have installed (through the synthetic loader)."""
    load_population(db, Population(sites=3, modules_per_site=4, catalog=6, core_modules=2, versions=3))
    return "pop_000000"  # a "core" module: on every site


def audit(db, action: str | None = None) -> list[dict]:
    query = "SELECT actor, action, entity_type, entity_id, details FROM audit_log WHERE entity_type = 'module'"
    rows = db.execute(query + (" AND action = %s" if action else "") + " ORDER BY id",
                      (action,) if action else ()).fetchall()
    return rows


def create(api, admin_headers, **fields):
    body = {"machine_name": "acme_tools", "display_name": "Acme tools", **fields}
    return api.post("/api/v1/modules", json=body, headers=admin_headers)


def test_create_a_module(api, admin_headers, db):
    answer = create(api, admin_headers, module_type="custom", description="In-house helpers")
    assert answer.status_code == 201 and answer.headers["location"] == "/api/v1/modules/acme_tools"
    created = answer.json()
    assert {k: created[k] for k in ("machine_name", "display_name", "project", "module_type", "description",
                                    "drupal_org_link")} == {
        "machine_name": "acme_tools", "display_name": "Acme tools", "project": "acme_tools",
        "module_type": "custom", "description": "In-house helpers", "drupal_org_link": None}
    shown = api.get("/api/v1/modules/acme_tools", headers=admin_headers).json()
    assert shown["site_count"] == 0 and shown["versions"]["total"] == 0
    (row,) = audit(db)
    assert (row["actor"], row["action"], row["entity_id"]) == ("admin", "module.create", "acme_tools")
    assert row["details"]["project"] == "acme_tools" and row["details"]["module_type"] == "custom"

    with_project = create(api, admin_headers, machine_name="views_ui", display_name="Views UI", project="views",
                          drupal_org_link="https://www.drupal.org/project/views")
    assert with_project.status_code == 201 and with_project.json()["project"] == "views"
    assert with_project.json()["module_type"] == "contrib"

    again = create(api, admin_headers)
    assert error_of(again, 409)["code"] == "module_exists"
    assert len(audit(db, "module.create")) == 2


@pytest.mark.parametrize(("fields", "path"), [
    ({"machine_name": "Acme-Tools"}, "$.machine_name"),
    ({"display_name": ""}, "$.display_name"),
    ({"display_name": "   "}, "$.display_name"),
    ({"module_type": "theme"}, "$.module_type"),
    ({"project": "Views"}, "$.project"),
    ({"drupal_org_link": "ftp://example.org"}, "$.drupal_org_link"),
    ({"surprise": True}, "$.surprise"),
    ({"description": 5}, "$.description"),
])
def test_create_refuses_invalid_modules_with_the_path(api, admin_headers, db, fields, path):
    assert path in error_paths(create(api, admin_headers, **fields))
    assert audit(db) == []


def test_create_needs_json_and_the_admin(api, admin_headers, site):
    raw = b'{"machine_name": "x", "display_name": "X"}'
    answer = api.post("/api/v1/modules", content=raw, headers={**admin_headers, "Content-Type": "text/plain"})
    assert error_of(answer, 415)["code"] == "unsupported_media_type"
    error_of(api.post("/api/v1/modules", content=b'{"machine_name": ', headers={
        **admin_headers, "Content-Type": "application/json"}), 400)
    error_of(api.post("/api/v1/modules", json={"machine_name": "x", "display_name": "X"}), 401)
    error_of(api.post("/api/v1/modules", json={"machine_name": "x", "display_name": "X"}, headers=site.headers), 403)


def test_change_display_name_link_and_description(api, admin_headers, db):
    create(api, admin_headers, machine_name="token", display_name="token", description="old text")
    answer = api.patch("/api/v1/modules/token", headers=admin_headers,
                       json={"display_name": "Token", "drupal_org_link": TOKEN_LINK})
    assert answer.status_code == 200
    changed = answer.json()
    assert (changed["display_name"], changed["drupal_org_link"], changed["description"]) == (
        "Token", TOKEN_LINK, "old text")
    assert changed["updated_at"] > changed["created_at"]
    (row,) = audit(db, "module.update")
    assert row["entity_id"] == "token" and row["details"] == {
        "display_name": {"from": "token", "to": "Token"}, "drupal_org_link": {"from": None, "to": TOKEN_LINK}}

    cleared = api.patch("/api/v1/modules/token", headers=admin_headers, json={"description": None}).json()
    assert cleared["description"] is None and cleared["display_name"] == "Token"
    # Saying again what is already there changes nothing, and nothing is audited.
    assert api.patch("/api/v1/modules/token", headers=admin_headers, json={"display_name": "Token"}).status_code == 200
    assert len(audit(db, "module.update")) == 2


@pytest.mark.parametrize("body", [{}, {"display_name": None}, {"project": "other"}, {"display_name": ""},
                                  {"drupal_org_link": "not a url"}])
def test_change_refuses_invalid_bodies(api, admin_headers, db, body):
    create(api, admin_headers, machine_name="token", display_name="Token")
    error_of(api.patch("/api/v1/modules/token", headers=admin_headers, json=body), 422)
    assert audit(db, "module.update") == []


def test_change_an_unknown_module(api, admin_headers, site):
    error_of(api.patch("/api/v1/modules/nope", headers=admin_headers, json={"display_name": "X"}), 404)
    error_of(api.patch("/api/v1/modules/nope", headers=site.headers, json={"display_name": "X"}), 403)


def test_delete_an_unused_module(api, admin_headers, db):
    create(api, admin_headers, display_name="Acme")
    assert api.delete("/api/v1/modules/acme_tools", headers=admin_headers).status_code == 204
    error_of(api.get("/api/v1/modules/acme_tools", headers=admin_headers), 404)
    (row,) = audit(db, "module.delete")
    assert row["details"] == {"display_name": "Acme", "project": "acme_tools", "forced": False, "sites_using": 0,
                              "sites_removed": 0}
    error_of(api.delete("/api/v1/modules/acme_tools", headers=admin_headers), 404)


def test_delete_a_module_in_use_needs_force(api, admin_headers, db, used_module):
    refused = api.delete(f"/api/v1/modules/{used_module}", headers=admin_headers)
    error = error_of(refused, 409)
    assert error["code"] == "module_in_use" and "used by 3 sites" in error["message"]
    assert db.execute("SELECT count(*) AS n FROM site_modules sm JOIN modules m ON m.id = sm.module_id "
                      "WHERE m.machine_name = %s", (used_module,)).fetchone()["n"] == 3

    forced = api.delete(f"/api/v1/modules/{used_module}", headers=admin_headers, params={"force": "true"})
    assert forced.status_code == 204
    assert db.execute("SELECT count(*) AS n FROM modules WHERE machine_name = %s", (used_module,)).fetchone()["n"] == 0
    # Its rows and their history went with it; the sites and their other modules stay.
    orphans = db.execute("SELECT count(*) AS n FROM site_module_events e "
                         "WHERE NOT EXISTS (SELECT 1 FROM site_modules sm WHERE sm.id = e.site_module_id)").fetchone()
    assert orphans["n"] == 0
    assert db.execute("SELECT count(*) AS n FROM site_modules").fetchone()["n"] == 9
    (row,) = audit(db, "module.delete")
    assert row["details"]["forced"] is True and row["details"]["sites_using"] == 3


def test_delete_keeps_the_history_of_sites_that_had_it_unless_forced(api, admin_headers, db, used_module):
    db.execute("UPDATE site_modules SET removed_at = now(), enabled = false "
               "WHERE module_id = (SELECT id FROM modules WHERE machine_name = %s)", (used_module,))
    error = error_of(api.delete(f"/api/v1/modules/{used_module}", headers=admin_headers), 409)
    assert "used by 0 sites and was used by 3 more" in error["message"]
    assert api.delete(f"/api/v1/modules/{used_module}?force=true", headers=admin_headers).status_code == 204


def test_add_a_version_and_mark_it_by_hand(api, admin_headers, db, used_module):
    path = f"/api/v1/modules/{used_module}/versions"
    added = api.post(path, headers=admin_headers, json={"version": "8.x-1.10", "release_date": "2026-01-05T10:00:00Z",
                                                        "release_notes_link": "https://example.org/notes"})
    assert added.status_code == 201
    assert added.json() | {"created_at": None} == {
        "version": "8.x-1.10", "is_security_update": False, "release_date": "2026-01-05T10:00:00Z",
        "release_notes_link": "https://example.org/notes", "created_at": None, "site_count": 0}
    key = db.execute("SELECT sort_key FROM module_versions WHERE version_string = '8.x-1.10'").fetchone()["sort_key"]
    assert key is not None  # parsed, so it orders among the versions seen
    versions = api.get(path, headers=admin_headers).json()["items"]
    assert versions[0]["version"] == "8.x-1.10"  # newer than 8.x-1.2, not sorted as text

    assert api.post(path, headers=admin_headers, json={"version": "8.x-1.10"}).status_code == 200  # idempotent
    marked = api.post(path, headers=admin_headers, json={"version": "8.x-1.10", "is_security_update": True})
    assert marked.status_code == 200 and marked.json()["is_security_update"] is True
    assert marked.json()["release_date"] == "2026-01-05T10:00:00Z"  # absent fields are kept
    assert api.post(path, headers=admin_headers, json={"version": "8.x-1.10", "is_security_update": True}
                    ).status_code == 200

    rows = audit(db)
    assert [row["action"] for row in rows] == ["module.version_add", "module.version_update"]
    assert rows[0]["details"]["version"] == "8.x-1.10"
    assert rows[1]["details"] == {"version": "8.x-1.10",
                                  "changed": {"is_security_update": {"from": False, "to": True}}}

    # A version a site already runs can be marked too; its sites are counted.
    installed = api.post(path, headers=admin_headers, json={"version": "8.x-1.2", "is_security_update": True})
    assert installed.status_code == 200 and installed.json()["site_count"] == 3


def test_unusual_versions_are_kept_unordered(api, admin_headers, db, used_module):
    answer = api.post(f"/api/v1/modules/{used_module}/versions", headers=admin_headers, json={"version": "master"})
    assert answer.status_code == 201
    assert db.execute("SELECT sort_key FROM module_versions WHERE version_string = 'master'").fetchone()[
        "sort_key"] is None
    listed = api.get(f"/api/v1/modules/{used_module}/versions", headers=admin_headers).json()["items"]
    assert listed[-1]["version"] == "master"


@pytest.mark.parametrize(("body", "path"), [
    ({}, "$.version"), ({"version": ""}, "$.version"), ({"version": "1.0 beta"}, "$.version"),
    ({"version": "x" * 51}, "$.version"), ({"version": "1.0", "is_security_update": "yes"}, "$.is_security_update"),
    ({"version": "1.0", "release_date": "soon"}, "$.release_date"), ({"version": "1.0", "extra": 1}, "$.extra"),
])
def test_invalid_versions_are_refused(api, admin_headers, db, used_module, body, path):
    answer = api.post(f"/api/v1/modules/{used_module}/versions", headers=admin_headers, json=body)
    assert path in error_paths(answer)
    assert audit(db) == []


def test_versions_of_an_unknown_module(api, admin_headers, site):
    error_of(api.post("/api/v1/modules/nope/versions", headers=admin_headers, json={"version": "1.0.0"}), 404)
    error_of(api.post("/api/v1/modules/nope/versions", headers=site.headers, json={"version": "1.0.0"}), 403)
    error_of(api.post("/api/v1/modules/nope/versions", json={"version": "1.0.0"}), 401)
