"""Every refusal of the status table, each naming what is wrong — and nothing lands."""

import gzip
import json
import time

import psutil
import pytest

from tests.support.intake import encode, landed, module_a, module_b, payload_a, payload_b, push, register_site

RATE_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


def error_of(answer, status: int) -> dict:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    error = answer.json()["error"]
    assert error["status"] == status and error["message"]
    return error


def paths(error: dict) -> list[str]:
    return [item["path"] for item in error["details"]]


def assert_site_rate_headers(answer) -> None:
    for header in RATE_HEADERS:
        assert answer.headers[header].isdigit(), header


# 400 ---------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "position"), [(b'{"site": ', "line 1 column 10"), (b"", "line 1 column 1"),
                                               (b'{"a": 1}}', "line 1 column 9"), (b"\xff\xfe", "position 0")])
def test_malformed_json_is_400_with_the_position(api, site, db, raw, position):
    answer = push(api, site.id, raw, token=site.token)
    error = error_of(answer, 400)
    assert error["code"] == "malformed_json"
    assert position in error["message"]
    assert_site_rate_headers(answer)
    assert landed(db) == []


def test_broken_gzip_is_400(api, site, db):
    compressed = gzip.compress(encode(payload_a()))
    for body in (b"not gzip at all", compressed[: len(compressed) // 2], b""):
        answer = push(api, site.id, body, token=site.token, headers={"Content-Encoding": "gzip"})
        assert error_of(answer, 400)["code"] == "bad_gzip"
    assert landed(db) == []


@pytest.mark.parametrize("reported", ["https://www.example.com", "http://www.example.org",
                                      "https://www.example.org:8443", "https://www.example.org/other",
                                      "not a url", "www.example.org"])
def test_a_site_url_that_is_not_the_registered_one_is_400(api, site, db, reported):
    answer = push(api, site.id, payload_a(url=reported), token=site.token)
    error = error_of(answer, 400)
    assert error["code"] == "site_url_mismatch"
    assert paths(error) == ["$.site.url"]
    assert reported in error["message"] and site.url in error["message"]
    assert_site_rate_headers(answer)
    assert landed(db) == []


# 401 / 403 / 404 -----------------------------------------------------------------


@pytest.mark.parametrize("authorization", [None, "", "Bearer", "Basic dXNlcjpwYXNz", "Token abc"])
def test_no_bearer_token_is_401_with_the_challenge(api, site, db, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    answer = push(api, site.id, payload_a(), token=None, headers=headers)
    error = error_of(answer, 401)
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert "Authorization" in error["message"]
    assert answer.headers["x-ratelimit-limit"] == "60"
    assert landed(db) == []


@pytest.mark.parametrize("site_id", ["0", "abc", str(2**63)])
def test_a_site_id_that_cannot_exist_is_422_with_the_limit_header(api, admin_headers, site_id):
    answer = api.post(f"/api/v1/sites/{site_id}/modules", content=encode(payload_a()),
                      headers={**admin_headers, "Content-Type": "application/json"})
    assert paths(error_of(answer, 422)) == ["path.site_id"]
    assert answer.headers["x-ratelimit-limit"] == "60"


def test_an_unknown_token_is_401_whatever_the_site(api, site, db):
    for site_id in (site.id, 424242):
        answer = push(api, site_id, payload_a(), token="x" * 43)
        error_of(answer, 401)
        assert answer.headers["www-authenticate"] == 'Bearer realm="modwatch", error="invalid_token"'
        assert "x-ratelimit-remaining" not in answer.headers
    assert landed(db) == []


def test_a_token_of_another_site_is_403(api, create_site, db):
    site_a = create_site(name="A", url="https://a.example")
    site_b = create_site(name="B", url="https://b.example")
    answer = push(api, site_b.id, payload_a(url="https://b.example"), token=site_a.token)
    error = error_of(answer, 403)
    assert "another site" in error["message"]
    # Nothing about site B's window leaks to site A.
    assert "x-ratelimit-remaining" not in answer.headers
    # An id that does not exist answers the same: a site token cannot probe for sites.
    assert error_of(push(api, 424242, payload_a(), token=site_a.token), 403) == {
        **error, "message": error["message"].replace(str(site_b.id), "424242")}
    assert landed(db) == []


def test_an_unknown_site_is_404_for_the_admin(api, admin_headers, db):
    answer = push(api, 424242, payload_a(), token=None, headers=admin_headers)
    assert error_of(answer, 404)["message"] == "no site with id 424242"
    assert answer.headers["x-ratelimit-limit"] == "60"


def test_the_caller_is_refused_before_the_body_is_judged(api, create_site):
    site_a = create_site(name="A", url="https://a.example")
    site_b = create_site(name="B", url="https://b.example")
    garbage = b"<xml/>"
    assert push(api, site_a.id, garbage, token="unknown").status_code == 401
    assert push(api, site_b.id, garbage, token=site_a.token).status_code == 403
    assert push(api, site_b.id, garbage, token=site_a.token,
                headers={"Content-Type": "text/plain"}).status_code == 403
    assert push(api, site_a.id, garbage, token=site_a.token).status_code == 400


# 409 ---------------------------------------------------------------------------


def test_the_same_idempotency_key_with_another_body_is_409(api, site, db):
    key = {"Idempotency-Key": "cron-2024-01-15T10:35"}
    first = push(api, site.id, payload_a(3), token=site.token, headers=key)
    assert first.status_code == 202
    answer = push(api, site.id, payload_a(4), token=site.token, headers=key)
    error = error_of(answer, 409)
    assert error["code"] == "idempotency_key_reused"
    assert first.json()["task_id"] in error["message"]
    assert paths(error) == ["header.Idempotency-Key"]
    assert_site_rate_headers(answer)
    assert len(landed(db)) == 1


@pytest.mark.parametrize("key", ["", "k" * 256, "caf\u00e9", "tab\there"])
def test_an_invalid_idempotency_key_is_422(api, site, db, key):
    answer = push(api, site.id, payload_a(), token=site.token, headers={"Idempotency-Key": key.encode("latin-1")})
    assert paths(error_of(answer, 422)) == ["header.Idempotency-Key"]
    assert_site_rate_headers(answer)
    assert landed(db) == []


# 413 ---------------------------------------------------------------------------


def test_a_body_over_the_limit_is_413(start_api, admin_headers, db):
    client = start_api(max_body_bytes=20_000)
    site = register_site(client, admin_headers)
    raw = encode(payload_a(200))
    assert len(raw) > 20_000
    answer = push(client, site.id, raw, token=site.token)
    error = error_of(answer, 413)
    assert error["code"] == "body_too_large" and "20000" in error["message"]
    assert_site_rate_headers(answer)
    # The same without Content-Length (chunked): refused while streaming.
    chunked = client.post(f"/api/v1/sites/{site.id}/modules", content=iter([raw[:10_000], raw[10_000:]]),
                          headers={**site.headers, "Content-Type": "application/json"})
    assert error_of(chunked, 413)["code"] == "body_too_large"
    # Small enough on the wire, too large once decompressed.
    compressed = gzip.compress(raw)
    assert len(compressed) < 20_000
    inflated = push(client, site.id, compressed, token=site.token, headers={"Content-Encoding": "gzip"})
    assert "after gzip" in error_of(inflated, 413)["message"]
    # Just under the limit is fine.
    assert push(client, site.id, payload_a(50), token=site.token).status_code == 202
    assert len(landed(db)) == 1


def test_a_large_refused_body_still_gets_its_answer(api, site):
    # The server drains (a bounded amount of) a refused body, so a client that
    # is still sending reads the answer instead of a connection reset.
    big = b"x" * (11 * 1024 * 1024)
    assert push(api, site.id, big, token=site.token).status_code == 413
    assert push(api, site.id, big[:5_000_000], token=site.token,
                headers={"Content-Type": "text/plain"}).status_code == 415


def test_a_gzip_bomb_is_refused_without_inflating_it(api, site, db):
    bomb = gzip.compress(b"\0" * (50 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 100_000
    process = psutil.Process()
    before = process.memory_info().rss
    started = time.monotonic()
    answer = push(api, site.id, bomb, token=site.token, headers={"Content-Encoding": "gzip"})
    elapsed = time.monotonic() - started
    grown = process.memory_info().rss - before
    assert error_of(answer, 413)["code"] == "body_too_large"
    assert elapsed < 2
    # At most the 10 MB limit is ever inflated (the server runs in this process).
    assert grown < 40 * 1024 * 1024, grown
    assert landed(db) == []


# 415 ---------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [
    {"Content-Type": "text/plain"},
    {"Content-Type": "application/xml"},
    {"Content-Type": "application/x-www-form-urlencoded"},
    {"Content-Type": "application/json; charset=latin-1"},
    {"Content-Type": "multipart/form-data; boundary=x"},
    {"Content-Type": ""},
    {"Content-Encoding": "br"},
    {"Content-Encoding": "gzip, gzip"},
])
def test_a_body_that_is_not_json_is_415(api, site, db, headers):
    answer = push(api, site.id, payload_a(), token=site.token, headers=headers)
    error = error_of(answer, 415)
    assert error["details"][0]["path"].startswith("header.Content-")
    assert_site_rate_headers(answer)
    assert landed(db) == []


def test_a_missing_content_type_is_415(api, site):
    answer = api.post(f"/api/v1/sites/{site.id}/modules", content=encode(payload_a()), headers=site.headers)
    assert error_of(answer, 415)["code"] == "unsupported_media_type"


# 422 ---------------------------------------------------------------------------


def test_every_schema_violation_is_listed_with_its_path(api, site, db):
    modules = [
        module_a(0),
        module_a(1, machine_name="Bad-Name"),
        module_a(2, enabled="1"),
        module_a(3, version=""),  # an empty version is judged UNKNOWN downstream, never refused
        module_a(4, module_type="theme", datestamp="1718000000"),
        module_a(5, display_name="n" * 256, version="v" * 51),
        module_a(6, enabled=1, datestamp=1.5),
        {"machine_name": "missing_everything"},
        "not an object",
    ]
    body = payload_a(modules)
    body["drupal_info"] = {"core_version": "ten", "php_version": 8}
    answer = push(api, site.id, body, token=site.token)
    error = error_of(answer, 422)
    assert error["code"] == "validation_failed"
    assert set(paths(error)) == {
        "$.drupal_info.core_version",
        "$.drupal_info.php_version",
        "$.modules[1].machine_name",
        "$.modules[2].enabled",
        "$.modules[4].module_type",
        "$.modules[4].datestamp",
        "$.modules[5].display_name",
        "$.modules[5].version",
        "$.modules[6].enabled",
        "$.modules[6].datestamp",
        "$.modules[7].display_name",
        "$.modules[7].module_type",
        "$.modules[7].enabled",
        "$.modules[8]",
    }
    assert all(item["message"] and item["code"] for item in error["details"])
    assert_site_rate_headers(answer)
    assert landed(db) == []


def test_shape_b_types_are_strict_too(api, site):
    modules = [module_b(0, status="true"), module_b(1, schema_version="8000"), module_b(2, type="library"),
               module_b(3, core_compatibility="^9 || ^10"), module_b(4, name=7)]
    body = payload_b(modules, drupal_version="9", php_version="eight", sync_type="incremental", sync_timestamp=[])
    del body["site_info"]
    body["site_info"] = "my site"
    error = error_of(push(api, site.id, body, token=site.token), 422)
    assert set(paths(error)) == {
        "$.modules[0].status", "$.modules[1].schema_version", "$.modules[2].type",
        "$.modules[3].core_compatibility", "$.modules[4].name", "$.drupal_version", "$.php_version",
        "$.sync_type", "$.sync_timestamp", "$.site_info",
    }
    assert "shape B" in error["message"]


def test_duplicate_machine_names_are_named_with_their_paths(api, site, db):
    modules = [module_a(0), module_a(1), module_a(2, machine_name="module_0"), module_a(3),
               module_a(4, machine_name="module_1"), module_a(5, machine_name="module_0")]
    error = error_of(push(api, site.id, payload_a(modules), token=site.token), 422)
    assert paths(error) == ["$.modules[2].machine_name", "$.modules[4].machine_name", "$.modules[5].machine_name"]
    assert "'module_0'" in error["details"][0]["message"] and "$.modules[0]" in error["details"][0]["message"]
    assert {item["code"] for item in error["details"]} == {"duplicate"}
    assert landed(db) == []


def test_duplicates_are_listed_alongside_other_problems(api, site):
    modules = [module_b(0), module_b(1, machine_name="module_0"), module_b(2, status=None)]
    error = error_of(push(api, site.id, payload_b(modules), token=site.token), 422)
    assert set(paths(error)) == {"$.modules[1].machine_name", "$.modules[2].status"}


def test_more_modules_than_allowed_is_422(api, site, db):
    error = error_of(push(api, site.id, payload_a(2001), token=site.token), 422)
    assert paths(error) == ["$.modules"]
    assert "at most 2000" in error["details"][0]["message"]
    assert landed(db) == []


def test_an_empty_module_list_is_422(api, site):
    for body in (payload_a([]), payload_b([])):
        assert paths(error_of(push(api, site.id, body, token=site.token), 422)) == ["$.modules"]


def test_a_body_of_neither_shape_names_what_each_shape_misses(api, site):
    error = error_of(push(api, site.id, {"modules": [module_a(0)], "version": 2}, token=site.token), 422)
    assert error["code"] == "unknown_payload_shape"
    assert "shape A" in error["message"] and "shape B" in error["message"]
    assert {(item["path"], item["message"]) for item in error["details"]} == {
        ("$.site", "required by shape A"), ("$.drupal_info", "required by shape A"),
        ("$.site_info", "required by shape B"), ("$.sync_timestamp", "required by shape B"),
        ("$.drupal_version", "required by shape B"), ("$.php_version", "required by shape B"),
        ("$.packages", "required by composer.lock (format=composer-lock)"),
    }
    assert "drush pm:list" in error["message"] and "composer.lock" in error["message"]


def test_a_partial_shape_is_judged_as_that_shape(api, site):
    # `site_info` alone says shape B: the answer lists what B misses, not A.
    error = error_of(push(api, site.id, {"site_info": {}, "modules": [module_b(0)]}, token=site.token), 422)
    assert set(paths(error)) == {"$.sync_timestamp", "$.drupal_version", "$.php_version"}
    # Shape A keys win over shape B keys.
    body = {**payload_b(), "drupal_info": {"core_version": "10.1", "php_version": "8.3"}}
    error = error_of(push(api, site.id, body, token=site.token), 422)
    assert "$.site" in paths(error) and "shape A" in error["message"]


@pytest.mark.parametrize("raw", [b"[]", b'"modules"', b"42", b"null", b"true"])
def test_a_body_that_is_not_an_object_is_422(api, site, raw):
    error = error_of(push(api, site.id, raw, token=site.token), 422)
    assert paths(error) == ["$"] and "JSON object" in error["details"][0]["message"]


def test_nul_characters_are_refused_with_their_paths(api, site, db):
    body = payload_a([module_a(0, description="evil\u0000"), module_a(1)])
    body["site"]["name"] = "a\u0000"
    error = error_of(push(api, site.id, body, token=site.token), 422)
    assert set(paths(error)) == {"$.modules[0].description", "$.site.name"}
    # An escaped backslash followed by u0000 is just text, not a NUL.
    fine = payload_a([module_a(0, description="C:\\u0000")])
    assert push(api, site.id, fine, token=site.token).status_code == 202
    assert len(landed(db)) == 1


def test_json_paths_quote_keys_that_are_not_identifiers(api, site):
    body = payload_b()
    body["site_info"] = {"has space": "\u0000"}
    assert paths(error_of(push(api, site.id, body, token=site.token), 422)) == ["$.site_info['has space']"]


# 429 ---------------------------------------------------------------------------


def test_over_the_rate_limit_is_429_with_retry_after(start_api, admin_headers, db):
    client = start_api(rate_limit_per_hour=3)
    site = register_site(client, admin_headers)
    for expected_remaining in ("2", "1", "0"):
        answer = push(client, site.id, payload_a(), token=site.token)
        assert answer.status_code == 202
        assert answer.headers["x-ratelimit-remaining"] == expected_remaining
    refused = push(client, site.id, payload_a(), token=site.token)
    error = error_of(refused, 429)
    assert error["code"] == "rate_limited"
    retry_after = int(refused.headers["retry-after"])
    assert 3590 <= retry_after <= 3600
    assert refused.headers["x-ratelimit-remaining"] == "0"
    oldest = db.execute("SELECT min(received_at) AS at FROM landing_payloads").fetchone()["at"]
    assert int(refused.headers["x-ratelimit-reset"]) == pytest.approx(oldest.timestamp() + 3600, abs=1)
    assert len(landed(db)) == 3
    # Another site has its own window.
    other = register_site(client, admin_headers, name="Other", url="https://other.example")
    assert push(client, other.id, payload_a(url="https://other.example"), token=other.token).status_code == 202


def test_payloads_older_than_an_hour_leave_the_window(start_api, admin_headers, db):
    client = start_api(rate_limit_per_hour=2)
    site = register_site(client, admin_headers)
    for _ in range(2):
        assert push(client, site.id, payload_a(), token=site.token).status_code == 202
    assert push(client, site.id, payload_a(), token=site.token).status_code == 429
    db.execute("UPDATE landing_payloads SET received_at = received_at - interval '61 minutes' "
               "WHERE id = (SELECT min(id) FROM landing_payloads)")
    answer = push(client, site.id, payload_a(), token=site.token)
    assert answer.status_code == 202
    assert answer.headers["x-ratelimit-remaining"] == "0"
    refused = push(client, site.id, payload_a(), token=site.token)
    assert 3590 <= int(refused.headers["retry-after"]) <= 3600


def test_refusals_do_not_count_against_the_limit(start_api, admin_headers, db):
    client = start_api(rate_limit_per_hour=1)
    site = register_site(client, admin_headers)
    for _ in range(3):
        assert push(client, site.id, b"{", token=site.token).status_code == 400
        assert push(client, site.id, payload_a(url="https://evil.example"), token=site.token).status_code == 400
    answer = push(client, site.id, payload_a(), token=site.token)
    assert answer.status_code == 202
    assert json.loads(bytes(landed(db)[0]["body"]))["site"]["url"] == site.url
