"""End to end: HTTP POST → landing sensor → ingest run → tables and task status."""

import dagster as dg
import pytest

from tests.support.payloads import Module, many_modules, shape_a, shape_b


def site_state(db, site_id: int) -> dict[str, dict]:
    rows = db.execute(
        """SELECT m.machine_name, v.version_string AS version, sm.enabled, sm.removed_at IS NOT NULL AS removed,
                  sm.project, sm.module_type
           FROM site_modules sm JOIN modules m ON m.id = sm.module_id
           JOIN module_versions v ON v.id = sm.current_version_id
           WHERE sm.site_id = %s ORDER BY m.machine_name""", (site_id,)).fetchall()
    return {row.pop("machine_name"): row for row in rows}


def events(db, site_id: int) -> list[tuple]:
    rows = db.execute(
        """SELECT m.machine_name, e.event_type, e.from_version, e.to_version
           FROM site_module_events e JOIN modules m ON m.id = e.module_id
           WHERE e.site_id = %s ORDER BY e.id""", (site_id,)).fetchall()
    return [tuple(row.values()) for row in rows]


def test_first_full_sync_creates_everything(platform, db):
    site = platform.add_site("first")
    task = platform.push(site, shape_b([Module("views", "8.x-3.1"), Module("token", "8.x-1.5"),
                                        Module("node", "10.3.8", module_type="core")]))
    assert platform.status(task)["status"] == "pending"
    run = platform.run_once()
    assert run.success
    status = platform.status(task, site.headers)
    assert status["status"] == "completed"
    assert status["run_id"] == run.run_id and run.run_id in status["run_url"]
    result = status["result"]
    assert result["sync_type"] == "full"
    assert (result["modules_processed"], result["modules_created"], result["modules_updated"],
            result["modules_unchanged"], result["modules_removed"]) == (3, 3, 0, 0, 0)
    state = site_state(db, site.id)
    assert state["views"]["version"] == "8.x-3.1" and state["views"]["project"] == "views"
    assert state["node"]["project"] == "drupal"
    # No feed for any project in the local feed folder: no release data, so UNKNOWN.
    statuses = db.execute("SELECT DISTINCT status FROM site_projects WHERE site_id = %s", (site.id,)).fetchall()
    assert [row["status"] for row in statuses] == ["UNKNOWN"]
    assert sorted(events(db, site.id)) == sorted([
        ("node", "added", None, "10.3.8"), ("token", "added", None, "8.x-1.5"),
        ("views", "added", None, "8.x-3.1")])
    assert db.execute("SELECT last_sync_at IS NOT NULL AS synced FROM sites WHERE id = %s",
                      (site.id,)).fetchone()["synced"]


def test_partial_sync_touches_only_listed_modules(platform, db):
    site = platform.add_site("partial")
    platform.push(site, shape_b([Module("views", "8.x-3.1"), Module("token", "8.x-1.5")]))
    platform.run_once()
    task = platform.push(site, shape_a(site.url, [Module("views", "8.x-3.2")]))
    platform.run_once()
    result = platform.status(task)["result"]
    assert result["sync_type"] == "partial"
    assert (result["modules_updated"], result["modules_removed"]) == (1, 0)
    state = site_state(db, site.id)
    assert state["token"] == {**state["token"], "version": "8.x-1.5", "removed": False}
    assert events(db, site.id)[-1] == ("views", "version_changed", "8.x-3.1", "8.x-3.2")


def test_full_sync_removes_and_a_later_sync_re_adds(platform, db):
    site = platform.add_site("removal")
    platform.push(site, shape_b([Module("views", "8.x-3.1"), Module("token", "8.x-1.5")]))
    platform.run_once()
    removal = platform.push(site, shape_b([Module("views", "8.x-3.1")]))
    platform.run_once()
    assert platform.status(removal)["result"]["modules_removed"] == 1
    assert platform.status(removal)["result"]["modules_unchanged"] == 1
    state = site_state(db, site.id)
    assert state["token"]["removed"] and not state["token"]["enabled"]
    re_add = platform.push(site, shape_b([Module("views", "8.x-3.1"), Module("token", "8.x-1.6")]))
    platform.run_once()
    assert platform.status(re_add)["result"]["modules_created"] == 1
    state = site_state(db, site.id)
    assert not state["token"]["removed"] and state["token"]["version"] == "8.x-1.6"
    assert [e for e in events(db, site.id) if e[0] == "token"] == [
        ("token", "added", None, "8.x-1.5"), ("token", "removed", "8.x-1.5", None),
        ("token", "added", None, "8.x-1.6")]


