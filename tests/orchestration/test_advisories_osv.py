"""The OSV advisory database: loaded whole from a zip, a folder or a URL (conditionally), flagging the site
modules it covers, and a changed advisory recomputing only its projects, with no sync from the sites."""

import zipfile

import dagster as dg
import pytest

from tests.support.feed_server import Answer, FeedServer
from tests.support.osv import SNAPSHOT_ADVISORIES, SNAPSHOT_ZIP, advisory, write_database
from tests.support.payloads import Module, shape_b

CORE_ADVISORY = "DRUPAL-CORE-2026-012"
CONTRIB_ADVISORY = "DRUPAL-CONTRIB-2021-025"  # admin_toolbar: introduced 0, fixed 2.5.0


def load(instance: dg.DagsterInstance, source: str | None, *, succeed: bool = True) -> dg.ExecuteInProcessResult:
    from orchestration.definitions import defs

    result = defs.resolve_job_def("load_osv_advisories").execute_in_process(
        run_config={"ops": {"osv_advisories": {"config": {"source": source}}}}, instance=instance,
        raise_on_error=False)
    assert result.success is succeed, result.all_events[-1].message
    return result


def metadata(result: dg.ExecuteInProcessResult, step: str) -> dict:
    (materialization,) = [event.step_materialization_data.materialization
                          for event in result.events_for_node(step) if event.is_step_materialization]
    return {name: value.value for name, value in materialization.metadata.items()}


def failure(result: dg.ExecuteInProcessResult) -> str:
    (event,) = [event for event in result.all_events if event.is_step_failure]
    return event.step_failure_data.user_failure_data.description


def counts(db) -> tuple[int, int]:
    row = db.execute("SELECT (SELECT count(*) FROM osv_advisories) AS advisories, "
                     "(SELECT count(*) FROM osv_ranges) AS ranges").fetchone()
    return row["advisories"], row["ranges"]


def test_the_snapshot_loads_whole_and_a_second_load_changes_nothing(platform, db, tmp_path):
    loaded = metadata(load(platform.instance, str(SNAPSHOT_ZIP)), "osv_advisories")
    assert (loaded["advisories"], loaded["added"], loaded["unreadable_files"]) == (SNAPSHOT_ADVISORIES,
                                                                                   SNAPSHOT_ADVISORIES, 0)
    assert counts(db) == (SNAPSHOT_ADVISORIES, 856)
    core = db.execute("SELECT aliases, url, summary, published FROM osv_advisories WHERE id = %s",
                      (CORE_ADVISORY,)).fetchone()
    assert core["aliases"] == ["CVE-2026-55805"] and core["url"] == "https://www.drupal.org/sa-core-2026-012"
    assert core["published"].year == 2026

    # The same database as a folder of the repository: nothing to write, nothing to recompute.
    with zipfile.ZipFile(SNAPSHOT_ZIP) as archive:
        archive.extractall(tmp_path / "unzipped")
    again = load(platform.instance, str(tmp_path / "unzipped" / "drupal-advisory-database-main"))
    assert {name: metadata(again, "osv_advisories")[name] for name in ("added", "changed", "removed")} == {
        "added": 0, "changed": 0, "removed": 0}
    assert counts(db) == (SNAPSHOT_ADVISORIES, 856)


@pytest.mark.parametrize(("source", "reason"), [
    ("none", "OSV advisories are turned off (MODWATCH_OSV_URL=none)"),
    ("/no/such/folder.zip", "cannot read OSV advisories from /no/such/folder.zip: No such file or directory"),
])
def test_loading_from_nowhere_or_from_an_unreadable_source_fails_with_the_reason(platform, db, source, reason):
    result = load(platform.instance, source, succeed=False)
    assert failure(result) == reason
    assert counts(db) == (0, 0)


def test_the_environment_turns_the_advisories_off(platform, db, monkeypatch):
    monkeypatch.setenv("MODWATCH_OSV_URL", "none")
    assert failure(load(platform.instance, None, succeed=False)).endswith("turned off (MODWATCH_OSV_URL=none)")


def test_a_folder_without_advisories_fails(platform, db, tmp_path):
    (tmp_path / "advisories").mkdir()
    (tmp_path / "advisories" / "broken.json").write_text("{not json")
    assert failure(load(platform.instance, str(tmp_path), succeed=False)) == f"no OSV advisories in {tmp_path}"


