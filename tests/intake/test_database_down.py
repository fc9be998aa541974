"""With the database down, every answer is 503 — never 202 — and nothing lands."""

import httpx
import pytest

from tests.intake.tcp_proxy import BreakableProxy
from tests.support.intake import encode, landed, payload_a, push, register_site
from tests.support.live import make_settings


@pytest.fixture
def proxy(database_url):
    breakable = BreakableProxy(database_url)
    yield breakable
    breakable.close()


def assert_unavailable(answer) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["error"]["code"] == "database_unavailable"
    assert answer.headers["retry-after"].isdigit()


def test_a_dead_server_answers_503_everywhere(live_app, tmp_path, free_port_url, admin_headers, db):
    live = live_app(make_settings(tmp_path, free_port_url))
    with httpx.Client(base_url=live.base_url, timeout=30) as client:
        pushed = push(client, 1, payload_a(), token=None, headers=admin_headers)
        assert_unavailable(pushed)
        assert pushed.headers["x-ratelimit-limit"] == "60"
        # A site token needs the database to be recognised: still 503, not 401.
        assert_unavailable(push(client, 1, payload_a(), token="some-site-token"))
        assert_unavailable(client.get("/api/v1/sites", headers=admin_headers))
        assert_unavailable(client.post("/api/v1/sites", json={"name": "x", "url": "https://x.example"},
                                       headers=admin_headers))
        assert_unavailable(client.get(f"/api/v1/tasks/{'0' * 8}-0000-0000-0000-{'0' * 12}/status",
                                      headers=admin_headers))
    assert landed(db) == []


def test_a_database_that_goes_away_and_comes_back(live_app, tmp_path, proxy, admin_headers, db):
    live = live_app(make_settings(tmp_path, proxy.url))
    with httpx.Client(base_url=live.base_url, timeout=30) as client:
        site = register_site(client, admin_headers)
        assert push(client, site.id, payload_a(1), token=site.token).status_code == 202

        proxy.cut()
        for _ in range(3):
            assert_unavailable(push(client, site.id, payload_a(2), token=site.token))
        assert len(landed(db, site.id)) == 1

        proxy.restore()
        assert push(client, site.id, payload_a(3), token=site.token).status_code == 202
    assert [row["modules_received"] for row in landed(db, site.id)] == [1, 3]


def test_a_connection_lost_at_commit_is_503_and_nothing_lands(live_app, tmp_path, proxy, admin_headers, db):
    live = live_app(make_settings(tmp_path, proxy.url))
    with httpx.Client(base_url=live.base_url, timeout=30) as client:
        site = register_site(client, admin_headers)
        raw = encode(payload_a(5))
        proxy.cut_before(b"COMMIT")
        answer = push(client, site.id, raw, token=site.token, headers={"Idempotency-Key": "k1"})
        assert_unavailable(answer)
        assert landed(db, site.id) == []
        assert db.execute("SELECT count(*) AS n FROM audit_log WHERE action = 'sync.accepted'").fetchone()["n"] == 0

        # The client retries with the same key: it lands once.
        retried = push(client, site.id, raw, token=site.token, headers={"Idempotency-Key": "k1"})
        assert retried.status_code == 202
    assert len(landed(db, site.id)) == 1


def test_an_admin_change_lost_at_commit_is_503_not_201(live_app, tmp_path, proxy, admin_headers, db):
    live = live_app(make_settings(tmp_path, proxy.url))
    with httpx.Client(base_url=live.base_url, timeout=30) as client:
        client.get("/health")  # a pooled connection exists; the next statement's COMMIT is cut
        proxy.cut_before(b"COMMIT")
        answer = client.post("/api/v1/sites", json={"name": "Lost", "url": "https://lost.example"},
                             headers=admin_headers)
        assert_unavailable(answer)
    assert db.execute("SELECT count(*) AS n FROM sites").fetchone()["n"] == 0
    assert db.execute("SELECT count(*) AS n FROM audit_log").fetchone()["n"] == 0