def test_an_unchanged_full_sync_rewrites_no_row_but_dates_every_module(platform, db):
    site = platform.add_site("steady")
    modules = [Module("views", "8.x-3.1"), Module("token", "8.x-1.5")]
    platform.push(site, shape_b(modules))
    platform.run_once()
    before = {row["id"]: row["xmin"] for row in db.execute("SELECT id, xmin::text FROM site_modules")}
    again = platform.push(site, shape_b(modules))
    platform.run_once()
    assert platform.status(again)["result"]["modules_unchanged"] == 2
    after = {row["id"]: row["xmin"] for row in db.execute("SELECT id, xmin::text FROM site_modules")}
    assert after == before, "an unchanged module of a full sync must not be rewritten"
    # The site's watermark says when every present module was last seen.
    watermark = db.execute(
        """SELECT s.last_full_sync_at = p.received_at AS dated FROM sites s
           JOIN landing_payloads p ON p.task_id = %s WHERE s.id = %s""", (again, site.id)).fetchone()
    assert watermark["dated"]


def test_a_partial_sync_moves_last_seen_of_listed_modules_only(platform, db):
    site = platform.add_site("seen")
    platform.push(site, shape_b([Module("views", "8.x-3.1"), Module("token", "8.x-1.5")]))
    platform.run_once()
    partial = platform.push(site, shape_a(site.url, [Module("views", "8.x-3.1")]))
    platform.run_once()
    seen = {row["machine_name"]: row["at_partial"] for row in db.execute(
        """SELECT m.machine_name, sm.last_seen = p.received_at AS at_partial
           FROM site_modules sm JOIN modules m ON m.id = sm.module_id
           JOIN landing_payloads p ON p.task_id = %s WHERE sm.site_id = %s""", (partial, site.id))}
    assert seen == {"views": True, "token": False}


def test_a_new_dev_snapshot_of_the_same_version_is_rechecked(platform, db):
    site = platform.add_site("snapshot")
    platform.push(site, shape_b([Module("devel", "5.x-dev", datestamp=1_700_000_000)]))
    platform.run_once()
    db.execute("UPDATE site_projects SET status = 'CURRENT'")
    platform.push(site, shape_b([Module("devel", "5.x-dev", datestamp=1_750_000_000)]))
    platform.run_once()
    row = db.execute("SELECT datestamp, status FROM site_projects").fetchone()
    assert row["datestamp"] == 1_750_000_000
    # No feed here, so the recheck lands on UNKNOWN rather than keeping CURRENT.
    assert row["status"] != "CURRENT"


def test_enabling_and_disabling_are_events(platform, db):
    site = platform.add_site("toggle")
    platform.push(site, shape_b([Module("devel", "5.1.0", enabled=True)]))
    platform.run_once()
    disabled = platform.push(site, shape_b([Module("devel", "5.1.0", enabled=False)]))
    platform.run_once()
    platform.push(site, shape_b([Module("devel", "5.1.0", enabled=True)]))
    platform.run_once()
    assert platform.status(disabled)["result"]["modules_updated"] == 1
    assert [e[1] for e in events(db, site.id)] == ["added", "disabled", "enabled"]


def test_payloads_of_one_site_in_one_run_apply_in_order(platform, db):
    batched, stepwise = platform.add_site("batched"), platform.add_site("stepwise")
    sequence = [
        shape_b([Module("views", "8.x-3.1"), Module("token", "8.x-1.5")]),
        shape_a("", [Module("views", "8.x-3.2"), Module("token", "8.x-1.5", enabled=False)]),
        shape_b([Module("views", "8.x-3.3")]),
    ]
    for payload in sequence:
        platform.push(batched, with_url(payload, batched.url))
    assert platform.run_once().success
    assert len(platform.runs) == 1
    for payload in sequence:
        platform.push(stepwise, with_url(payload, stepwise.url))
        platform.run_once()
    assert site_state(db, batched.id) == site_state(db, stepwise.id)
    assert events(db, batched.id) == events(db, stepwise.id)
    assert site_state(db, batched.id)["views"]["version"] == "8.x-3.3"


def with_url(payload: dict, url: str) -> dict:
    return {**payload, "site": {**payload["site"], "url": url}} if "site" in payload else payload


