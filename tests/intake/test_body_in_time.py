"""Bodies that never arrive: a refusal is answered at once, and a stalled body meets a deadline.

Sent over a bare socket, since HTTP client libraries always send what they announce.
"""

from collections.abc import Iterator

import httpx
import pytest

from intake.main import create_app
from tests.support.intake import landed, register_site
from tests.support.live import LiveServer, serve
from tests.support.raw_http import send_partial

JSON = "application/json"


@pytest.fixture
def impatient_server(settings) -> Iterator[LiveServer]:
    """The real app with a body deadline of one second."""
    live = serve(create_app(settings, body_deadline_seconds=1))
    yield live
    live.stop()


def test_a_content_length_over_the_limit_is_413_without_waiting_for_the_body(api, site, db):
    answer = send_partial(str(api.base_url), "POST", f"/api/v1/sites/{site.id}/modules",
                          headers={"Authorization": f"Bearer {site.token}", "Content-Type": JSON,
                                   "Content-Length": str(50_000_000)},
                          body=b'{"modules": [', wait_seconds=10)
    assert answer.status == 413
    assert answer.json()["error"]["code"] == "body_too_large"
    assert "Content-Length 50000000" in answer.json()["error"]["message"]
    assert answer.seconds < 3
    assert landed(db) == []


def test_a_refused_content_type_with_a_huge_length_is_answered_at_once(api, site):
    answer = send_partial(str(api.base_url), "POST", f"/api/v1/sites/{site.id}/modules",
                          headers={"Authorization": f"Bearer {site.token}", "Content-Type": "text/plain",
                                   "Content-Length": str(50_000_000)},
                          body=b"hello", wait_seconds=10)
    assert answer.status == 415
    assert answer.seconds < 3


@pytest.mark.parametrize("route", ["push", "register"])
def test_a_stalled_body_is_408_at_the_deadline_and_the_connection_closed(impatient_server, admin_headers, db,
                                                                         route):
    with httpx.Client(base_url=impatient_server.base_url, timeout=30) as client:
        site = register_site(client, admin_headers)
    path, token = {"push": (f"/api/v1/sites/{site.id}/modules", site.token),
                   "register": ("/api/v1/sites", admin_headers["Authorization"].removeprefix("Bearer "))}[route]
    answer = send_partial(impatient_server.base_url, "POST", path,
                          headers={"Authorization": f"Bearer {token}", "Content-Type": JSON,
                                   "Content-Length": "1000"},
                          body=b'{"name": "Slow', wait_seconds=10)
    assert answer.status == 408
    error = answer.json()["error"]
    assert error["code"] == "body_timeout" and "1 s" in error["message"]
    assert 0.5 < answer.seconds < 5
    assert answer.closed
    assert landed(db) == []
    assert db.execute("SELECT count(*) AS n FROM sites").fetchone()["n"] == 1


def test_a_body_sent_in_time_is_unaffected_by_the_deadline(impatient_server, admin_headers):
    body = b'{"name": "Quick", "url": "https://quick.example"}'
    answer = send_partial(impatient_server.base_url, "POST", "/api/v1/sites",
                          headers={**admin_headers, "Content-Type": JSON, "Content-Length": str(len(body))},
                          body=body, wait_seconds=10)
    assert answer.status == 201, answer.body
