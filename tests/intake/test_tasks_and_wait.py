"""Task status, and `Prefer: wait=N` (the pipeline is simulated by updating the landing row)."""

import threading
import time
import uuid

import psycopg
import pytest
from psycopg.types.json import Jsonb

from intake.waiting import MAX_WAIT_SECONDS, preferred_wait_seconds
from tests.support.intake import payload_a, payload_b, push

RESULT = {"site_id": 1, "sync_type": "full", "modules_processed": 3, "modules_created": 3, "modules_updated": 0,
          "modules_unchanged": 0, "modules_removed": 0, "security_updates_found": 0, "warnings": [], "errors": [],
          "message": "Successfully synced 3 modules", "processing_time_ms": 12}


def finish_later(database_url: str, site_id: int, *, after: float, status: str = "completed") -> threading.Thread:
    """Play the pipeline: once the site's payload has landed, finish it `after` seconds later."""

    def run() -> None:
        with psycopg.connect(database_url, autocommit=True) as conn:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if conn.execute("SELECT 1 FROM landing_payloads WHERE site_id = %s", (site_id,)).fetchone():
                    break
                time.sleep(0.02)
            time.sleep(after)
            if status == "completed":
                conn.execute("UPDATE landing_payloads SET status = 'completed', result = %s, started_at = now(), "
                             "completed_at = now() WHERE site_id = %s", (Jsonb(RESULT), site_id))
            else:
                conn.execute("UPDATE landing_payloads SET status = 'failed', error = 'merge failed: boom', "
                             "completed_at = now() WHERE site_id = %s", (site_id,))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_prefer_wait_answers_200_when_the_task_completes_in_time(api, site, database_url, db):
    worker = finish_later(database_url, site.id, after=0.3)
    started = time.monotonic()
    answer = push(api, site.id, payload_a(3, full_sync=True), token=site.token, headers={"Prefer": "wait=10"})
    elapsed = time.monotonic() - started
    worker.join()
    assert answer.status_code == 200, answer.text
    task_id = str(db.execute("SELECT task_id FROM landing_payloads").fetchone()["task_id"])
    assert answer.json() == {"status": "completed", "task_id": task_id, "result": RESULT, "error": None}
    assert answer.headers["x-ratelimit-remaining"] == "59"
    assert 0.3 <= elapsed < 3


def test_prefer_wait_reports_a_failed_task_as_200_failed(api, site, database_url):
    worker = finish_later(database_url, site.id, after=0.1, status="failed")
    answer = push(api, site.id, payload_b(), token=site.token, headers={"Prefer": "respond-async, wait=5"})
    worker.join()
    assert answer.status_code == 200
    assert answer.json()["status"] == "failed"
    assert answer.json()["error"] == "merge failed: boom" and answer.json()["result"] is None


def test_prefer_wait_answers_202_when_the_task_is_not_done_in_time(api, site, db):
    started = time.monotonic()
    answer = push(api, site.id, payload_a(), token=site.token, headers={"Prefer": "wait=1"})
    elapsed = time.monotonic() - started
    assert answer.status_code == 202
    assert answer.json()["status"] == "accepted" and answer.headers["location"]
    assert 1 <= elapsed < 3
    assert db.execute("SELECT status FROM landing_payloads").fetchone()["status"] == "pending"


def test_a_wait_beyond_the_maximum_is_clamped_not_refused(api, site, database_url):
    worker = finish_later(database_url, site.id, after=0.2)
    answer = push(api, site.id, payload_a(), token=site.token, headers={"Prefer": "wait=3600"})
    worker.join()
    assert answer.status_code == 200


@pytest.mark.parametrize(("headers", "seconds"), [
    ([], 0), (["wait=5"], 5), (["respond-async, wait=12"], 12), (["WAIT = 7"], 7), (['wait="3"'], 3),
    (["wait=31"], MAX_WAIT_SECONDS), (["wait=99999999999"], MAX_WAIT_SECONDS), (["wait=-1"], 0),
    (["wait=soon"], 0), (["wait=1.5"], 0), (["handling=lenient", "wait=2"], 2), (["wait=2;foo=bar"], 2),
    (["return=minimal"], 0),
])
def test_the_wait_preference_is_parsed_leniently(headers, seconds):
    assert preferred_wait_seconds(headers) == seconds


def test_an_invalid_wait_preference_is_ignored(api, site):
    started = time.monotonic()
    answer = push(api, site.id, payload_a(), token=site.token, headers={"Prefer": "wait=later"})
    assert answer.status_code == 202 and time.monotonic() - started < 1


def test_task_status_for_the_sites_token_and_the_admin(api, site, admin_headers, db, settings):
    accepted = push(api, site.id, payload_a(3), token=site.token).json()
    status_url = accepted["status_url"]
    own = api.get(status_url, headers=site.headers)
    assert own.status_code == 200
    body = own.json()
    assert body == {
        "task_id": accepted["task_id"], "site_id": site.id, "status": "pending",
        "received_at": body["received_at"], "started_at": None, "completed_at": None,
        "run_id": None, "run_url": None, "progress": {"current": 0, "total": None, "status": "pending"},
        "result": None, "error": None,
    }
    assert api.get(status_url, headers=admin_headers).json() == body

    db.execute("UPDATE landing_payloads SET status = 'in_progress', run_id = 'abc123', started_at = now(), "
               "progress_current = 1, progress_total = 3, progress_message = 'merging'")
    running = api.get(status_url, headers=site.headers).json()
    assert running["status"] == "in_progress" and running["started_at"] is not None
    assert running["run_id"] == "abc123"
    assert running["run_url"] == f"{settings.dagster_ui_url}/runs/abc123"
    assert running["progress"] == {"current": 1, "total": 3, "status": "merging"}

    db.execute("UPDATE landing_payloads SET status = 'completed', completed_at = now(), result = %s",
               (Jsonb(RESULT),))
    assert api.get(status_url, headers=site.headers).json()["result"] == RESULT


def test_polling_an_unchanged_task_status_gets_304(api, site, db):
    status_url = push(api, site.id, payload_a(3), token=site.token).json()["status_url"]
    first = api.get(status_url, headers=site.headers)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"') and first.headers["Cache-Control"] == "private, no-cache"
    unchanged = api.get(status_url, headers={**site.headers, "If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""
    db.execute("UPDATE landing_payloads SET status = 'in_progress', run_id = 'r1', started_at = now()")
    moved = api.get(status_url, headers={**site.headers, "If-None-Match": etag})
    assert moved.status_code == 200 and moved.json()["status"] == "in_progress"
    assert moved.headers["ETag"] != etag


def test_task_status_is_refused_to_others(api, create_site):
    mine = create_site(name="Mine", url="https://mine.example")
    other = create_site(name="Other", url="https://other.example")
    status_url = push(api, mine.id, payload_a(url=mine.url), token=mine.token).json()["status_url"]
    assert api.get(status_url, headers=other.headers).status_code == 403
    assert api.get(status_url).status_code == 401
    unknown = api.get(status_url, headers={"Authorization": "Bearer nope"})
    assert unknown.status_code == 401 and unknown.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("task_id", [str(uuid.uuid4()), "not-a-uuid", "1", "00000000-0000-0000-0000-00000000000g"])
def test_an_unknown_or_malformed_task_id_is_404(api, admin_headers, site, task_id):
    for headers in (admin_headers, site.headers):
        answer = api.get(f"/api/v1/tasks/{task_id}/status", headers=headers)
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "not_found"
