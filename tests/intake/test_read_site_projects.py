"""GET /sites/{id}/projects, and the project-level counts, report and core coverage behind it, over HTTP.

Drupal reports projects (core's ProjectInfo gathers a project from its
modules: one version, one status, the largest datestamp of its modules), so
modwatch stores one status per site and project and counts projects: a core
release behind is one finding however many core modules a site runs.
"""


from orchestration.pipeline.recompute import refresh_status
from tests.support.feeds import write_feed
from tests.support.payloads import Module, shape_b
from tests.support.platform import Platform

DAY = 86_400
T0 = 1_700_000_000


def get(platform: Platform, path: str, **params) -> dict:
    answer = platform.api.get(f"/api/v1{path}", params=params, headers=platform.admin_headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def core_feed(folder) -> None:
    # 10.3, 10.4 and 10.5 are supported branches; 10.3.8 was superseded by a security release, so
    # drupal.org marks it Insecure.
    write_feed(folder, "drupal", [("10.5.0", T0 + 60 * DAY, "New features"),
                                  ("10.4.1", T0 + 40 * DAY, "Bug fixes"),
                                  ("10.3.9", T0 + 30 * DAY, "Security update"),
                                  ("10.3.8", T0, "Bug fixes, Insecure")],
               branches="10.3.,10.4.,10.5.")


def core(version: str, *names: str) -> list[Module]:
    return [Module(name, version, module_type="core") for name in names]


def test_a_project_is_one_row_with_its_modules_and_their_largest_present_datestamp(platform, tmp_path):
    # A dev snapshot is judged by the project's datestamp: CURRENT when it is (with Drupal's 100 s of
    # leeway) later than the branch's dev release, dated T0 + 10 days here.
    write_feed(tmp_path / "feeds", "views", [("8.x-3.x-dev", T0 + 10 * DAY, "Bug fixes"),
                                             ("8.x-3.0", T0, "New features")], branches="8.x-3.")
    site = platform.add_site("dev")
    views = [Module("views", "8.x-3.x-dev", project="views", datestamp=T0 + 5 * DAY),
             Module("views_ui", "8.x-3.x-dev", project="views", datestamp=T0 + 5 * DAY)]
    platform.push(site, shape_b([*views, Module("views_extra", "8.x-3.x-dev", project="views",
                                                datestamp=T0 + 11 * DAY)]))
    assert platform.run_once().success
    (first,) = get(platform, f"/sites/{site.id}/projects")["items"]
    # views_extra's datestamp is the project's (the largest), later than the dev release: CURRENT.
    assert (first["project"], first["modules"], first["datestamp"], first["status"]) == (
        "views", ["views", "views_extra", "views_ui"], T0 + 11 * DAY, "CURRENT")

    platform.push(site, shape_b(views))  # a full sync without views_extra removes it
    assert platform.run_once().success
    body = get(platform, f"/sites/{site.id}/projects")
    (project,) = body["items"]
    assert body["total"] == 1
    # The removed module no longer dates the project: T0 + 5 days is before the dev release.
    assert (project["modules"], project["datestamp"], project["status"]) == (
        ["views", "views_ui"], T0 + 5 * DAY, "NOT_CURRENT")
    assert project["version"] == "8.x-3.x-dev" and project["title"] == "views"
    assert project["security_coverage"] is None and project["removed_at"] is None
    assert set(project) >= {"latest_version", "recommended_version", "also_available", "security_updates",
                            "update_available", "security_update_available", "known_vulnerable", "advisories",
                            "release_links", "status_checked_at", "link", "status_reason"}
    # Each module row keeps its shape and carries its project's status.
    modules = get(platform, f"/sites/{site.id}/modules")["items"]
    assert {(m["machine_name"], m["status"]) for m in modules} == {("views", "NOT_CURRENT"),
                                                                   ("views_ui", "NOT_CURRENT")}
    assert get(platform, f"/sites/{site.id}/projects", status="CURRENT")["items"] == []


def test_a_core_security_release_behind_counts_once_per_project(platform, tmp_path):
    core_feed(tmp_path / "feeds")
    site = platform.add_site("old")
    platform.push(site, shape_b(core("10.3.8", "system", "node", "user"), core="10.3.8"))
    assert platform.run_once().success
    listed = {item["id"]: item for item in get(platform, "/sites")["items"]}[site.id]
    # Three core modules, one project: the security update 10.3.9 is one finding.
    assert listed["counts"] == {"modules": 3, "updates_available": 3, "security_updates": 3, "known_vulnerable": 0}
    assert listed["project_counts"] == {"projects": 1, "updates_available": 1, "security_updates": 1,
                                        "known_vulnerable": 0, "in_trouble": 1}
    assert get(platform, f"/sites/{site.id}") == listed
    (project,) = get(platform, f"/sites/{site.id}/projects")["items"]
    assert (project["project"], project["version"], project["status"]) == ("drupal", "10.3.8", "NOT_SECURE")
    assert project["security_updates"] == ["10.3.9"] and project["modules"] == ["node", "system", "user"]


def test_the_security_report_counts_projects_and_lists_sites_whose_core_coverage_ends(platform, db, tmp_path):
    core_feed(tmp_path / "feeds")
    old, soon, fresh = (platform.add_site(name) for name in ("old", "soon", "fresh"))
    platform.push(old, shape_b(core("10.3.8", "system", "node", "user"), core="10.3.8"))
    platform.push(soon, shape_b(core("10.4.1", "system", "node"), core="10.4.1"))
    platform.push(fresh, shape_b(core("10.5.0", "system", "node"), core="10.5.0"))
    assert platform.run_once().success

    # Coverage, as Drupal's ProjectSecurityData: a minor is covered until two more minors are out.
    # 10.3 until 10.5.0, and 10.5.0 is out: ended. 10.4 until 10.6.0, one minor to go: ending soon.
    # 10.5 until 10.7.0, two to go: covered, so not listed.
    coverage = {site.id: get(platform, f"/sites/{site.id}/projects")["items"][0]["security_coverage"]
                for site in (old, soon, fresh)}
    assert coverage == {
        old.id: {"until_version": "10.5.0", "until_date": None, "additional_minors": 0, "state": "ended"},
        soon.id: {"until_version": "10.6.0", "until_date": None, "additional_minors": 1, "state": "ending_soon"},
        fresh.id: {"until_version": "10.7.0", "until_date": None, "additional_minors": 2, "state": "covered"}}

    report = get(platform, "/reports/security")
    # Only old is in trouble (10.3.8 is marked Insecure): one project, its three modules.
    (item,) = report["items"]
    assert item["id"] == old.id
    assert item["counts"] == {"not_secure": 1, "revoked": 0, "known_vulnerable": 0, "affected_projects": 1,
                              "affected_modules": 3}
    assert report["projects"] == [{"project": "drupal", "affected_sites": 1, "not_secure_sites": 1,
                                   "revoked_sites": 0, "known_vulnerable_sites": 0, "advisories": []}]
    assert report["coverage_total"] == 2
    assert report["coverage"] == [
        {"id": old.id, "name": "old", "url": "https://old.example.org", "core_version": "10.3.8", "state": "ended",
         "until_version": "10.5.0", "until_date": None, "additional_minors": 0},
        {"id": soon.id, "name": "soon", "url": "https://soon.example.org", "core_version": "10.4.1",
         "state": "ending_soon", "until_version": "10.6.0", "until_date": None, "additional_minors": 1}]
    assert [c["id"] for c in get(platform, "/reports/security", coverage_limit=1)["coverage"]] == [old.id]

    # old updates to the security release: out of the report, and its coverage still ended (10.3).
    platform.push(old, shape_b(core("10.3.9", "system", "node", "user"), core="10.3.9"))
    assert platform.run_once().success
    report = get(platform, "/reports/security")
    assert (report["items"], report["projects"], report["coverage_total"]) == ([], [], 2)

    # The statuses the runs wrote site by site are what a recomputation of everything gives.
    stored = db.execute("SELECT * FROM site_projects ORDER BY site_id, project").fetchall()
    again = refresh_status(db, None)
    assert (again["site_projects_checked"], again["site_projects_changed"]) == (3, 0)
    assert db.execute("SELECT * FROM site_projects ORDER BY site_id, project").fetchall() == stored


def test_projects_of_a_site_for_its_own_token_only(platform, tmp_path):
    site, other = platform.add_site("mine"), platform.add_site("other")
    platform.push(site, shape_b([Module("token", "8.x-1.5")]))
    assert platform.run_once().success
    own = platform.api.get(f"/api/v1/sites/{site.id}/projects", headers=site.headers)
    assert own.status_code == 200 and [p["project"] for p in own.json()["items"]] == ["token"]
    assert platform.api.get(f"/api/v1/sites/{site.id}/projects", headers=other.headers).status_code == 403
    assert platform.api.get("/api/v1/sites/999999/projects", headers=platform.admin_headers).status_code == 404
    bad = platform.api.get(f"/api/v1/sites/{site.id}/projects", params={"status": "BROKEN"},
                           headers=platform.admin_headers)
    assert bad.status_code == 422
