"""Failed payloads can be retried (admin endpoint), and a transient database error retries the step
instead of failing the task for good."""

import threading
import uuid

import dagster as dg
import psycopg

from sql import tasks
from tests.support.payloads import Module, shape_b


def fail_task(database_url: str, task_id: str, error: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        tasks.fail(conn, task_id=task_id, error=error)


def test_a_failed_task_is_retried_through_the_admin_endpoint(platform, db):
    site = platform.add_site("retried")
    task = platform.push(site, shape_b([Module("views", "8.x-3.1")]))
    fail_task(platform.database_url, task, "merge failed: the server went away")
    retry_url = f"/api/v1/tasks/{task}/retry"

    assert platform.api.post(retry_url, headers=site.headers).status_code == 403
    assert platform.api.post(retry_url).status_code == 401
    for unknown in (str(uuid.uuid4()), "not-a-uuid"):
        assert platform.api.post(f"/api/v1/tasks/{unknown}/retry", headers=platform.admin_headers).status_code == 404

    answer = platform.api.post(retry_url, headers=platform.admin_headers)
    assert answer.status_code == 202, answer.text
    assert answer.json() == {"task_id": task, "status": "pending", "status_url": f"/api/v1/tasks/{task}/status",
                             "previous_error": "merge failed: the server went away"}
    assert answer.headers["Location"] == f"/api/v1/tasks/{task}/status"
    status = platform.status(task)
    assert (status["status"], status["error"], status["progress"]["status"]) == (
        "pending", None, "retried: waiting for an ingest run")
    audit = db.execute("SELECT actor, action, entity_type, entity_id, details FROM audit_log "
                       "WHERE action = 'task.retry'").fetchall()
    assert audit == [{"actor": "admin", "action": "task.retry", "entity_type": "task", "entity_id": task,
                      "details": {"site_id": site.id, "error": "merge failed: the server went away"}}]

    again = platform.api.post(retry_url, headers=platform.admin_headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "task_not_failed"
    assert platform.run_once().success
    assert platform.status(task)["status"] == "completed"
    assert platform.status(task)["result"]["modules_created"] == 1


def test_a_task_superseded_by_a_later_applied_payload_is_not_retried(platform, db):
    site = platform.add_site("superseded")
    older = platform.push(site, shape_b([Module("views", "8.x-3.1")]))
    fail_task(platform.database_url, older, "payload is not UTF-8")
    newer = platform.push(site, shape_b([Module("views", "8.x-3.2")]))
    assert platform.run_once().success

    answer = platform.api.post(f"/api/v1/tasks/{older}/retry", headers=platform.admin_headers)

    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "task_superseded" and newer in answer.json()["error"]["message"]
    assert platform.status(older)["status"] == "failed"
    assert not db.execute("SELECT 1 FROM audit_log WHERE action = 'task.retry'").fetchall()


def test_a_lock_timeout_in_the_merge_retries_the_step_instead_of_failing_the_task(platform, db, monkeypatch):
    site = platform.add_site("locked")
    task = platform.push(site, shape_b([Module("views", "8.x-3.1"), Module("token", "8.x-1.5")]))
    # The pipeline's connections give up on a lock after 300 ms (55P03) while another transaction holds
    # the site modules for a few seconds.
    monkeypatch.setenv("PGOPTIONS", "-c lock_timeout=300")
    holding = threading.Event()

    def hold_site_modules() -> None:
        with psycopg.connect(platform.database_url) as conn:
            conn.execute("LOCK TABLE site_modules IN ACCESS EXCLUSIVE MODE")
            holding.set()
            threading.Event().wait(2.5)

    holder = threading.Thread(target=hold_site_modules)
    holder.start()
    holding.wait(10)
    run = platform.run_once()
    holder.join()

    assert run.success
    assert platform.status(task)["status"] == "completed"
    assert platform.status(task)["result"]["modules_created"] == 2
    retried = [event.step_key for event in run.all_events
               if event.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY]
    assert retried and set(retried) <= {"site_modules", "update_status"}, retried
