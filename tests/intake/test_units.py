"""The intake's pure pieces, without a server."""

import gzip
import zlib
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.body import BoundedGunzip, is_json_media_type
from intake.errors import ApiError, json_path
from intake.payloads import detect_shape, parse_sync_payload
from intake.ratelimit import RateWindow, retry_after_seconds
from intake.site_urls import same_site_url, site_url_key
from tests.support.intake import encode, payload_a, payload_b


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


def test_shape_detection_prefers_shape_a():
    assert detect_shape({"site", "modules"}) == "a"
    assert detect_shape({"drupal_info", "site_info"}) == "a"
    assert detect_shape({"sync_timestamp"}) == "b"
    assert detect_shape({"modules"}) is None


def test_parsing_reads_the_facts_without_reserialising():
    raw = encode(payload_b(7, sync_type="partial"))
    payload = parse_sync_payload(raw, max_modules=10)
    assert (payload.shape, payload.sync_type, payload.core_version, payload.modules_received) == (
        "b", "partial", "9.5.11", 7)
    assert payload.body is raw and payload.reported_url is None
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
