"""Sites administration over HTTP: create, list, read, rotate, delete — and who may."""

import hashlib
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.answers import error_of
from tests.support.intake import landed, payload_a, push


def test_create_shows_the_token_once_and_stores_only_its_hash(api, admin_headers, db):
    answer = api.post("/api/v1/sites", json={"name": "Intranet", "url": "https://intranet.example.org/"},
                      headers=admin_headers)
    assert answer.status_code == 201
    created = answer.json()
    assert set(created) == {"id", "name", "url", "token", "created_at"}
    assert created["name"] == "Intranet" and created["url"] == "https://intranet.example.org/"
    assert len(created["token"]) >= 43  # 32 random bytes, url-safe base64
    assert answer.headers["location"] == f"/api/v1/sites/{created['id']}"
    stored = db.execute("SELECT token_hash FROM sites WHERE id = %s", (created["id"],)).fetchone()
    assert bytes(stored["token_hash"]) == hashlib.sha256(created["token"].encode()).digest()

    shown = api.get(f"/api/v1/sites/{created['id']}", headers=admin_headers).json()
    assert "token" not in shown
    assert shown == {"id": created["id"], "name": "Intranet", "url": "https://intranet.example.org/",
                     "created_at": created["created_at"], "last_sync_at": None, "core_version": None,
                     "stale": False, "counts": {"modules": 0, "updates_available": 0, "security_updates": 0,
                                                "known_vulnerable": 0},
                     "project_counts": {"projects": 0, "updates_available": 0, "security_updates": 0,
                                        "known_vulnerable": 0, "in_trouble": 0}}


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"name": "x"}, "$.url"),
        ({"url": "https://a.example"}, "$.name"),
        ({"name": "", "url": "https://a.example"}, "$.name"),
        ({"name": "   ", "url": "https://a.example"}, "$.name"),
        ({"name": "a\u0000b", "url": "https://a.example"}, "$.name"),
        ({"name": "x" * 256, "url": "https://a.example"}, "$.name"),
        ({"name": "x", "url": "ftp://a.example"}, "$.url"),
        ({"name": "x", "url": "https://"}, "$.url"),
        ({"name": "x", "url": "https://a.example/ with space"}, "$.url"),
        ({"name": 5, "url": "https://a.example"}, "$.name"),
    ],
)
def test_create_refuses_invalid_sites_with_the_path(api, admin_headers, body, path):
    answer = api.post("/api/v1/sites", json=body, headers=admin_headers)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "validation_failed"
    assert path in [item["path"] for item in error["details"]]


def test_create_with_malformed_json_is_400(api, admin_headers):
    answer = api.post("/api/v1/sites", content=b'{"name": ', headers={**admin_headers,
                                                                      "Content-Type": "application/json"})
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "malformed_json"


def test_create_needs_a_json_body(api, admin_headers, site):
    raw = b'{"name": "x", "url": "https://x.example"}'
    for headers in ({"Content-Type": "text/plain"}, {}):
        answer = api.post("/api/v1/sites", content=raw, headers={**admin_headers, **headers})
        assert answer.status_code == 415
        assert answer.json()["error"]["code"] == "unsupported_media_type"
    # Who is asking comes first.
    assert api.post("/api/v1/sites", content=raw, headers={"Content-Type": "text/plain"}).status_code == 401
    assert api.post("/api/v1/sites", content=raw, headers={**site.headers, "Content-Type": "text/plain"}
                    ).status_code == 403


def test_list_is_paginated_with_the_total(api, admin_headers, create_site):
    ids = [create_site(name=f"Site {index}", url=f"https://s{index}.example.org").id for index in range(7)]
    first = api.get("/api/v1/sites", params={"limit": 3}, headers=admin_headers).json()
    assert first["total"] == 7 and first["limit"] == 3 and first["offset"] == 0
    assert [item["id"] for item in first["items"]] == ids[:3]
    assert set(first["items"][0]) == {"id", "name", "url", "created_at", "last_sync_at", "core_version", "stale",
                                      "counts", "project_counts"}
    last = api.get("/api/v1/sites", params={"limit": 3, "offset": 6}, headers=admin_headers).json()
    assert [item["id"] for item in last["items"]] == ids[6:]
    beyond = api.get("/api/v1/sites", params={"offset": 100}, headers=admin_headers).json()
    assert beyond == {"items": [], "total": 7, "limit": 50, "offset": 100}


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"offset": -1}, {"limit": "many"}])
def test_list_refuses_bad_pagination(api, admin_headers, params):
    answer = api.get("/api/v1/sites", params=params, headers=admin_headers)
    assert answer.status_code == 422
    assert answer.json()["error"]["details"][0]["path"].startswith("query.")


def test_site_routes_need_the_admin_token(api, site):
    assert api.get("/api/v1/sites").status_code == 401
    refused = api.get("/api/v1/sites", headers={"Authorization": "Bearer not-a-token"})
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert refused.json()["error"]["code"] == "unauthorized"
    # A real site token is known but not allowed: 403.
    assert api.get("/api/v1/sites", headers=site.headers).status_code == 403
    assert api.post("/api/v1/sites", json={"name": "x", "url": "https://x.example"},
                    headers=site.headers).status_code == 403
    assert api.post(f"/api/v1/sites/{site.id}/token", headers=site.headers).status_code == 403
    assert api.delete(f"/api/v1/sites/{site.id}", headers=site.headers).status_code == 403


