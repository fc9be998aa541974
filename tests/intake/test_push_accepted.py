"""Pushes that land: both shapes, both paths, gzip, large and odd payloads — stored byte for byte."""

import gzip
import hashlib
import json
import uuid

import pytest

from tests.support.intake import encode, landed, module_a, module_b, payload_a, payload_b, push


def assert_accepted(answer, *, modules: int, sync_type: str) -> dict:
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert body["status"] == "accepted"
    assert body["modules_received"] == modules and body["sync_type"] == sync_type
    task_id = str(uuid.UUID(body["task_id"]))
    assert body["status_url"] == f"/api/v1/tasks/{task_id}/status"
    assert answer.headers["location"] == body["status_url"]
    return body


@pytest.mark.parametrize("path", ["modules", "modules/sync"])
@pytest.mark.parametrize(
    ("build", "shape", "sync_type"),
    [
        (lambda: payload_a(4), "a", "partial"),
        (lambda: payload_a(4, full_sync=False), "a", "partial"),
        (lambda: payload_a(4, full_sync=True), "a", "full"),
        (lambda: payload_b(4), "b", "full"),
        (lambda: payload_b(4, sync_type="full"), "b", "full"),
        (lambda: payload_b(4, sync_type="partial"), "b", "partial"),
    ],
    ids=["a-default", "a-partial", "a-full", "b-default", "b-full", "b-partial"],
)
def test_both_shapes_land_with_their_sync_type(api, site, db, path, build, shape, sync_type):
    raw = encode(build())
    answer = push(api, site.id, raw, token=site.token, path=path)
    body = assert_accepted(answer, modules=4, sync_type=sync_type)
    [row] = landed(db, site.id)
    assert str(row["task_id"]) == body["task_id"]
    assert row["payload_shape"] == shape and row["sync_type"] == sync_type
    assert row["core_version"] == ("10.3.8" if shape == "a" else "9.5.11")
    assert row["modules_received"] == 4 and row["status"] == "pending"
    assert bytes(row["body"]) == raw
    assert bytes(row["body_sha256"]) == hashlib.sha256(raw).digest()
    assert row["idempotency_key"] is None


def test_the_raw_bytes_are_stored_as_sent_not_reserialised(api, site, db):
    # Whitespace, key order, unicode escapes and unknown keys survive untouched.
    raw = (b'{ "modules" : [ {"machine_name":"caf\\u00e9_x","display_name":"Caf\\u00e9","module_type":"custom",'
           b'"enabled":false,"version":"1.0","extra":{"nested":[1,2]}}],\n "full_sync": true,'
           b'"drupal_info":{"php_version":"8.2","core_version":"10.1"},'
           b'"site":{"name":"Example","url":"https://www.example.org"},"unknown_top":null }')
    answer = push(api, site.id, raw, token=site.token)
    assert answer.status_code == 422  # machine names are [a-z0-9_] only
    raw = raw.replace(b"caf\\u00e9_x", b"cafe_x")
    assert_accepted(push(api, site.id, raw, token=site.token), modules=1, sync_type="full")
    assert bytes(landed(db, site.id)[0]["body"]) == raw


def test_gzip_bodies_are_accepted_and_stored_decompressed(api, site, db):
    raw = encode(payload_b(50))
    answer = push(api, site.id, gzip.compress(raw), token=site.token, headers={"Content-Encoding": "gzip"})
    assert_accepted(answer, modules=50, sync_type="full")
    [row] = landed(db, site.id)
    assert bytes(row["body"]) == raw
    assert bytes(row["body_sha256"]) == hashlib.sha256(raw).digest()


def test_gzip_with_several_members_is_one_body(api, site, db):
    raw = encode(payload_a(3))
    halfway = len(raw) // 2
    answer = push(api, site.id, gzip.compress(raw[:halfway]) + gzip.compress(raw[halfway:]), token=site.token,
                  headers={"Content-Encoding": "x-gzip"})
    assert_accepted(answer, modules=3, sync_type="partial")
    assert bytes(landed(db, site.id)[0]["body"]) == raw


def test_json_content_types_are_accepted(api, site):
    for content_type in ("application/json", "application/json; charset=utf-8", 'Application/JSON;charset="UTF-8"',
                         "application/vnd.drupal+json"):
        answer = push(api, site.id, payload_a(), token=site.token, headers={"Content-Type": content_type})
        assert answer.status_code == 202, content_type


def test_the_largest_allowed_payload_is_accepted(api, site, db):
    answer = push(api, site.id, payload_a(2000, full_sync=True), token=site.token)
    assert_accepted(answer, modules=2000, sync_type="full")
    assert landed(db, site.id)[0]["modules_received"] == 2000


