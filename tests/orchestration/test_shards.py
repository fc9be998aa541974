"""Ingest runs over shards of sites: side by side, one run per shard at a time, each site's payloads in order.

The sensor requests one run per shard with pending payloads; a run claims only
its shard's payloads. With the real Dagster daemon, interleaved pushes of many
sites are processed by shard runs in flight at once, and the tables end up
exactly as a replay of the same payloads one by one, in a database of its own.
"""

import os
from itertools import combinations

import dagster as dg
import httpx
import psycopg
import pytest
from psycopg.rows import dict_row

from foundation.settings import Settings
from orchestration.defs.ingest.sensors import landing_sensor
from orchestration.defs.resources import PostgresResource
from orchestration.launcher import PID_TAG
from orchestration.pipeline import landing
from orchestration.pipeline.process import process_pending
from orchestration.pipeline.runs import SHARD_TAG, SHARDS_TAG, TASK_TAG, Shard, ingest_run_config
from tests.support.databases import migrated_database
from tests.support.live import ADMIN_TOKEN, make_settings
from tests.support.payloads import Module, shape_a, shape_b
from tests.support.platform import DaemonPlatform, Platform, wait_until

SHARDS = 4
SITES = 8
ROUNDS = 4
# Small batches: each shard needs several runs one after another, so the queue holds a shard's next run
# while its current one runs.
BATCH_SIZE = 4
PROCESSING_SECONDS = 600


def sensor_result(platform: Platform, shards: int, batch_size: int = 200):
    context = dg.build_sensor_context(
        instance=platform.instance, resources={"database": PostgresResource(database_url=platform.database_url)})
    return landing_sensor(Settings(_env_file=None, ingest_batch_size=batch_size), shards=shards)(context)


def landing_rows(db) -> list[dict]:
    return db.execute("SELECT id, task_id::text AS task_id, site_id, status, run_id FROM landing_payloads "
                      "ORDER BY id").fetchall()


def task_sites(request: dg.RunRequest) -> set[int]:
    return {int(site) for key, site in request.tags.items() if key.startswith(TASK_TAG)}


def test_the_sensor_requests_one_run_per_shard_with_pending_payloads(platform, db):
    sites = [platform.add_site(f"s{i}") for i in range(5)]
    for site in sites:
        platform.push(site, shape_b([Module("views", "8.x-3.1")]))
    platform.push(sites[0], shape_b([Module("views", "8.x-3.2")]))

    requests = sensor_result(platform, shards=3).run_requests

    assert sorted(int(request.tags[SHARD_TAG]) for request in requests) == sorted({s.id % 3 for s in sites})
    for request in requests:
        shard = int(request.tags[SHARD_TAG])
        assert request.tags[SHARDS_TAG] == "3"
        assert task_sites(request) == {site.id for site in sites if site.id % 3 == shard}
    assert len({request.run_key for request in requests}) == len(requests)
    # Both payloads of the first site go to the one run of its shard, oldest first.
    (first_sites_run,) = [r for r in requests if int(r.tags[SHARD_TAG]) == sites[0].id % 3]
    ids = first_sites_run.run_config["ops"]["normalised_inventory"]["config"]["landing_ids"]
    assert ids == sorted(ids) and len(ids) == sum(1 for s in sites if s.id % 3 == sites[0].id % 3) + 1


def test_a_shard_whose_run_waits_gets_no_other_and_a_running_runs_batch_is_not_taken_twice(platform, db):
    from orchestration.definitions import defs

    sites = [platform.add_site(f"q{i}") for i in range(2)]  # ids 1 and 2: shards 1 and 0 of 2
    for site in sites:
        platform.push(site, shape_b([Module("views", "8.x-3.1")]))
    first_ids = {row["site_id"]: row["id"] for row in landing_rows(db)}
    job = defs.resolve_job_def("ingest")

    def run_of(site, status):
        shard = site.id % 2
        return platform.instance.create_run_for_job(
            job_def=job, run_config=ingest_run_config([first_ids[site.id]]), status=status,
            tags={SHARD_TAG: str(shard), SHARDS_TAG: "2"})

    queued = run_of(sites[0], dg.DagsterRunStatus.STARTING)  # launched, not started: nothing claimed yet
    running = run_of(sites[1], dg.DagsterRunStatus.STARTED)
    platform.push(sites[0], shape_b([Module("views", "8.x-3.2")]))
    platform.push(sites[1], shape_b([Module("views", "8.x-3.2")]))

    (request,) = sensor_result(platform, shards=2).run_requests

    # The launching run's shard waits for it to start; the running run's shard gets the payload landed
    # since, not the one the running run is about to claim.
    assert request.tags[SHARD_TAG] == str(sites[1].id % 2)
    assert request.run_config == ingest_run_config([max(r["id"] for r in landing_rows(db)
                                                        if r["site_id"] == sites[1].id)])
    assert queued.run_id != running.run_id


