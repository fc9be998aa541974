"""A run whose worker died never holds its payloads for good.

With the real Dagster daemon: the daemon, its code server and the run worker
are killed with SIGKILL in the middle of an ingest run, the daemon is started
again, and every accepted payload completes within a bounded time. Without a
daemon: `modwatch process` ends, and processes everything, when a STARTED run
whose process or code server is gone holds a site's earlier payload. A run
canceled from the UI ends, and its payload is processed by the next run.
"""

import os
import socket
import subprocess
import sys
import time

import dagster as dg
import httpx
import pytest
from dagster._core.launcher import WorkerStatus
from dagster._core.storage.tags import GRPC_INFO_TAG

from orchestration.launcher import HOST_TAG, PID_TAG, PROCESS_START_TAG, in_process_tags, worker_health
from orchestration.pipeline.runs import ingest_run_config
from sql import tasks
from tests.support.cli import cli_environment, run_cli
from tests.support.databases import migrated_database
from tests.support.feed_server import Answer, FeedServer
from tests.support.live import ADMIN_TOKEN, make_settings
from tests.support.payloads import Module, shape_b
from tests.support.platform import DaemonPlatform, Platform, wait_until
from tests.support.ports import free_port

# From the restart of the daemon to every payload completed: the daemon and its code server start (about
# 20 s on a loaded machine), the monitor fails the dead run within a poll, the sensor starts a new run.
RECOVERY_SECONDS = 180


@pytest.fixture
def fresh_database(database_server):
    """The platform's tables and Dagster's storage in one database, as `modwatch up` has them."""
    with migrated_database(database_server, "dead_runs") as url:
        yield url


@pytest.fixture
def feeds():
    with FeedServer() as server:
        yield server


@pytest.fixture
def live_platform(live_app, tmp_path, fresh_database, instance, admin_headers):
    live = live_app(make_settings(tmp_path, fresh_database))
    with httpx.Client(base_url=live.base_url, timeout=30) as client:
        yield Platform(client, admin_headers, fresh_database, instance)


@pytest.fixture
def daemon(dagster_home, fresh_database, feeds, tmp_path):
    environment = {**os.environ, "MODWATCH_DATABASE_URL": fresh_database, "MODWATCH_HOME": str(dagster_home),
                   "DAGSTER_HOME": str(dagster_home / "dagster"), "MODWATCH_ADMIN_TOKEN": ADMIN_TOKEN,
                   "MODWATCH_SENSOR_INTERVAL_SECONDS": "1", "MODWATCH_RELEASE_FEED_URL": feeds.base_url}
    platform = DaemonPlatform(environment, tmp_path / "daemon.log")
    yield platform
    platform.stop()


def task_rows(db_url: str) -> dict[str, dict]:
    import psycopg
    from psycopg.rows import dict_row

    with psycopg.connect(db_url, row_factory=dict_row) as conn:
        rows = conn.execute("SELECT task_id::text AS task_id, status, attempts, run_id, error "
                            "FROM landing_payloads ORDER BY id").fetchall()
    return {row["task_id"]: row for row in rows}


