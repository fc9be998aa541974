"""A version marked as a security release by hand changes statuses on the next run."""

import dagster as dg

from orchestration.defs.resources import PostgresResource
from tests.support.feeds import write_feed
from tests.support.payloads import Module, shape_b

DAY = 86_400


def evaluate_catalog_sensor(platform, cursor: str | None = None):
    from orchestration.defs.catalogue.sensors import catalog_sensor

    context = dg.build_sensor_context(
        instance=platform.instance, cursor=cursor,
        resources={"database": PostgresResource(database_url=platform.database_url)})
    return catalog_sensor(context)


def token_status(db, site_id: int) -> dict:
    """The status of the site's token project (a project is judged once, whatever its modules)."""
    return db.execute("SELECT status, security_updates, security_update_available FROM site_projects "
                      "WHERE site_id = %s AND project = 'token'", (site_id,)).fetchone()


def test_a_manual_security_mark_lists_the_security_update_on_older_versions(platform, db, tmp_path):
    write_feed(tmp_path / "feeds", "token", [("8.x-1.6", 1_710_000_000, "Bug fixes"),
                                             ("8.x-1.5", 1_700_000_000, "Bug fixes")])
    site = platform.add_site("marked")
    platform.push(site, shape_b([Module("token", "8.x-1.5")]))
    platform.run_once()
    assert token_status(db, site.id)["status"] == "NOT_CURRENT"
    assert isinstance(evaluate_catalog_sensor(platform), dg.SkipReason)  # nothing changed by hand yet

    # drupal.org called 8.x-1.6 a bug fix; the admin knows it closes a hole.
    marked = platform.api.post("/api/v1/modules/token/versions", headers=platform.admin_headers,
                               json={"version": "8.x-1.6", "is_security_update": True})
    # The status step made the latest release a known version of the project's modules: marking updates it.
    assert marked.status_code == 200 and marked.json()["is_security_update"] is True
    assert token_status(db, site.id)["status"] == "NOT_CURRENT"  # the API does not compute statuses

    result = evaluate_catalog_sensor(platform)
    (request,) = result.run_requests
    audit_id = db.execute("SELECT max(id) AS id FROM audit_log WHERE action = 'module.version_update'"
                          ).fetchone()["id"]
    assert result.cursor == str(audit_id) and request.run_key == f"catalog:{audit_id}-{audit_id}"
    assert request.tags["modwatch/modules"] == "token"
    assert request.job_name in (None, "reconcile")

    from orchestration.definitions import defs

    run = defs.resolve_job_def("reconcile").execute_in_process(instance=platform.instance, tags=request.tags)
    assert run.success
    row = token_status(db, site.id)
    # On current feeds a newer security release is listed and flagged, not NOT_SECURE by itself (Drupal 8.6+).
    assert row["status"] == "NOT_CURRENT"
    assert row["security_updates"] == ["8.x-1.6"] and row["security_update_available"]

    # Past its cursor the sensor has nothing to ask for; a repeated mark changes nothing and is not audited.
    assert isinstance(evaluate_catalog_sensor(platform, result.cursor), dg.SkipReason)
    again = platform.api.post("/api/v1/modules/token/versions", headers=platform.admin_headers,
                              json={"version": "8.x-1.6", "is_security_update": True})
    assert again.status_code == 200
    assert isinstance(evaluate_catalog_sensor(platform, result.cursor), dg.SkipReason)


def test_unmarking_and_other_catalogue_edits(platform, db, tmp_path):
    write_feed(tmp_path / "feeds", "token", [("8.x-1.6", 1_710_000_000, "Bug fixes"),
                                             ("8.x-1.5", 1_700_000_000, "Bug fixes")])
    site = platform.add_site("unmarked")
    platform.push(site, shape_b([Module("token", "8.x-1.5")]))
    platform.run_once()
    headers = platform.admin_headers
    # Edits that cannot move a status are not worth a recomputation.
    assert platform.api.patch("/api/v1/modules/token", headers=headers,
                              json={"display_name": "Token (renamed)"}).status_code == 200
    assert isinstance(evaluate_catalog_sensor(platform), dg.SkipReason)

    mark = {"version": "8.x-1.6", "is_security_update": True}
    assert platform.api.post("/api/v1/modules/token/versions", headers=headers, json=mark).status_code == 200
    first = evaluate_catalog_sensor(platform)
    from orchestration.definitions import defs

    defs.resolve_job_def("reconcile").execute_in_process(instance=platform.instance)
    marked = token_status(db, site.id)
    assert marked["status"] == "NOT_CURRENT" and marked["security_updates"] == ["8.x-1.6"]

    # A mistake undone by hand is undone in the statuses too.
    unmark = {"version": "8.x-1.6", "is_security_update": False}
    assert platform.api.post("/api/v1/modules/token/versions", headers=headers, json=unmark).status_code == 200
    second = evaluate_catalog_sensor(platform, first.cursor)
    assert len(second.run_requests) == 1 and int(second.cursor) > int(first.cursor)
    defs.resolve_job_def("reconcile").execute_in_process(instance=platform.instance)
    unmarked = token_status(db, site.id)
    assert unmarked["status"] == "NOT_CURRENT" and unmarked["security_updates"] == []
    assert not unmarked["security_update_available"]


def test_the_merge_stores_each_new_version_with_its_parsed_fields(platform, db, tmp_path):
    from foundation.versions import parse_version

    write_feed(tmp_path / "feeds", "token", [("8.x-1.6", 1_710_000_000, "Bug fixes"),
                                             ("8.x-1.5", 1_700_000_000, "Bug fixes")])
    site = platform.add_site("parsed")
    platform.push(site, shape_b([Module("token", "8.x-1.5"), Module("pathauto", "8.x-1.x-dev"),
                                 Module("odd", "not-a-version")]))
    platform.run_once()
    versions = {row["version_string"]: row for row in db.execute(
        "SELECT version_string, major, minor, patch, extra, sort_key FROM module_versions")}
    for text in ("8.x-1.5", "8.x-1.x-dev"):
        parsed = parse_version(text)
        stored = versions[text]
        assert (stored["major"], stored["minor"], stored["patch"], stored["extra"], stored["sort_key"]) == (
            parsed.major, parsed.minor, parsed.patch, parsed.extra, parsed.sort_key)
    assert versions["not-a-version"]["sort_key"] is None and versions["not-a-version"]["major"] is None
    # The status step stores the latest release it points at with the feed's parsed fields.
    latest = versions["8.x-1.6"]
    assert (latest["major"], latest["patch"], latest["sort_key"]) == (1, 6, parse_version("8.x-1.6").sort_key)