def test_unusual_versions_are_accepted(api, site, db):
    odd = ["foo", "1.x", "8.x-1.x-dev", "1.0.0+5-dev", "7.x-3.0-rc4", "x" * 50, "dev-main", "  spaced  ", "\u2603"]
    modules = [module_a(index, version=version) for index, version in enumerate(odd)]
    assert push(api, site.id, payload_a(modules), token=site.token).status_code == 202
    stored = json.loads(bytes(landed(db, site.id)[0]["body"]))
    assert [module["version"] for module in stored["modules"]] == odd


def test_optional_fields_may_be_absent_or_null(api, site):
    minimal_a = {"machine_name": "node", "display_name": "Node", "module_type": "core", "enabled": True,
                 "version": "10.3.8"}
    nulls_a = {**minimal_a, "machine_name": "views", "description": None, "project": None, "datestamp": None}
    dev_a = {**minimal_a, "machine_name": "devel", "version": "5.x-dev", "datestamp": 1718000000}
    assert push(api, site.id, payload_a([minimal_a, nulls_a, dev_a]), token=site.token).status_code == 202

    minimal_b = {"machine_name": "node", "name": "Node", "type": "core", "version": "9.5.11", "status": False}
    full_b = module_b(1, package="Core", dependencies=["node"], description="d", project_link="https://x",
                      security_coverage=False, project="views", datestamp=1, schema_version=-1)
    assert push(api, site.id, payload_b([minimal_b, full_b]), token=site.token).status_code == 202


def test_sync_timestamp_may_be_unix_time(api, site):
    assert push(api, site.id, payload_b(sync_timestamp=1705315000), token=site.token).status_code == 202


def test_unknown_keys_are_ignored_everywhere(api, site):
    body = payload_a([module_a(0, weight=3, extra={"a": 1})], client="modwatch-drupal/2.1", site_info=None)
    body["site"]["token"] = "legacy"
    body["drupal_info"]["os"] = "linux"
    assert push(api, site.id, body, token=site.token).status_code == 202


def test_site_url_matches_ignoring_case_slash_and_default_port(api, create_site, admin_headers):
    reported = ["https://www.example.org", "https://www.example.org/", "https://WWW.Example.org//",
                "https://www.example.org?q=1#top", "https://user@www.example.org:443/"]
    for registered in ("https://www.example.org", "https://www.example.org/", "HTTPS://WWW.EXAMPLE.ORG",
                       "https://www.example.org:443"):
        site = create_site(url=registered)
        for url in reported:
            assert push(api, site.id, payload_a(url=url), token=site.token).status_code == 202, (registered, url)
        # One site per URL: the next spelling is registered once this one is gone.
        assert api.delete(f"/api/v1/sites/{site.id}", headers=admin_headers).status_code == 204


def test_the_site_url_path_counts(api, create_site):
    site = create_site(url="https://www.example.org/fr")
    assert push(api, site.id, payload_a(url="https://www.example.org/FR/"), token=site.token).status_code == 202
    assert push(api, site.id, payload_a(url="https://www.example.org/"), token=site.token).status_code == 400


def test_the_admin_may_push_for_any_site(api, site, admin_headers, db):
    answer = push(api, site.id, payload_b(2), token=None, headers=admin_headers)
    assert_accepted(answer, modules=2, sync_type="full")
    assert len(landed(db, site.id)) == 1


def test_every_accepted_sync_is_audited_without_the_token(api, site, admin_headers, db):
    by_site = push(api, site.id, payload_a(3, full_sync=True), token=site.token).json()
    by_admin = push(api, site.id, payload_b(2), token=None, headers=admin_headers).json()
    rows = db.execute("SELECT actor, action, entity_type, entity_id, details FROM audit_log "
                      "WHERE action = 'sync.accepted' ORDER BY id").fetchall()
    assert [(row["actor"], row["entity_type"], row["entity_id"]) for row in rows] == [
        (f"site:{site.id}", "site", str(site.id)), ("admin", "site", str(site.id))]
    assert rows[0]["details"] == {"task_id": by_site["task_id"], "modules_received": 3, "sync_type": "full",
                                  "payload_shape": "a"}
    assert rows[1]["details"] == {"task_id": by_admin["task_id"], "modules_received": 2, "sync_type": "full",
                                  "payload_shape": "b"}
    everything = json.dumps([dict(row) for row in db.execute("SELECT * FROM audit_log").fetchall()], default=str)
    assert site.token not in everything


def test_rate_limit_headers_on_acceptance(start_api, admin_headers, db):
    from tests.support.intake import register_site

    client = start_api(rate_limit_per_hour=5)
    site = register_site(client, admin_headers)
    first = push(client, site.id, payload_a(), token=site.token)
    second = push(client, site.id, payload_a(), token=site.token)
    assert first.headers["x-ratelimit-limit"] == "5"
    assert first.headers["x-ratelimit-remaining"] == "4"
    assert second.headers["x-ratelimit-remaining"] == "3"
    oldest = db.execute("SELECT min(received_at) AS at FROM landing_payloads").fetchone()["at"]
    assert int(second.headers["x-ratelimit-reset"]) == pytest.approx(oldest.timestamp() + 3600, abs=1)