def test_ingest_resumes_after_the_daemon_code_server_and_run_worker_are_killed(live_platform, daemon, feeds,
                                                                                 instance, fresh_database):
    # The first run stalls fetching this project's feed: the kill lands in the middle of it, after the merge.
    feeds.serve("/slowproj/current", Answer(delay_seconds=300))
    first_site, second_site = live_platform.add_site("first"), live_platform.add_site("second")
    daemon.start()
    first = live_platform.push(first_site, shape_b([Module("slowproj", "1.0.0"), Module("views", "8.x-3.1")]))
    wait_until(lambda: feeds.requests_to("/slowproj/current"), timeout_seconds=180,
               what=f"the first ingest run asking for the slow feed\n{daemon.log_tail()}")
    # Accepted while the run is in flight: the site's later payload waits for the first one.
    later = live_platform.push(first_site, shape_b([Module("slowproj", "1.0.0"), Module("views", "8.x-3.2")]))
    other = live_platform.push(second_site, shape_b([Module("token", "8.x-1.5")]))
    dead_run_id = task_rows(fresh_database)[first]["run_id"]
    assert task_rows(fresh_database)[first]["status"] == "in_progress"

    daemon.kill()
    feeds.serve("/slowproj/current", Answer(404))
    assert instance.get_run_by_id(dead_run_id).status == dg.DagsterRunStatus.STARTED
    restarted = time.monotonic()
    daemon.start()

    wait_until(lambda: {row["status"] for row in task_rows(fresh_database).values()} == {"completed"},
               timeout_seconds=RECOVERY_SECONDS, interval=1,
               what=f"every accepted payload completing after the restart\n{daemon.log_tail()}")
    print(f"every payload completed {time.monotonic() - restarted:.0f} s after the daemon restarted")

    assert instance.get_run_by_id(dead_run_id).status == dg.DagsterRunStatus.FAILURE
    assert instance.get_run_by_id(dead_run_id).tags[HOST_TAG] == socket.gethostname()
    # The run worker was forked warm by the launcher: the monitor found its process gone.
    failure = instance.all_logs(dead_run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
    assert "that executed the run is gone" in failure[-1].message, failure[-1].message
    rows = task_rows(fresh_database)
    assert rows[first]["attempts"] == 2 and rows[first]["run_id"] != dead_run_id
    assert rows[later]["status"] == rows[other]["status"] == "completed"
    # The dead run had merged the first payload: the new run did not apply it twice.
    assert live_platform.status(first)["result"]["modules_created"] == 2
    assert live_platform.status(later)["result"]["modules_updated"] == 1


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def stale_run(instance: dg.DagsterInstance, landing_ids: list[int], tags: dict[str, str]) -> dg.DagsterRun:
    """A run left STARTED by a worker that is gone, as storage keeps it after a crash."""
    from orchestration.definitions import defs

    return instance.create_run_for_job(job_def=defs.resolve_job_def("ingest"),
                                       run_config=ingest_run_config(landing_ids), tags=tags,
                                       status=dg.DagsterRunStatus.STARTED)


@pytest.mark.parametrize("gone", ["process", "code_server"])
def test_process_ends_and_processes_everything_when_a_dead_run_holds_a_payload(live_platform, instance, dagster_home,
                                                                                 fresh_database, gone):
    import psycopg

    site = live_platform.add_site("held")
    held = live_platform.push(site, shape_b([Module("views", "8.x-3.1")]))
    waiting = live_platform.push(site, shape_b([Module("views", "8.x-3.2")]))
    if gone == "process":
        tags = {HOST_TAG: socket.gethostname(), PID_TAG: str(dead_pid()), PROCESS_START_TAG: ""}
    else:
        tags = {GRPC_INFO_TAG: f'{{"host": "127.0.0.1", "port": {free_port()}}}'}
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        landing_ids = [row[0] for row in conn.execute("SELECT id FROM landing_payloads ORDER BY id")]
        run = stale_run(instance, landing_ids[:1], tags)
        assert run.status == dg.DagsterRunStatus.STARTED
        with conn.transaction():
            tasks.claim(conn, run_id=run.run_id, landing_ids=landing_ids[:1])

    done = run_cli("process", environment=cli_environment(
        dagster_home, MODWATCH_DATABASE_URL=fresh_database, MODWATCH_RELEASE_FEED_URL="file:///nonexistent"))

    assert done.returncode == 0, done.stdout + done.stderr
    assert f"put back the payloads of dead runs {run.run_id}" in done.stdout
    assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.FAILURE
    rows = task_rows(fresh_database)
    assert rows[held]["status"] == rows[waiting]["status"] == "completed"


def test_process_stops_when_a_live_run_holds_the_earlier_payload(live_platform, instance, dagster_home,
                                                                  fresh_database):
    import psycopg

    site = live_platform.add_site("busy")
    live_platform.push(site, shape_b([Module("views", "8.x-3.1")]))
    waiting = live_platform.push(site, shape_b([Module("views", "8.x-3.2")]))
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        landing_ids = [row[0] for row in conn.execute("SELECT id FROM landing_payloads ORDER BY id")]
        # Executed by this very process, which is alive: the run is genuinely in flight.
        run = stale_run(instance, landing_ids[:1], in_process_tags())
        with conn.transaction():
            tasks.claim(conn, run_id=run.run_id, landing_ids=landing_ids[:1])

    done = run_cli("process", environment=cli_environment(
        dagster_home, MODWATCH_DATABASE_URL=fresh_database, MODWATCH_RELEASE_FEED_URL="file:///nonexistent"))

    assert done.returncode == 1
    assert done.stdout.strip().splitlines()[-1].endswith(f"1 payload waits behind a run still in progress: "
                                                         f"{run.run_id}"), done.stdout
    assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.STARTED
    assert task_rows(fresh_database)[waiting]["status"] == "pending"


def test_the_launcher_tells_a_live_worker_from_a_dead_one(instance):
    def health(tags: dict[str, str]) -> WorkerStatus:
        from orchestration.definitions import defs

        run = instance.create_run_for_job(job_def=defs.resolve_job_def("ingest"),
                                          run_config=ingest_run_config([1]), tags=tags)
        return worker_health(run).status

    assert health(in_process_tags()) == WorkerStatus.RUNNING
    assert health({**in_process_tags(), PID_TAG: str(dead_pid())}) == WorkerStatus.FAILED
    # The pid now belongs to another process than the one that started the run.
    assert health({**in_process_tags(), PROCESS_START_TAG: "1"}) == WorkerStatus.FAILED
    assert health({**in_process_tags(), HOST_TAG: "another-host", PID_TAG: str(dead_pid())}) == WorkerStatus.RUNNING
    unreachable_code_server = {GRPC_INFO_TAG: f'{{"host": "127.0.0.1", "port": {free_port()}}}'}
    assert health(unreachable_code_server) == WorkerStatus.FAILED
    assert health({**unreachable_code_server, HOST_TAG: socket.gethostname()}) == WorkerStatus.FAILED
    # Launched from another host (the webserver's container): its code server cannot be asked from here.
    assert health({**unreachable_code_server, HOST_TAG: "webserver-container"}) == WorkerStatus.RUNNING
    assert health({}) == WorkerStatus.RUNNING
    assert instance.run_launcher.supports_check_run_worker_health
    assert instance.run_monitoring_enabled and instance.run_monitoring_max_resume_run_attempts == 0


def test_a_forked_run_canceled_from_the_ui_ends_and_its_payload_is_processed_again(live_platform, daemon, feeds,
                                                                                     instance, fresh_database):
    feeds.serve("/slowproj/current", Answer(delay_seconds=300))
    site = live_platform.add_site("canceled")
    daemon.start()
    task = live_platform.push(site, shape_b([Module("slowproj", "1.0.0")]))
    wait_until(lambda: feeds.requests_to("/slowproj/current"), timeout_seconds=180,
               what=f"the ingest run asking for the slow feed\n{daemon.log_tail()}")
    run_id = task_rows(fresh_database)[task]["run_id"]
    # Forked warm by the launcher, not started on a code server.
    assert PID_TAG in instance.get_run_by_id(run_id).tags
    assert GRPC_INFO_TAG not in instance.get_run_by_id(run_id).tags

    assert instance.run_launcher.terminate(run_id)  # what the UI's Terminate button calls

    wait_until(lambda: instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.CANCELED, timeout_seconds=60,
               what=f"the run canceled\n{daemon.log_tail()}")
    feeds.serve("/slowproj/current", Answer(404))
    wait_until(lambda: task_rows(fresh_database)[task]["status"] == "completed", timeout_seconds=RECOVERY_SECONDS,
               interval=1, what=f"the payload processed by a new run\n{daemon.log_tail()}")
    assert task_rows(fresh_database)[task]["run_id"] != run_id
    assert live_platform.status(task)["result"]["modules_created"] == 1