def test_a_site_may_read_itself_but_not_another(api, create_site):
    mine = create_site(name="Mine", url="https://mine.example")
    other = create_site(name="Other", url="https://other.example")
    assert api.get(f"/api/v1/sites/{mine.id}", headers=mine.headers).json()["name"] == "Mine"
    assert api.get(f"/api/v1/sites/{other.id}", headers=mine.headers).status_code == 403
    # An unknown id is 403 for a site token too: it cannot probe which sites exist.
    assert api.get("/api/v1/sites/99999", headers=mine.headers).status_code == 403


def test_unknown_site_is_404_for_the_admin(api, admin_headers):
    for answer in (api.get("/api/v1/sites/99999", headers=admin_headers),
                   api.post("/api/v1/sites/99999/token", headers=admin_headers),
                   api.delete("/api/v1/sites/99999", headers=admin_headers)):
        assert answer.status_code == 404
        assert answer.json()["error"] == {"status": 404, "code": "not_found", "message": "no site with id 99999",
                                          "details": []}


def test_rotating_the_token_stops_the_old_one_and_the_new_one_works(api, admin_headers, site):
    rotated = api.post(f"/api/v1/sites/{site.id}/token", headers=admin_headers)
    assert rotated.status_code == 200
    new_token = rotated.json()["token"]
    assert new_token != site.token and rotated.json()["id"] == site.id

    old = push(api, site.id, payload_a(), token=site.token)
    assert old.status_code == 401
    assert push(api, site.id, payload_a(), token=new_token).status_code == 202


def test_delete_cascades_to_the_sites_payloads(api, admin_headers, site, db):
    assert push(api, site.id, payload_a(), token=site.token).status_code == 202
    assert len(landed(db, site.id)) == 1
    answer = api.delete(f"/api/v1/sites/{site.id}", headers=admin_headers)
    assert answer.status_code == 204 and answer.content == b""
    assert landed(db, site.id) == []
    assert api.get(f"/api/v1/sites/{site.id}", headers=admin_headers).status_code == 404
    assert push(api, site.id, payload_a(), token=site.token).status_code == 401


def test_admin_changes_are_audited_without_tokens(api, admin_headers, db):
    created = api.post("/api/v1/sites", json={"name": "Audited", "url": "https://audit.example"},
                       headers=admin_headers).json()
    rotated = api.post(f"/api/v1/sites/{created['id']}/token", headers=admin_headers).json()
    api.delete(f"/api/v1/sites/{created['id']}", headers=admin_headers)
    rows = db.execute("SELECT actor, action, entity_type, entity_id, details::text AS details "
                      "FROM audit_log ORDER BY id").fetchall()
    assert [(row["actor"], row["action"], row["entity_type"], row["entity_id"]) for row in rows] == [
        ("admin", "site.create", "site", str(created["id"])),
        ("admin", "site.rotate_token", "site", str(created["id"])),
        ("admin", "site.delete", "site", str(created["id"])),
    ]
    everything = str(rows)
    assert created["token"] not in everything and rotated["token"] not in everything


@pytest.mark.parametrize("site_id", ["0", "-1", "abc", str(2**63)])
def test_site_ids_outside_bigint_are_refused_not_crashing(api, admin_headers, site_id):
    answer = api.get(f"/api/v1/sites/{site_id}", headers=admin_headers)
    assert answer.status_code == 422
    assert answer.json()["error"]["details"][0]["path"] == "path.site_id"


def test_unknown_routes_answer_the_error_shape(api):
    answer = api.get("/api/v1/nothing-here")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("same", ["https://intranet.example.org", "HTTPS://Intranet.Example.org/",
                                  "https://intranet.example.org:443//", "https://ops@intranet.example.org?x=1"])
def test_two_sites_cannot_register_the_same_url(api, admin_headers, db, create_site, same):
    holder = create_site(name="Intranet", url="https://intranet.example.org/")
    answer = api.post("/api/v1/sites", json={"name": "Copy", "url": same}, headers=admin_headers)
    error = error_of(answer, 409)
    assert error["code"] == "site_url_taken"
    assert f"site {holder.id} ('Intranet')" in error["message"]
    assert [item["path"] for item in error["details"]] == ["$.url"]
    assert db.execute("SELECT count(*) AS n FROM sites").fetchone()["n"] == 1
    assert db.execute("SELECT count(*) AS n FROM audit_log WHERE action = 'site.create'").fetchone()["n"] == 1


@pytest.mark.parametrize("other", ["http://intranet.example.org", "https://intranet.example.org/fr",
                                   "https://intranet.example.org:8443", "https://www.intranet.example.org"])
def test_another_scheme_port_host_or_path_is_another_site(api, admin_headers, create_site, other):
    create_site(name="Intranet", url="https://intranet.example.org/")
    assert api.post("/api/v1/sites", json={"name": "Other", "url": other}, headers=admin_headers).status_code == 201


def test_concurrent_registrations_of_one_url_make_one_site(api, admin_headers, db):
    def register(index: int) -> int:
        body = {"name": f"Racer {index}", "url": "https://race.example/" + "/" * (index % 2)}
        return api.post("/api/v1/sites", json=body, headers=admin_headers).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = sorted(pool.map(register, range(8)))
    assert statuses == [201] + [409] * 7
    assert db.execute("SELECT count(*) AS n FROM sites").fetchone()["n"] == 1