def test_a_run_claims_only_its_shards_payloads(platform, db, monkeypatch):
    sites = [platform.add_site(f"c{i}") for i in range(6)]
    for site in sites:
        platform.push(site, shape_b([Module("views", "8.x-3.1")]))
    rows = landing_rows(db)
    every_id = [row["id"] for row in rows]

    claimed = landing.claim(db, run_id="run-of-shard-2", landing_ids=every_id, shard=Shard(2, 3))

    assert {payload.site_id for payload in claimed} == {site.id for site in sites if site.id % 3 == 2}
    untouched = [row for row in landing_rows(db) if row["site_id"] % 3 != 2]
    assert {row["status"] for row in untouched} == {"pending"} and len(untouched) == 4

    # A run that names no shard takes the shard of its oldest payload, never more.
    monkeypatch.setenv("MODWATCH_INGEST_SHARDS", "3")
    claimed = landing.claim(db, run_id="run-without-shard", landing_ids=every_id)
    assert {payload.site_id % 3 for payload in claimed} == {rows[0]["site_id"] % 3}


def test_the_shard_count_comes_from_the_environment_and_a_bad_one_is_named(monkeypatch):
    from orchestration.pipeline.runs import DEFAULT_SHARDS, SHARDS_VARIABLE, ingest_shards

    monkeypatch.delenv(SHARDS_VARIABLE, raising=False)
    assert ingest_shards() == DEFAULT_SHARDS
    monkeypatch.setenv(SHARDS_VARIABLE, "7")
    assert ingest_shards() == 7
    for bad in ("0", "-2", "four"):
        monkeypatch.setenv(SHARDS_VARIABLE, bad)
        with pytest.raises(ValueError, match=SHARDS_VARIABLE):
            ingest_shards()


# With the real daemon


@pytest.fixture
def fresh_database(database_server):
    with migrated_database(database_server, "shards") as url:
        yield url


@pytest.fixture
def replay_database(database_server):
    with migrated_database(database_server, "shards_replay") as url:
        yield url


@pytest.fixture
def feed_folder(tmp_path):
    folder = tmp_path / "feeds"
    folder.mkdir()
    return folder


@pytest.fixture
def live_platform(live_app, tmp_path, fresh_database, instance, admin_headers):
    live = live_app(make_settings(tmp_path, fresh_database))
    with httpx.Client(base_url=live.base_url, timeout=30) as client:
        yield Platform(client, admin_headers, fresh_database, instance)


@pytest.fixture
def daemon(dagster_home, fresh_database, feed_folder, tmp_path):
    environment = {**os.environ, "MODWATCH_DATABASE_URL": fresh_database, "MODWATCH_HOME": str(dagster_home),
                   "DAGSTER_HOME": str(dagster_home / "dagster"), "MODWATCH_ADMIN_TOKEN": ADMIN_TOKEN,
                   "MODWATCH_SENSOR_INTERVAL_SECONDS": "1", "MODWATCH_RELEASE_FEED_URL": feed_folder.as_uri(),
                   "MODWATCH_INGEST_SHARDS": str(SHARDS), "MODWATCH_INGEST_BATCH_SIZE": str(BATCH_SIZE)}
    platform = DaemonPlatform(environment, tmp_path / "daemon.log")
    yield platform
    platform.stop()


def inventory(site_number: int, round_number: int, url: str) -> dict:
    """A site's payload of one round: versions move every round, a module leaves and comes back, and
    every third round is a partial sync, so applying a site's payloads in another order ends elsewhere."""
    if round_number % 3 == 2:
        return shape_a(url, [Module("pathauto", f"8.x-1.{round_number}", enabled=round_number % 2 == 0)])
    modules = [Module("views", f"8.x-3.{round_number}"), Module("pathauto", "8.x-1.0"),
               Module(f"custom_{site_number}", f"1.{round_number}.0", module_type="custom")]
    if (round_number + site_number) % 2 == 0:
        modules.append(Module("token", f"8.x-1.{site_number}"))
    return shape_b(modules)


def table_state(url: str) -> dict:
    """Everything an ingest writes about inventories, per site, and each task's counts."""
    with psycopg.connect(url, row_factory=dict_row) as conn:
        modules = conn.execute(
            """SELECT sm.site_id, m.machine_name, v.version_string, sm.enabled, sm.removed_at IS NOT NULL AS removed
               FROM site_modules sm JOIN modules m ON m.id = sm.module_id
               JOIN module_versions v ON v.id = sm.current_version_id
               ORDER BY sm.site_id, m.machine_name""").fetchall()
        events = conn.execute(
            """SELECT e.site_id, m.machine_name, e.event_type, e.from_version, e.to_version, e.task_id::text
               FROM site_module_events e JOIN modules m ON m.id = e.module_id
               JOIN landing_payloads task ON task.task_id = e.task_id
               ORDER BY e.site_id, task.id, m.machine_name, e.event_type""").fetchall()
        results = conn.execute(
            """SELECT task_id::text, site_id, status, result - 'processing_time_ms' AS result
               FROM landing_payloads ORDER BY id""").fetchall()
    return {"site_modules": modules, "events": events, "tasks": results}


