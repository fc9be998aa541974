"""Drush and composer.lock pushes at the intake, and the bodies it refuses because two parsers would read
them two ways. What lands is the body as received (a token inside it removed), with its shape recorded."""

import json

import pytest

from tests.support.intake import encode, landed, module_a, payload_a, payload_b, push
from tests.support.inventories import COMPOSER_LOCK, DRUSH_DRUPAL7, DRUSH_DRUPAL10, document


def error_of(answer, status: int) -> dict:
    assert answer.status_code == status, answer.text
    return answer.json()["error"]


@pytest.mark.parametrize(("fixture", "shape", "received", "core"), [
    (DRUSH_DRUPAL7, "c", 29, "7.28"), (DRUSH_DRUPAL10, "c", 28, "10.2.7"), (COMPOSER_LOCK, "d", 8, "10.2.7"),
])
def test_what_a_host_prints_lands_as_received(api, site, db, fixture, shape, received, core):
    raw = fixture.read_bytes()
    answer = push(api, site.id, raw, token=site.token)
    assert answer.status_code == 202, answer.text
    assert (answer.json()["modules_received"], answer.json()["sync_type"]) == (received, "full")
    (row,) = landed(db, site.id)
    assert (row["payload_shape"], row["core_version"], row["modules_received"]) == (shape, core, received)
    assert bytes(row["body"]) == raw


@pytest.mark.parametrize(("query", "status"), [("?format=drush", 202), ("?format=composer-lock", 422),
                                               ("?format=b", 422), ("?format=xml", 422),
                                               ("?format=drush&format=a", 422)])
def test_format_names_the_shape(api, site, db, query, status):
    answer = push(api, site.id, DRUSH_DRUPAL10.read_bytes(), token=site.token, path=f"modules{query}")
    assert answer.status_code == status, answer.text
    if query == "?format=xml":
        assert answer.json()["error"]["details"][0]["path"] == "query.format"
    assert len(landed(db)) == (status == 202)


def test_a_body_of_no_shape_names_all_four(api, site, db):
    error = error_of(push(api, site.id, {"inventory": [1, 2]}, token=site.token), 422)
    assert error["code"] == "unknown_payload_shape"
    for shape in ("shape A", "shape B", "drush pm:list", "composer.lock"):
        assert shape in error["message"]
    assert landed(db) == []


def test_a_bad_drush_entry_is_named(api, site, db):
    body = document(DRUSH_DRUPAL10)
    body["token"]["project"] = "../../../../etc/passwd"
    body["metatag"]["version"] = "8.x-" + "1" * 60
    error = error_of(push(api, site.id, body, token=site.token), 422)
    assert {item["path"] for item in error["details"]} == {"$.token.project", "$.metatag.version"}
    assert landed(db) == []


def test_an_odd_version_never_loses_a_payload(api, site, db):
    body = document(DRUSH_DRUPAL10)
    body["token"]["version"] = "my own fork"
    body["metatag"]["version"] = ""
    del body["webform"]["version"]
    assert push(api, site.id, body, token=site.token).status_code == 202
    modules = [module_a(0, version=None), module_a(1, version=""), {**module_a(2)}]
    del modules[2]["version"]
    assert push(api, site.id, payload_a(modules), token=site.token).status_code == 202
    assert len(landed(db)) == 2


@pytest.mark.parametrize(("raw", "named"), [
    (b'{"site": {"url": "https://www.example.org", "url": "https://evil.example"}}', "'url' appears more than once"),
    (encode(payload_b(2)).replace(b'"version": "2.0.0"', b'"version": "2.0.0", "version": "x"'), "'version'"),
    (encode(payload_a(1)).replace(b'"enabled": true', b'"enabled": true, "weight": NaN'), "NaN"),
    (encode(payload_a(1)).replace(b'"enabled": true', b'"enabled": true, "weight": Infinity'), "Infinity"),
    (encode(payload_a(1)).replace(b'"enabled": true', b'"enabled": true, "weight": -Infinity'), "-Infinity"),
])
def test_a_body_two_parsers_would_read_differently_is_400(api, site, db, raw, named):
    error = error_of(push(api, site.id, raw, token=site.token), 400)
    assert error["code"] == "malformed_json" and named in error["message"]
    assert landed(db) == []


def test_a_repeated_machine_name_key_cannot_slip_past_validation(api, site, db):
    # Validated as the last value, decoded downstream as the first: refused before either.
    raw = encode(payload_a(1)).replace(b'"machine_name": "module_0"',
                                       b'"machine_name": "Not A Machine Name!", "machine_name": "module_0"')
    assert error_of(push(api, site.id, raw, token=site.token), 400)["code"] == "malformed_json"
    assert landed(db) == []


def test_a_legacy_token_in_the_body_never_lands(api, site, db):
    body = payload_a(2)
    body["site"]["token"] = "legacy-plaintext-token-0123456789"
    answer = push(api, site.id, body, token=site.token, headers={"Idempotency-Key": "one"})
    assert answer.status_code == 202
    (row,) = landed(db, site.id)
    stored = json.loads(bytes(row["body"]))
    assert b"legacy-plaintext-token" not in bytes(row["body"]) and "token" not in stored["site"]
    assert stored["modules"] == body["modules"]
    # The same body again is the same payload: the Idempotency-Key answers the original task.
    again = push(api, site.id, body, token=site.token, headers={"Idempotency-Key": "one"})
    assert again.status_code == 202 and again.json()["task_id"] == answer.json()["task_id"]
