"""The intake's pure pieces, without a server."""

import gzip
import hashlib
import json
import zlib
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.body import BoundedGunzip, is_json_media_type
from intake.errors import ApiError, json_path
from intake.json_document import read_document
from intake.payloads import detect_shape, parse_sync_payload
from intake.ratelimit import RateWindow, retry_after_seconds
from intake.site_urls import same_site_url, site_url_key
from tests.support.intake import encode, payload_a, payload_b
from tests.support.inventories import FIXTURES


def gunzip_in_chunks(data: bytes, limit: int, chunk: int) -> bytes:
    inflater = BoundedGunzip(limit)
    for start in range(0, len(data), chunk):
        inflater.feed(data[start:start + chunk])
    return inflater.finish()


@given(body=st.binary(max_size=5000), chunk=st.integers(1, 700), members=st.integers(1, 3))
def test_gunzip_round_trips_within_the_limit(body, chunk, members):
    cut = [len(body) * i // members for i in range(members + 1)]
    compressed = b"".join(gzip.compress(body[a:b]) for a, b in pairwise(cut))
    assert gunzip_in_chunks(compressed, len(body), chunk) == body


@given(body=st.binary(min_size=1, max_size=5000), chunk=st.integers(1, 700))
def test_gunzip_refuses_one_byte_over_the_limit(body, chunk):
    with pytest.raises(ApiError) as refused:
        gunzip_in_chunks(gzip.compress(body), len(body) - 1, chunk)
    assert refused.value.status == 413


def test_gunzip_never_holds_more_than_the_limit():
    bomb = gzip.compress(b"\0" * 20_000_000)
    inflater = BoundedGunzip(1000)
    with pytest.raises(ApiError):
        inflater.feed(bomb)
    assert len(inflater.output) <= 1001


@pytest.mark.parametrize("data", [b"", b"plain", gzip.compress(b"{}")[:-3], zlib.compress(b"{}")])
def test_gunzip_refuses_what_is_not_complete_gzip(data):
    with pytest.raises(ApiError) as refused:
        gunzip_in_chunks(data, 100, 4) if data else BoundedGunzip(100).finish()
    assert refused.value.status == 400 and refused.value.code == "bad_gzip"


@pytest.mark.parametrize(("content_type", "accepted"), [
    ("application/json", True), ("application/json; charset=utf-8", True), ("APPLICATION/JSON", True),
    ("application/json;charset=UTF8", True), ("application/problem+json", True), ("application/json; v=2", True),
    (None, False), ("", False), ("text/json", False), ("application/jsonx", False), ("json", False),
    ("application/json; charset=iso-8859-1", False), ("text/plain+json", False),
])
def test_json_media_types(content_type, accepted):
    assert is_json_media_type(content_type) is accepted


@pytest.mark.parametrize(("a", "b", "same"), [
    ("https://Example.org/Site/", "https://example.org/site", True),
    ("http://example.org:80", "http://example.org", True),
    ("https://example.org:443/", "https://example.org", True),
    ("https://example.org", "http://example.org", False),
    ("https://example.org:8443", "https://example.org", False),
    ("https://example.org/a", "https://example.org/b", False),
    ("https://example.org/", "https://www.example.org/", False),
    ("https://example.org:99999", "https://example.org", False),
    ("example.org", "example.org", False),
])
def test_site_urls(a, b, same):
    assert same_site_url(a, b) is same


def test_site_url_keys_need_http_and_a_host():
    assert site_url_key("ftp://example.org") is None
    assert site_url_key("https:///path") is None
    assert site_url_key(" https://example.org ") == ("https", "example.org", 443, "")


def test_json_paths():
    assert json_path(()) == "$"
    assert json_path(("modules", 3, "version")) == "$.modules[3].version"
    assert json_path(("site_info", "has space", 0)) == "$.site_info['has space'][0]"


def keys(*names: str) -> dict:
    return dict.fromkeys(names)


def test_shape_detection_prefers_shape_a():
    assert detect_shape(keys("site", "modules")) == "a"
    assert detect_shape(keys("drupal_info", "site_info")) == "a"
    assert detect_shape(keys("sync_timestamp")) == "b"
    assert detect_shape(keys("packages", "content-hash")) == "d"
    assert detect_shape({"node": {"type": "module", "status": "Enabled"}, "x": {}}) == "c"
    assert detect_shape(keys("modules")) is None
    assert detect_shape({"node": {"type": "module"}}) is None  # an object of objects, but none has a status
    assert detect_shape({}) is None


def test_parsing_reads_the_facts_without_reserialising():
    raw = encode(payload_b(7, sync_type="partial"))
    payload = parse_sync_payload(raw, max_modules=10)
    assert (payload.shape, payload.sync_type, payload.core_version, payload.modules_received) == (
        "b", "partial", "9.5.11", 7)
    assert payload.body is raw and payload.reported_url is None  # no token inside: the bytes land as they came
    a = parse_sync_payload(encode(payload_a(2, full_sync=True)), max_modules=10)
    assert (a.shape, a.sync_type, a.reported_url) == ("a", "full", "https://www.example.org")


def test_the_module_limit_comes_from_the_caller():
    with pytest.raises(ApiError) as refused:
        parse_sync_payload(encode(payload_a(11)), max_modules=10)
    assert refused.value.status == 422 and refused.value.details[0]["path"] == "$.modules"


def test_an_escaped_shape_a_key_is_still_shape_a():
    raw = encode(payload_a(1)).replace(b'"drupal_info"', b'"drupal\\u005finfo"')
    assert parse_sync_payload(raw, max_modules=10).shape == "a"


def test_rate_window_headers():
    now = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    oldest = now - timedelta(minutes=20)
    window = RateWindow(limit=5, used=2, oldest=oldest, now=now)
    assert window.headers() == {"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "3",
                                "X-RateLimit-Reset": str(int((oldest + timedelta(hours=1)).timestamp()))}
    assert RateWindow(5, 0, None, now).headers()["X-RateLimit-Reset"] == str(int(now.timestamp()))
    assert RateWindow(5, 0, None, now).landed(now).headers()["X-RateLimit-Remaining"] == "4"
    assert RateWindow(5, 9, oldest, now).headers()["X-RateLimit-Remaining"] == "0"
    assert retry_after_seconds(oldest, now) == 40 * 60
    assert retry_after_seconds(now - timedelta(hours=2), now) == 1


@pytest.mark.parametrize(("body", "named"), [
    (b'{"site": {"url": "a", "url": "b"}}', "the key 'url' appears more than once"),
    (b'{"modules": [{"version": NaN}]}', "NaN is not a JSON number"),
    (b'{"modules": [{"datestamp": Infinity}]}', "Infinity is not a JSON number"),
    (b'{"modules": [{"datestamp": -Infinity}]}', "-Infinity is not a JSON number"),
    (b'{"modules": [{"datestamp": 1e400}]}', "the number 1e400 is out of range"),
    (b'{"name": "\\udc00"}', "not valid JSON"),
    (b'\xff{"a": 1}', "not UTF-8"),
    (b'{"a": 1', "not valid JSON"),
])
def test_a_body_read_two_ways_is_refused_with_what_is_wrong(body, named):
    with pytest.raises(ApiError) as refused:
        read_document(body)
    assert refused.value.status == 400 and refused.value.code == "malformed_json"
    assert named in refused.value.message


def test_a_surrogate_pair_is_one_character():
    assert read_document(b'{"name": "\\ud83d\\ude00"}') == {"name": "\U0001F600"}


def test_a_token_inside_a_body_never_lands():
    body = payload_a(2)
    body["site"]["token"] = "legacy-secret-token-value"
    payload = parse_sync_payload(encode(body), max_modules=10)
    assert b"legacy-secret-token-value" not in payload.body and b'"token"' not in payload.body
    landed = json.loads(payload.body)
    assert landed["site"] == {"url": "https://www.example.org", "name": "Example"}
    assert landed["modules"] == body["modules"]
    assert payload.body_sha256 == hashlib.sha256(payload.body).digest()
    b = payload_b(1, site_info={"name": "x", "token": "another-secret"})
    assert b"another-secret" not in parse_sync_payload(encode(b), max_modules=10).body


@pytest.mark.parametrize("version", [None, "", "not a version at all"])
def test_a_version_is_never_a_reason_to_refuse(version):
    modules = [{**payload_a(1)["modules"][0], "version": version}, payload_a(2)["modules"][1]]
    del_version = {k: v for k, v in payload_b(1)["modules"][0].items() if k != "version"}
    assert parse_sync_payload(encode(payload_a(modules)), max_modules=10).modules_received == 2
    assert parse_sync_payload(encode(payload_b([del_version])), max_modules=10).modules_received == 1


def test_drush_and_composer_lock_facts():
    drush = parse_sync_payload((FIXTURES / "drush8-drupal7.json").read_bytes(), max_modules=100)
    # 32 extensions, 3 of them `Not installed`.
    assert (drush.shape, drush.sync_type, drush.core_version, drush.modules_received) == ("c", "full", "7.28", 29)
    modern = parse_sync_payload((FIXTURES / "drush13-drupal11.json").read_bytes(), max_modules=100)
    assert (modern.shape, modern.core_version, modern.modules_received) == ("c", "11.1.1", 23)
    lock = parse_sync_payload((FIXTURES / "composer-drupal10.lock").read_bytes(), max_modules=100)
    # Seven drupal/* projects (one of them in packages-dev) and core; Symfony, Twig and plugins are not inventory.
    assert (lock.shape, lock.sync_type, lock.core_version, lock.modules_received) == ("d", "full", "10.2.7", 8)


def test_format_names_the_shape():
    raw = (FIXTURES / "drush12-drupal10.json").read_bytes()
    assert parse_sync_payload(raw, max_modules=100, shape="c").shape == "c"
    with pytest.raises(ApiError) as refused:
        parse_sync_payload(raw, max_modules=100, shape="d")
    assert refused.value.status == 422 and {"path": "$.packages", "message": "Field required",
                                            "code": "missing"} in refused.value.details


def test_a_body_of_no_shape_names_every_shape_and_its_needs():
    with pytest.raises(ApiError) as refused:
        parse_sync_payload(b'{"modules": []}', max_modules=10)
    message = refused.value.message
    assert refused.value.status == 422 and refused.value.code == "unknown_payload_shape"
    for needs in ("shape A needs site, drupal_info, modules", "shape B needs site_info", "drush pm:list",
                  "composer.lock (format=composer-lock) needs packages", "?format=a|b|drush|composer-lock"):
        assert needs in message, message


def test_drush_problems_are_named_with_their_paths():
    document = json.loads((FIXTURES / "drush12-drupal10.json").read_bytes())
    document["Not A Machine Name!"] = {**document["token"]}
    document["token"]["project"] = "../../../../etc/passwd"
    document["metatag"]["status"] = "Broken"
    with pytest.raises(ApiError) as refused:
        parse_sync_payload(encode(document), max_modules=100)
    paths = {problem["path"] for problem in refused.value.details}
    assert {"$['Not A Machine Name!']", "$.token.project", "$.metatag.status"} <= paths, paths


def test_drush_without_a_core_version_or_installed_extension():
    document = {"pathauto": {"type": "module", "status": "Enabled", "version": "8.x-1.12",
                             "path": "modules/contrib/pathauto"}}
    with pytest.raises(ApiError) as refused:
        parse_sync_payload(encode(document), max_modules=10)
    assert [p["path"] for p in refused.value.details] == ["$.system.version"]
    document = {"system": {"type": "module", "status": "Not installed", "version": "10.3.8"}}
    with pytest.raises(ApiError) as refused:
        parse_sync_payload(encode(document), max_modules=10)
    assert [p["code"] for p in refused.value.details] == ["too_short"]


def test_composer_lock_problems_are_named_with_their_paths():
    document = json.loads((FIXTURES / "composer-drupal10.lock").read_bytes())
    document["packages"] = [p for p in document["packages"] if not p["name"].startswith("drupal/core")]
    document["packages"][1]["name"] = "drupal/Bad-Name"
    with pytest.raises(ApiError) as refused:
        parse_sync_payload(encode(document), max_modules=100)
    paths = [problem["path"] for problem in refused.value.details]
    assert paths == ["$.packages[1].name", "$.packages"], paths
    assert "neither drupal/core nor drupal/core-recommended" in refused.value.details[1]["message"]
    with pytest.raises(ApiError) as refused:
        parse_sync_payload((FIXTURES / "composer-drupal10.lock").read_bytes(), max_modules=7)
    assert refused.value.details[0]["path"] == "$.packages" and "got 8" in refused.value.details[0]["message"]


def test_only_a_real_nul_character_is_refused():
    text = payload_a(1)
    text["modules"][0]["description"] = "a backslash then u0000: \\u0000"
    assert parse_sync_payload(encode(text), max_modules=10).modules_received == 1
    text["modules"][0]["description"] = "a NUL: \x00"
    with pytest.raises(ApiError) as refused:
        parse_sync_payload(encode(text), max_modules=10)
    assert [p["path"] for p in refused.value.details] == ["$.modules[0].description"]
