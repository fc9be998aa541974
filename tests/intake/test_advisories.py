"""GET /advisories and /advisories/{id}: which sites an advisory affects, at which version, and the fix; the
advisory items of site modules and the security report naming advisories."""

import dagster as dg
import pytest

from tests.support.osv import advisory, write_database
from tests.support.payloads import Module, shape_b
from tests.support.platform import Platform

CORE = "DRUPAL-CORE-2026-012"  # published 2026-07-15, CVE-2026-55805
CONTRIB = "DRUPAL-CONTRIB-2021-025"  # admin_toolbar <2.5.0, published 2021
UNUSED = "DRUPAL-CONTRIB-2025-028"  # access_code: no site has it


@pytest.fixture
def portfolio(api, admin_headers, database_url, monkeypatch, tmp_path):
    """Two sites behind on core and admin_toolbar and one up to date, processed, the three advisories loaded."""
    monkeypatch.setenv("MODWATCH_DATABASE_URL", database_url)
    (tmp_path / "feeds").mkdir()
    monkeypatch.setenv("MODWATCH_RELEASE_FEED_URL", (tmp_path / "feeds").as_uri())
    from orchestration.definitions import defs

    with dg.DagsterInstance.ephemeral() as instance:
        platform = Platform(api, admin_headers, database_url, instance)
        sites = {name: platform.add_site(name) for name in ("first", "second", "fine")}
        for name, core, toolbar in (("first", "10.6.12", "8.x-2.4"), ("second", "10.5.0", "3.0.2"),
                                    ("fine", "10.6.13", "3.0.2")):
            platform.push(sites[name], shape_b([Module("system", core, module_type="core"),
                                                Module("node", core, module_type="core"),
                                                Module("admin_toolbar", toolbar)], core=core))
        assert platform.run_once().success
        database = write_database(tmp_path / "osv", [advisory(CORE), advisory(CONTRIB), advisory(UNUSED)])
        loaded = defs.resolve_job_def("load_osv_advisories").execute_in_process(
            run_config={"ops": {"osv_advisories": {"config": {"source": str(database)}}}}, instance=instance)
        assert loaded.success
        yield sites


def get(api, path: str, headers: dict, **params):
    answer = api.get(f"/api/v1{path}", headers=headers, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_advisories_newest_first_with_the_sites_and_projects_they_affect(api, admin_headers, portfolio):
    page = get(api, "/advisories", admin_headers)
    assert [item["id"] for item in page["items"]] == [CORE, UNUSED, CONTRIB] and page["total"] == 3
    by_id = {item["id"]: item for item in page["items"]}
    assert (by_id[CORE]["affected_sites"], by_id[CORE]["affected_projects"]) == (2, 1)
    assert (by_id[CONTRIB]["affected_sites"], by_id[UNUSED]["affected_sites"]) == (1, 0)
    assert by_id[CORE]["aliases"] == ["CVE-2026-55805"] and by_id[CORE]["projects"] == ["drupal"]
    assert by_id[CORE]["url"] == "https://www.drupal.org/sa-core-2026-012"
    assert by_id[CORE]["detail_url"] == f"/api/v1/advisories/{CORE}"


def test_advisories_filtered_and_paged(api, admin_headers, portfolio):
    assert [item["id"] for item in get(api, "/advisories", admin_headers, affecting="true")["items"]] == [CORE,
                                                                                                       CONTRIB]
    assert [item["id"] for item in get(api, "/advisories", admin_headers, project="admin_toolbar")["items"]] == [
        CONTRIB]
    assert [item["id"] for item in get(api, "/advisories", admin_headers, since="2025-01-01")["items"]] == [
        CORE, UNUSED]
    second = get(api, "/advisories", admin_headers, limit=1, offset=1)
    assert ([item["id"] for item in second["items"]], second["total"]) == ([UNUSED], 3)
    past = get(api, "/advisories", admin_headers, offset=10)
    assert (past["items"], past["total"]) == ([], 3)


def test_one_advisory_lists_every_affected_site_with_its_version_and_the_fix(api, admin_headers, portfolio):
    detail = get(api, f"/advisories/{CORE.lower()}", admin_headers)
    assert detail["id"] == CORE and detail["details"].startswith("The Layout Builder module")
    assert [(r["introduced"], r["fixed"], r["constraint"]) for r in detail["ranges"]][:2] == [
        ("0", "10.6.13", "<10.6.13"), ("11.3.0", "11.3.14", ">=11.3.0 <11.3.14")]
    affected = [(site["site_id"], site["project"], site["installed_version"], site["fixed_in"], site["modules"])
                for site in detail["affected_sites"]]
    assert affected == [(portfolio["first"].id, "drupal", "10.6.12", "10.6.13", 2),
                        (portfolio["second"].id, "drupal", "10.5.0", "10.6.13", 2)]
    assert detail["affected_sites"][0]["modules_url"] == (
        f"/api/v1/sites/{portfolio['first'].id}/modules?known_vulnerable=true")
    assert get(api, f"/advisories/{UNUSED}", admin_headers)["affected_sites"] == []


def test_site_modules_carry_their_advisories(api, admin_headers, portfolio):
    rows = get(api, f"/sites/{portfolio['first'].id}/modules", admin_headers, known_vulnerable="true")["items"]
    items = {row["machine_name"]: row["advisories"] for row in rows}
    assert sorted(items) == ["admin_toolbar", "node", "system"]
    (toolbar,) = items["admin_toolbar"]
    assert toolbar == {"id": CONTRIB, "aliases": [], "url": "https://www.drupal.org/sa-contrib-2021-025",
                       "summary": toolbar["summary"], "fixed_in": "2.5.0", "constraint": "<2.5.0"}
    assert [item["aliases"] for item in items["system"]] == [["CVE-2026-55805"]]


def test_the_security_report_names_the_advisories(api, admin_headers, portfolio):
    report = get(api, "/reports/security", admin_headers)
    by_site = {site["id"]: site["advisories"] for site in report["items"]}
    assert by_site == {portfolio["first"].id: [CONTRIB, CORE], portfolio["second"].id: [CORE]}
    by_project = {project["project"]: project["advisories"] for project in report["projects"]}
    assert by_project["drupal"] == [CORE] and by_project["admin_toolbar"] == [CONTRIB]


def test_advisories_are_for_the_admin_only(api, portfolio):
    site = portfolio["first"]
    assert api.get("/api/v1/advisories", headers=site.headers).status_code == 403
    assert api.get(f"/api/v1/advisories/{CORE}").status_code == 401


def test_an_unknown_advisory_is_404_and_a_malformed_one_422(api, admin_headers, portfolio):
    missing = api.get("/api/v1/advisories/DRUPAL-CORE-1999-001", headers=admin_headers)
    assert missing.status_code == 404 and "DRUPAL-CORE-1999-001" in missing.text
    malformed = api.get("/api/v1/advisories/no%20such%20id", headers=admin_headers)
    assert malformed.status_code == 422 and "advisory_id" in malformed.text
    bad_since = api.get("/api/v1/advisories", headers=admin_headers, params={"since": "yesterday"})
    assert bad_since.status_code == 422 and "query.since" in bad_since.text