def test_a_url_is_read_again_only_when_it_changed(platform, db):
    archive = SNAPSHOT_ZIP.read_bytes()
    with FeedServer() as server:
        server.serve("/main.zip", Answer(200, archive, etag='"v1"'))
        url = f"{server.base_url}/main.zip"
        first = metadata(load(platform.instance, url), "osv_advisories")
        second = metadata(load(platform.instance, url), "osv_advisories")
        seen = server.requests_to("/main.zip")
    assert (first["not_modified"], first["added"]) == (False, SNAPSHOT_ADVISORIES)
    assert (second["not_modified"], second["advisories"]) == (True, SNAPSHOT_ADVISORIES)
    assert [(request.if_none_match, request.answered) for request in seen] == [(None, 200), ('"v1"', 304)]


def test_a_url_that_answers_an_error_fails(platform, db):
    with FeedServer() as server:
        url = f"{server.base_url}/gone.zip"
        result = load(platform.instance, url, succeed=False)
    assert failure(result) == f"cannot read OSV advisories from {url}: HTTP 404"


def site_rows(db, site_id: int) -> dict[str, dict]:
    # A module's status is its project's on the site.
    rows = db.execute("SELECT m.machine_name, sp.known_vulnerable, sp.advisories FROM site_modules sm "
                      "JOIN modules m ON m.id = sm.module_id "
                      "JOIN site_projects sp ON sp.site_id = sm.site_id AND sp.project = sm.project "
                      "WHERE sm.site_id = %s", (site_id,)).fetchall()
    return {row["machine_name"]: row for row in rows}


def flagged(db, site_id: int) -> dict[str, list[str]]:
    return {name: [item["id"] for item in row["advisories"]]
            for name, row in site_rows(db, site_id).items() if row["known_vulnerable"]}


def test_sites_are_flagged_and_a_changed_advisory_changes_statuses_without_a_sync(platform, db, tmp_path):
    behind = platform.add_site("behind")
    current = platform.add_site("current")
    platform.push(behind, shape_b([Module("system", "10.6.12", module_type="core"),
                                   Module("node", "10.6.12", module_type="core"),
                                   Module("admin_toolbar", "8.x-2.4"), Module("token", "8.x-1.5")], core="10.6.12"))
    platform.push(current, shape_b([Module("system", "10.6.13", module_type="core"),
                                    Module("admin_toolbar", "8.x-2.5")], core="10.6.13"))
    assert platform.run_once().success
    contrib = advisory(CONTRIB_ADVISORY)
    database = write_database(tmp_path / "osv", [advisory(CORE_ADVISORY), contrib])
    loaded = load(platform.instance, str(database))
    assert metadata(loaded, "advisory_statuses")["projects"] == ["admin_toolbar", "drupal"]

    assert flagged(db, behind.id) == {"system": [CORE_ADVISORY], "node": [CORE_ADVISORY],
                                      "admin_toolbar": [CONTRIB_ADVISORY]}
    assert flagged(db, current.id) == {}
    (item,) = site_rows(db, behind.id)["system"]["advisories"]
    assert item == {"id": CORE_ADVISORY, "aliases": ["CVE-2026-55805"],
                    "url": "https://www.drupal.org/sa-core-2026-012", "summary": item["summary"],
                    "fixed_in": "10.6.13", "constraint": "<10.6.13"}
    assert item["summary"].startswith("The Layout Builder module")
    # What was written reads back as what a recomputation from scratch gives: no drift.
    from orchestration.definitions import defs

    reconciled = defs.resolve_job_def("reconcile").execute_in_process(instance=platform.instance)
    assert metadata(reconciled, "portfolio_status")["drifted_rows"] == 0

    # The Security Team widens the contrib advisory: 2.5 turns out vulnerable too. No site syncs.
    contrib["affected"][0]["ranges"][0]["events"][1] = {"fixed": "2.6.0"}
    contrib["affected"][0]["ranges"][0]["database_specific"]["constraint"] = "<2.6.0"
    contrib["modified"] = "2026-11-01T00:00:00.000Z"
    write_database(database, [contrib])
    reloaded = load(platform.instance, str(database))
    assert metadata(reloaded, "osv_advisories")["changed"] == 1
    recomputed = metadata(reloaded, "advisory_statuses")
    # Only the admin_toolbar rows of both sites were recomputed; core and token were not read.
    assert (recomputed["projects"], recomputed["site_modules_checked"]) == (["admin_toolbar"], 2)
    assert flagged(db, current.id) == {"admin_toolbar": [CONTRIB_ADVISORY]}
    assert site_rows(db, current.id)["admin_toolbar"]["advisories"][0]["fixed_in"] == "2.6.0"
    exposures = db.execute("SELECT site_id, project, installed_version, fixed_in FROM advisory_exposures "
                           "WHERE advisory_id = %s ORDER BY site_id", (CONTRIB_ADVISORY,)).fetchall()
    assert [tuple(row.values()) for row in exposures] == [(behind.id, "admin_toolbar", "8.x-2.4", "2.6.0"),
                                                          (current.id, "admin_toolbar", "8.x-2.5", "2.6.0")]

    # The database drops the core advisory: the core rows are clean again.
    (database / "advisories" / "core" / f"{CORE_ADVISORY}.json").unlink()
    assert metadata(load(platform.instance, str(database)), "osv_advisories")["removed"] == 1
    assert flagged(db, behind.id) == {"admin_toolbar": [CONTRIB_ADVISORY]}
    assert db.execute("SELECT count(*) AS n FROM advisory_recompute").fetchone()["n"] == 0