def test_running_the_same_batch_twice_gives_identical_tables(platform, db):
    from orchestration.definitions import defs

    site = platform.add_site("again")
    platform.push(site, shape_b([Module("views", "8.x-3.1"), Module("token", "8.x-1.5")]))
    platform.push(site, shape_b([Module("views", "8.x-3.2")]))
    first = platform.run_once()
    before = (site_state(db, site.id), events(db, site.id))
    # Re-executing the run (as from the Dagster UI) finds its payloads done and changes nothing.
    again = defs.resolve_job_def("ingest").execute_in_process(
        run_config=first.dagster_run.run_config, instance=platform.instance)
    assert again.success
    assert (site_state(db, site.id), events(db, site.id)) == before
    # Applying the last payload once more to the state it produced changes nothing either.
    db.execute("UPDATE landing_payloads SET status = 'pending', merged_at = NULL, run_id = NULL "
               "WHERE id = (SELECT max(id) FROM landing_payloads)")
    assert platform.run_once().success
    assert (site_state(db, site.id), events(db, site.id)) == before


def test_ten_sites_in_one_sensor_tick(platform, db):
    from orchestration.pipeline.runs import ingest_shards

    sites = [platform.add_site(f"many{i}") for i in range(10)]
    tasks = [platform.push(site, shape_b(many_modules(50, prefix=f"m{i % 3}"))) for i, site in enumerate(sites)]
    platform.run_once()  # one run per shard of sites with pending payloads
    assert all(run.success for run in platform.runs) and 1 < len(platform.runs) <= ingest_shards()
    assert {platform.status(task)["status"] for task in tasks} == {"completed"}
    assert db.execute("SELECT count(*) AS n FROM site_modules").fetchone()["n"] == 500
    assert db.execute("SELECT count(*) AS n FROM modules").fetchone()["n"] == 150
    tags = [platform.instance.get_run_by_id(run.run_id).tags for run in platform.runs]
    # Each task and each site is named by exactly one run.
    task_tags = [key.removeprefix("modwatch/task-") for run in tags for key in run if key.startswith("modwatch/task-")]
    assert sorted(task_tags) == sorted(tasks)
    site_tags = [key for run in tags for key, value in run.items() if key.startswith("modwatch/site-") and value == "1"]
    assert sorted(site_tags) == sorted(f"modwatch/site-{site.id}" for site in sites)
    assert sum(int(run["modwatch/payloads"]) for run in tags) == 10
    # The UI's tag filter finds the run of any one task.
    found = platform.instance.get_runs(filters=dg.RunsFilter(tags={f"modwatch/task-{tasks[3]}": str(sites[3].id)}))
    (holder,) = [run for run in platform.runs if f"modwatch/task-{tasks[3]}" in run.dagster_run.tags]
    assert [r.run_id for r in found] == [holder.run_id]


def test_a_2000_module_payload(platform, db):
    site = platform.add_site("big")
    task = platform.push(site, shape_b(many_modules(2000)))
    platform.run_once()
    assert platform.status(task)["result"]["modules_created"] == 2000
    assert db.execute("SELECT count(*) AS n FROM site_modules").fetchone()["n"] == 2000


def test_odd_versions_complete_with_warnings(platform, db):
    site = platform.add_site("odd")
    task = platform.push(site, shape_b([Module("views", "8.x-3.1"), Module("weird", "banana"),
                                        Module("custom_thing", "1.x", module_type="custom")]))
    platform.run_once()
    status = platform.status(task)
    assert status["status"] == "completed"
    assert status["result"]["modules_processed"] == 3
    warnings = " ".join(status["result"]["warnings"])
    assert "banana" in warnings and "weird" in warnings
    assert site_state(db, site.id)["weird"]["version"] == "banana"


def materialization_metadata(run: dg.ExecuteInProcessResult, step: str) -> dict:
    (materialization,) = run.asset_materializations_for_node(step)
    return {key: value.value for key, value in materialization.metadata.items()}


def run_log_messages(instance: dg.DagsterInstance, run_id: str, level: int) -> list[str]:
    """What the run logged at `level`, read back from the instance's event log (as the UI shows it)."""
    return [entry.user_message for entry in instance.all_logs(run_id) if entry.level == level]


