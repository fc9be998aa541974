"""The rate limit under concurrency and across restarts; idempotent retries."""

import gzip
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.support.intake import encode, landed, payload_a, push, register_site
from tests.support.live import make_settings


def concurrently(count: int, send) -> list[httpx.Response]:
    """Run `send(client)` `count` times at once, each on its own connection."""
    start = threading.Barrier(count)

    def one(_):
        with httpx.Client(timeout=30) as client:
            start.wait()
            return send(client)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def test_concurrent_pushes_never_exceed_the_limit(start_api, admin_headers, db):
    client = start_api(rate_limit_per_hour=10)
    site = register_site(client, admin_headers)
    raw = encode(payload_a(200, full_sync=True))
    url = f"{client.base_url}/api/v1/sites/{site.id}/modules"
    headers = {**site.headers, "Content-Type": "application/json"}

    answers = concurrently(20, lambda http: http.post(url, content=raw, headers=headers))

    assert Counter(answer.status_code for answer in answers) == {202: 10, 429: 10}
    assert len(landed(db, site.id)) == 10
    assert len({answer.json()["task_id"] for answer in answers if answer.status_code == 202}) == 10
    assert sorted(answer.headers["x-ratelimit-remaining"] for answer in answers if answer.status_code == 202) == [
        str(n) for n in range(10)]
    assert all(int(answer.headers["retry-after"]) > 0 for answer in answers if answer.status_code == 429)


def test_the_limit_survives_a_restart(live_app, tmp_path, database_url, admin_headers, db):
    settings = make_settings(tmp_path, database_url, rate_limit_per_hour=2)
    first = live_app(settings)
    with httpx.Client(base_url=first.base_url, timeout=30) as client:
        site = register_site(client, admin_headers)
        assert [push(client, site.id, payload_a(), token=site.token).status_code for _ in range(3)] == [202, 202, 429]
    first.stop()

    second = live_app(settings)
    with httpx.Client(base_url=second.base_url, timeout=30) as client:
        answer = push(client, site.id, payload_a(), token=site.token)
        assert answer.status_code == 429
        assert answer.headers["x-ratelimit-remaining"] == "0"
    assert len(landed(db, site.id)) == 2


def test_an_idempotent_retry_answers_the_original_task_and_is_not_counted(start_api, admin_headers, db):
    client = start_api(rate_limit_per_hour=2)
    site = register_site(client, admin_headers)
    raw = encode(payload_a(5, full_sync=True))
    key = {"Idempotency-Key": "3f1c7c52-retry"}

    first = push(client, site.id, raw, token=site.token, headers=key)
    assert first.status_code == 202 and first.headers["x-ratelimit-remaining"] == "1"
    again = push(client, site.id, raw, token=site.token, headers=key)
    assert again.status_code == 202
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["x-ratelimit-remaining"] == "1"
    # The same body gzipped is the same body.
    zipped = push(client, site.id, gzip.compress(raw), token=site.token,
                  headers={**key, "Content-Encoding": "gzip"})
    assert zipped.json()["task_id"] == first.json()["task_id"]

    [row] = landed(db, site.id)
    assert row["idempotency_key"] == "3f1c7c52-retry"
    # A retry still answers once the limit is used up.
    assert push(client, site.id, payload_a(1), token=site.token).status_code == 202
    assert push(client, site.id, payload_a(2), token=site.token).status_code == 429
    assert push(client, site.id, raw, token=site.token, headers=key).json()["task_id"] == first.json()["task_id"]
    assert len(landed(db, site.id)) == 2


def test_concurrent_retries_with_one_key_land_once(start_api, admin_headers, db):
    client = start_api()
    site = register_site(client, admin_headers)
    raw = encode(payload_a(50))
    url = f"{client.base_url}/api/v1/sites/{site.id}/modules"
    headers = {**site.headers, "Content-Type": "application/json", "Idempotency-Key": "same"}

    answers = concurrently(10, lambda http: http.post(url, content=raw, headers=headers))

    assert {answer.status_code for answer in answers} == {202}
    assert len({answer.json()["task_id"] for answer in answers}) == 1
    assert len(landed(db, site.id)) == 1


def test_idempotency_keys_are_per_site_and_last_24_hours(api, create_site, db):
    site_a = create_site(name="A", url="https://a.example")
    site_b = create_site(name="B", url="https://b.example")
    key = {"Idempotency-Key": "nightly"}
    task_a = push(api, site_a.id, payload_a(url=site_a.url), token=site_a.token, headers=key).json()["task_id"]
    task_b = push(api, site_b.id, payload_a(url=site_b.url), token=site_b.token, headers=key).json()["task_id"]
    assert task_a != task_b

    db.execute("UPDATE landing_payloads SET received_at = received_at - interval '25 hours' WHERE site_id = %s",
               (site_a.id,))
    reused = push(api, site_a.id, payload_a(2, url=site_a.url), token=site_a.token, headers=key)
    assert reused.status_code == 202 and reused.json()["task_id"] != task_a
    assert len(landed(db, site_a.id)) == 2