def test_the_whole_snapshot_on_an_old_site_reads_back_without_drift(platform, db):
    old = platform.add_site("old")
    platform.push(old, shape_b([Module("system", "9.5.0", module_type="core"), Module("webform", "6.1.0"),
                                Module("admin_toolbar", "8.x-2.4"), Module("metatag", "8.x-1.7"),
                                Module("pathauto", "8.x-1.12")], core="9.5.0"))
    assert platform.run_once().success
    load(platform.instance, str(SNAPSHOT_ZIP))
    found = flagged(db, old.id)
    assert set(found) == {"system", "webform", "admin_toolbar", "metatag"} and len(found["system"]) > 20
    # metatag's two advisories are <1.8.0 and <1.9.0; pathauto has none.
    assert found["metatag"] == ["DRUPAL-CONTRIB-2019-021", "DRUPAL-CONTRIB-2019-058"]
    from orchestration.definitions import defs

    reconciled = defs.resolve_job_def("reconcile").execute_in_process(instance=platform.instance)
    assert metadata(reconciled, "portfolio_status")["drifted_rows"] == 0


def test_the_cli_source_picks_the_job(tmp_path):
    from orchestration.pipeline.advisories import METAPACKAGE_JOB, OSV_JOB, advisories_job_run

    metapackage = tmp_path / "advisories.json"
    metapackage.write_text('{"conflict": {"drupal/token": "<1.6"}}')
    single = write_database(tmp_path / "osv", [advisory(CORE_ADVISORY)]) / "advisories" / "core"
    assert advisories_job_run(str(metapackage)) == (
        METAPACKAGE_JOB, {"ops": {"security_advisories": {"config": {"source": str(metapackage)}}}})
    assert advisories_job_run(str(single / f"{CORE_ADVISORY}.json"))[0] == OSV_JOB
    assert advisories_job_run(str(SNAPSHOT_ZIP))[0] == OSV_JOB
    assert advisories_job_run(None) == (OSV_JOB, {"ops": {"osv_advisories": {"config": {"source": None}}}})


def test_the_schedule_skips_with_the_reason_when_advisories_are_off(monkeypatch):
    from orchestration.defs.release_data.schedules import load_osv_advisories_schedule
    from orchestration.defs.resources import OsvDatabaseResource

    monkeypatch.setenv("MODWATCH_OSV_URL", "none")
    context = dg.build_schedule_context(resources={"osv_database": OsvDatabaseResource()})
    assert "turned off" in load_osv_advisories_schedule(context).skip_message
    monkeypatch.setenv("MODWATCH_OSV_URL", str(SNAPSHOT_ZIP))
    (request,) = load_osv_advisories_schedule.evaluate_tick(context).run_requests
    assert request.job_name in (None, "load_osv_advisories")