def test_a_pushs_warnings_are_named_in_its_run(platform):
    import logging

    site = platform.add_site("odd-run")
    task = platform.push(site, shape_b([Module("views", "8.x-3.1"), Module("weird", "banana"),
                                        Module("node", "10.2.0", module_type="core")]))
    run = platform.run_once()
    assert run.success

    metadata = materialization_metadata(run, "normalised_inventory")
    assert metadata["warnings"] == 2
    named = {(w["site_id"], w["task_id"], w["module"]): w["message"] for w in metadata["warnings_named"]}
    assert named == {
        (site.id, task, "weird"): "weird: version 'banana' is not a Drupal version",
        (site.id, task, "node"): "node: core module reported at '10.2.0'; judged as core '10.3.8'"}
    (line,) = [message for message in run_log_messages(platform.instance, run.run_id, logging.WARNING)
               if f"task {task}" in message]
    assert line.startswith(f"site {site.id}, task {task}: 2 warnings: ")
    assert "weird: version 'banana' is not a Drupal version" in line and "node: core module" in line


def test_the_merge_contracts_are_checked_on_the_runs_sites(platform):
    sites = [platform.add_site(f"checked{n}") for n in range(2)]
    for site in sites:
        platform.push(site, shape_b([Module("views", "8.x-3.1")]))
    platform.run_once()
    evaluations = [check for run in platform.runs for check in run.get_asset_check_evaluations()]
    merge_checks = {"no_orphan_rows", "no_duplicate_site_modules"}
    checked = {check.check_name: check for check in evaluations if check.check_name in merge_checks}
    assert set(checked) == merge_checks
    assert all(check.passed for check in evaluations)
    # Each run checked the sites it merged, not none of them.
    assert sum(check.metadata["sites"].value for check in evaluations
               if check.check_name == "no_orphan_rows") == len(sites)
    # Run again (as from the UI), a run finds its payloads done, merges nothing and checks no site.
    from orchestration.definitions import defs

    again = defs.resolve_job_def("ingest").execute_in_process(
        run_config=platform.runs[0].dagster_run.run_config, instance=platform.instance)
    rechecked = [check for check in again.get_asset_check_evaluations() if check.check_name in merge_checks]
    assert len(rechecked) == 2 and all(check.passed and check.metadata["sites"].value == 0 for check in rechecked)


def test_the_merge_contracts_checked_alone_cover_every_site(platform):
    from orchestration.definitions import defs

    platform.push(platform.add_site("checked-alone"), shape_b([Module("views", "8.x-3.1")]))
    platform.run_once()
    checks = {dg.AssetCheckKey(dg.AssetKey("site_modules"), name)
              for name in ("no_orphan_rows", "no_duplicate_site_modules")}
    alone = defs.resolve_job_def("ingest").get_subset(asset_selection=set(), asset_check_selection=checks)
    run = alone.execute_in_process(instance=platform.instance)
    evaluations = run.get_asset_check_evaluations()
    assert {check.asset_check_key for check in evaluations} == checks
    assert all(check.passed and check.metadata["sites"].value == "all" for check in evaluations)


def test_a_clean_push_names_no_warning(platform):
    site = platform.add_site("clean-run")
    platform.push(site, shape_b([Module("views", "8.x-3.1")]))
    run = platform.run_once()
    metadata = materialization_metadata(run, "normalised_inventory")
    assert (metadata["warnings"], metadata["warnings_named"], metadata["failed_tasks"]) == (0, [], {})


def test_a_new_projects_feed_that_fails_is_named_in_the_ingest_run(platform, tmp_path):
    import logging

    from tests.support.feeds import write_feed

    feeds = tmp_path / "feeds"  # where the platform fixture points the release feeds
    write_feed(feeds, "token", [("8.x-1.5", 1_700_000_000, "Bug fixes")])
    (feeds / "broken").mkdir()
    (feeds / "broken" / "current").write_text("<project><title>never closed")
    site = platform.add_site("feeds-run")
    platform.push(site, shape_b([Module("token", "8.x-1.5"), Module("broken", "1.0.0"),
                                 Module("absent", "1.0.0")]))
    run = platform.run_once()
    assert run.success

    metadata = materialization_metadata(run, "update_status")
    assert (metadata["new_feeds"], metadata["feeds_fetched"]) == (3, 3)
    assert list(metadata["feeds_failed"]) == ["broken (current)"]
    assert "could not be parsed" in metadata["feeds_failed"]["broken (current)"]
    assert metadata["not_found"] == ["absent"]
    logged = run_log_messages(platform.instance, run.run_id, logging.WARNING)
    assert any(message.startswith("release feed broken (current) failed: feed could not be parsed")
               for message in logged), logged


