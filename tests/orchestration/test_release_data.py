"""Release data and advisories change statuses on the next run, without a new sync."""

import json

from tests.support.feeds import release_types
from tests.support.payloads import Module, shape_b

FEED = """<?xml version="1.0" encoding="utf-8"?>
<project xmlns:dc="http://purl.org/dc/elements/1.1/">
<title>Token</title><short_name>token</short_name><api_version>current</api_version>
<project_status>published</project_status><supported_branches>8.x-1.</supported_branches>
<releases>{releases}</releases></project>"""
RELEASE = """<release><name>token {version}</name><version>{version}</version><status>published</status>
<date>{date}</date><terms><term><name>Release type</name><value>{kind}</value></term></terms></release>"""


def write_feed(folder, releases: list[tuple[str, int, str]]) -> None:
    body = "".join(RELEASE.format(version=v, date=d, kind=release_types(k)) for v, d, k in releases)
    (folder / "token").mkdir(exist_ok=True)
    (folder / "token" / "current").write_text(FEED.format(releases=body))


def token_row(db, site_id):
    return db.execute(
        "SELECT status, status_reason, recommended_version, security_updates, update_available, "
        "security_update_available, known_vulnerable, advisories FROM site_projects "
        "WHERE site_id = %s AND project = 'token'", (site_id,)).fetchone()


def synced_site(platform, name: str):
    """A site running token 8.x-1.5, its first sync processed."""
    site = platform.add_site(name)
    platform.push(site, shape_b([Module("token", "8.x-1.5")]))
    platform.run_once()
    return site


def run_job(name: str, config: dict, instance):
    from orchestration.definitions import defs

    result = defs.resolve_job_def(name).execute_in_process(run_config=config, instance=instance)
    assert result.success
    return result


def test_new_release_and_advisory_change_status_without_a_sync(platform, db, tmp_path):
    feeds = tmp_path / "feeds"
    write_feed(feeds, [("8.x-1.5", 1_700_000_000, "Bug fixes")])
    site = synced_site(platform, "statuses")
    assert token_row(db, site.id)["status"] == "CURRENT"  # the project's feed was fetched on first sight

    # drupal.org publishes a security release and marks 1.5 Insecure: the next refresh flags the site,
    # no new sync needed.
    write_feed(feeds, [("8.x-1.6", 1_710_000_000, "Security update"),
                       ("8.x-1.5", 1_700_000_000, "Bug fixes, Insecure")])
    run_job("refresh_releases", {"ops": {"release_data": {"config": {"force": True}}}}, platform.instance)
    row = token_row(db, site.id)
    assert row["status"] == "NOT_SECURE"
    assert row["security_updates"] == ["8.x-1.6"] and row["recommended_version"] == "8.x-1.6"
    assert row["update_available"] and row["security_update_available"]
    assert not row["known_vulnerable"]

    # An advisory covering 1.5 marks it known-vulnerable with the matching constraint.
    advisories = tmp_path / "advisories.json"
    advisories.write_text(json.dumps({"name": "drupal-composer/drupal-security-advisories", "conflict": {
        "drupal/core": ">=8.0,<8.9.20", "drupal/token": ">=1.0,<1.6", "drupal/views": "<3.0"}}))
    run_job("load_advisories", {"ops": {"security_advisories": {"config": {"source": str(advisories)}}}},
            platform.instance)
    row = token_row(db, site.id)
    assert row["known_vulnerable"] and [item["constraint"] for item in row["advisories"]] == [">=1.0,<1.6"]


def test_a_failed_fetch_keeps_the_last_good_data(platform, db, tmp_path):
    feeds = tmp_path / "feeds"
    write_feed(feeds, [("8.x-1.5", 1_700_000_000, "Bug fixes")])
    site = synced_site(platform, "keeps")
    (feeds / "token" / "current").write_text("<project><broken")
    run_job("refresh_releases", {"ops": {"release_data": {"config": {"force": True}}}}, platform.instance)
    project = db.execute("SELECT fetch_state, fetch_error FROM projects WHERE name = 'token'").fetchone()
    assert project["fetch_state"] == "failed" and "parsed" in project["fetch_error"]
    assert db.execute("SELECT count(*) AS n FROM releases").fetchone()["n"] == 1
    assert token_row(db, site.id)["status"] == "CURRENT"


def test_daily_reconciliation_reports_drift(platform, db, tmp_path):
    write_feed(tmp_path / "feeds", [("8.x-1.6", 1_710_000_000, "Security update"),
                                    ("8.x-1.5", 1_700_000_000, "Bug fixes, Insecure")])
    site = synced_site(platform, "drift")
    db.execute("UPDATE site_projects SET status = 'CURRENT'")  # tampered: disagrees with the data
    result = run_job("reconcile", {}, platform.instance)
    (check,) = result.get_asset_check_evaluations()
    assert check.check_name == "no_status_drift" and not check.passed
    assert check.metadata["count"].value == 1
    assert token_row(db, site.id)["status"] == "NOT_SECURE"  # and the reconciliation repaired it