def replay_one_by_one(source: str, replay: str, feed_folder, monkeypatch) -> None:
    """The same sites and payloads in another database, applied one run per payload, oldest first."""
    with psycopg.connect(source) as origin, psycopg.connect(replay) as target:
        columns = ("id, task_id, site_id, received_at, payload_shape, sync_type, core_version, "
                   "modules_received, body, body_sha256, idempotency_key")
        for out, into in [("COPY sites TO STDOUT", "COPY sites FROM STDIN"),
                          (f"COPY (SELECT {columns} FROM landing_payloads ORDER BY id) TO STDOUT",
                           f"COPY landing_payloads ({columns}) FROM STDIN")]:
            with origin.cursor().copy(out) as reading, target.cursor().copy(into) as writing:
                for block in reading:
                    writing.write(block)
    monkeypatch.setenv("MODWATCH_DATABASE_URL", replay)
    monkeypatch.setenv("MODWATCH_RELEASE_FEED_URL", feed_folder.as_uri())
    monkeypatch.setenv("MODWATCH_INGEST_SHARDS", "1")
    with dg.DagsterInstance.ephemeral() as instance:
        processed = process_pending(replay, instance, batch_size=1)
    assert processed.completed == SITES * ROUNDS and not processed.failed_runs


def overlap(first: dg.RunRecord, second: dg.RunRecord) -> bool:
    return first.start_time < second.end_time and second.start_time < first.end_time


def test_shard_runs_in_flight_at_once_apply_each_sites_payloads_in_order(
        live_platform, daemon, instance, fresh_database, replay_database, feed_folder, monkeypatch):
    sites = [live_platform.add_site(f"shop{i}") for i in range(SITES)]
    daemon.start()
    for round_number in range(ROUNDS):
        for number, site in enumerate(sites):
            live_platform.push(site, inventory(number, round_number, site.url))

    def every_task_ended():
        with psycopg.connect(fresh_database) as conn:
            return conn.execute("SELECT bool_and(status IN ('completed', 'failed')) FROM landing_payloads"
                                ).fetchone()[0]

    wait_until(every_task_ended, timeout_seconds=PROCESSING_SECONDS, interval=1,
               what=f"every payload processed\n{daemon.log_tail()}")
    wait_until(lambda: not instance.get_run_records(dg.RunsFilter(job_name="ingest", statuses=[
        dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED])),
        timeout_seconds=60, what="every ingest run ended")
    daemon.stop()

    runs = instance.get_run_records(dg.RunsFilter(job_name="ingest"))
    by_id = {record.dagster_run.run_id: record for record in runs}
    with psycopg.connect(fresh_database, row_factory=dict_row) as conn:
        tasks = landing_rows(conn)
    assert {task["status"] for task in tasks} == {"completed"}
    # Every payload was taken by a run of its site's shard.
    for task in tasks:
        tags = by_id[task["run_id"]].dagster_run.tags
        assert (int(tags[SHARD_TAG]), int(tags[SHARDS_TAG])) == (task["site_id"] % SHARDS, SHARDS), task
    # Runs of different shards were in flight at once; runs of one shard never were.
    finished = [record for record in runs if record.start_time and record.end_time]
    shard_of = {record.dagster_run.run_id: record.dagster_run.tags[SHARD_TAG] for record in finished}
    pairs = list(combinations(finished, 2))
    assert any(overlap(a, b) for a, b in pairs if shard_of[a.dagster_run.run_id] != shard_of[b.dagster_run.run_id])
    assert not [(a.dagster_run.run_id, b.dagster_run.run_id) for a, b in pairs
                if shard_of[a.dagster_run.run_id] == shard_of[b.dagster_run.run_id] and overlap(a, b)]
    assert len({shard for shard in shard_of.values()}) == SHARDS
    # Every run worker was forked warm by the launcher rather than started by a code server.
    assert all(PID_TAG in record.dagster_run.tags for record in runs)
    assert max(sum(1 for r in finished if shard_of[r.dagster_run.run_id] == s) for s in shard_of.values()) > 1

    replay_one_by_one(fresh_database, replay_database, feed_folder, monkeypatch)
    sharded, one_by_one = table_state(fresh_database), table_state(replay_database)
    assert len(sharded["events"]) > SITES * ROUNDS
    assert sharded["site_modules"] == one_by_one["site_modules"]
    assert sharded["events"] == one_by_one["events"]
    assert sharded["tasks"] == one_by_one["tasks"]