def test_a_run_fetches_the_new_feeds_of_its_own_sites_only(platform, db):
    waiting, pushing = platform.add_site("feeds-waiting"), platform.add_site("feeds-pushing")
    platform.push(waiting, shape_b([Module("beta", "1.0.0")]))
    platform.run_once()
    db.execute("DELETE FROM projects WHERE name = 'beta'")  # as if never fetched: the waiting site's to fetch
    platform.push(pushing, shape_b([Module("alpha", "1.0.0")]))
    run = platform.run_once()
    assert materialization_metadata(run, "update_status")["new_feeds"] == 1
    assert db.execute("SELECT count(*) AS n FROM projects WHERE name = 'beta'").fetchone()["n"] == 0


@pytest.mark.parametrize("steps_before_death", [["normalised_inventory"],
                                                ["normalised_inventory", "site_modules"]])
def test_a_run_killed_midway_is_picked_up_again(platform, db, steps_before_death):
    from orchestration.definitions import defs
    from orchestration.pipeline.runs import ingest_run_config

    site = platform.add_site("killed")
    task = platform.push(site, shape_b([Module("views", "8.x-3.1"), Module("token", "8.x-1.5")]))
    landing_id = db.execute("SELECT id FROM landing_payloads").fetchone()["id"]
    # A run that executes only its first steps and then ends, as a killed run would.
    partial = defs.resolve_job_def("ingest").execute_in_process(
        run_config=ingest_run_config([landing_id]), instance=platform.instance,
        asset_selection=[dg.AssetKey(step) for step in steps_before_death])
    assert partial.success
    assert platform.status(task)["status"] == "in_progress"
    run = platform.run_once()  # the sensor releases the dead run's task and starts a new run
    assert run is not None and run.success
    status = platform.status(task)
    assert status["status"] == "completed" and status["result"]["modules_created"] == 2
    assert len(events(db, site.id)) == 2
    assert db.execute("SELECT count(*) AS n FROM site_modules").fetchone()["n"] == 2


def test_sensor_skips_when_nothing_is_pending(platform):
    result = platform.evaluate_sensor()
    assert isinstance(result, dg.SkipReason)
    assert "no pending" in result.skip_message


def test_sensor_run_key_comes_from_the_payload_ids(platform, db):
    site = platform.add_site("keys")
    platform.push(site, shape_b([Module("views", "8.x-3.1")]))
    platform.push(site, shape_b([Module("views", "8.x-3.2")]))
    ids = [row["id"] for row in db.execute("SELECT id FROM landing_payloads ORDER BY id")]
    (request,) = platform.evaluate_sensor().run_requests
    assert request.run_key == f"landing:{ids[0]}-{ids[-1]}"



@pytest.fixture
def postgres_instance(database_server, tmp_path, monkeypatch):
    """A Dagster instance on PostgreSQL, as `modwatch up` runs it (run tags in an indexed table)."""
    import uuid

    from foundation.database import drop_database, ensure_database
    from modwatch.runtime import write_dagster_home

    name = f"modwatch_test_dagster_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("MODWATCH_DATABASE_URL", ensure_database(database_server, name))
    write_dagster_home(tmp_path / "dagster")
    with dg.DagsterInstance.from_config(str(tmp_path / "dagster")) as instance:
        yield instance
    drop_database(database_server, name)


def test_a_batch_of_hundreds_of_payloads_gets_a_run(platform, db, postgres_instance):
    # The run's tags must stay small however large the batch: PostgreSQL indexes tag values.
    from orchestration.definitions import defs
    from orchestration.pipeline.runs import ingest_run_request
    from sql import tasks

    sites = [platform.add_site(f"bulk{i}") for i in range(4)]
    for round_number in range(50):
        for site in sites:
            platform.push(site, shape_a(site.url, [Module("views", f"8.x-3.{round_number}")]))
    pending = tasks.pending(db, limit=1000)
    request = ingest_run_request(postgres_instance, pending)
    run = postgres_instance.create_run_for_job(
        job_def=defs.resolve_job_def("ingest"),
        run_config=request.run_config, tags=request.tags)
    assert postgres_instance.get_run_by_id(run.run_id).tags["modwatch/payloads"] == "200"
    assert len([key for key in request.tags if key.startswith("modwatch/task-")]) == 200
