"""The security summaries the report reads follow every change of trouble: an ingest run, a removal
by a full sync, a site deletion, an advisories load, and a reconcile repairs them when tampered with.
They count projects, as Drupal reports them (and, per site, the modules those projects include)."""

import json

from tests.support.feeds import write_feed
from tests.support.payloads import Module, shape_b

DAY = 86_400
T0 = 1_700_000_000


def site_summaries(db) -> dict[int, tuple[int, int, int, int, int]]:
    rows = db.execute("SELECT site_id, not_secure, revoked, known_vulnerable, affected_projects, affected_modules "
                      "FROM site_security_summary").fetchall()
    return {row["site_id"]: (row["not_secure"], row["revoked"], row["known_vulnerable"], row["affected_projects"],
                             row["affected_modules"]) for row in rows}


def project_summaries(db) -> dict[str, tuple[int, int, int, int]]:
    rows = db.execute("SELECT project, affected_sites, not_secure_sites, revoked_sites, known_vulnerable_sites "
                      "FROM project_security_summary").fetchall()
    return {row["project"]: (row["affected_sites"], row["not_secure_sites"], row["revoked_sites"],
                             row["known_vulnerable_sites"]) for row in rows}


def from_scratch(db) -> tuple[dict, dict]:
    """The summaries as the site projects and their modules say they should be, counted the slow way."""
    trouble = "sp.removed_at IS NULL AND (sp.status IN ('NOT_SECURE', 'REVOKED') OR sp.known_vulnerable)"
    sites = db.execute(f"""
        SELECT sp.site_id, count(*) FILTER (WHERE sp.status = 'NOT_SECURE') AS n,
               count(*) FILTER (WHERE sp.status = 'REVOKED') AS r, count(*) FILTER (WHERE sp.known_vulnerable) AS k,
               count(*) AS a,
               sum((SELECT count(*) FROM site_modules sm WHERE sm.site_id = sp.site_id
                    AND sm.project = sp.project AND sm.removed_at IS NULL)) AS m
        FROM site_projects sp
        WHERE {trouble}
        GROUP BY sp.site_id""").fetchall()
    projects = db.execute(f"""
        SELECT sp.project, count(*) AS a, count(*) FILTER (WHERE sp.status = 'NOT_SECURE') AS n,
               count(*) FILTER (WHERE sp.status = 'REVOKED') AS r, count(*) FILTER (WHERE sp.known_vulnerable) AS k
        FROM site_projects sp
        WHERE {trouble}
        GROUP BY sp.project""").fetchall()
    return ({row["site_id"]: (row["n"], row["r"], row["k"], row["a"], row["m"]) for row in sites},
            {row["project"]: (row["a"], row["n"], row["r"], row["k"]) for row in projects})


def assert_consistent(db) -> None:
    assert (site_summaries(db), project_summaries(db)) == from_scratch(db)


def run_job(name: str, config: dict, instance):
    from orchestration.definitions import defs

    result = defs.resolve_job_def(name).execute_in_process(run_config=config, instance=instance)
    assert result.success
    return result


def troubled_portfolio(platform, tmp_path):
    """Three sites on token: two at 8.x-1.5 (a security update is out), one current; one also revoked."""
    feeds = tmp_path / "feeds"
    write_feed(feeds, "token", [("8.x-1.6", T0 + 20 * DAY, "Security update"),
                                 ("8.x-1.5", T0, "Bug fixes, Insecure")])
    write_feed(feeds, "revoked_mod", [("8.x-1.0", T0, "New features")], project_status="revoked")
    sites = {name: platform.add_site(name) for name in ("one", "two", "three")}
    platform.push(sites["one"], shape_b([Module("token", "8.x-1.5"), Module("revoked_mod", "8.x-1.0")]))
    platform.push(sites["two"], shape_b([Module("token", "8.x-1.5")]))
    platform.push(sites["three"], shape_b([Module("token", "8.x-1.6")]))
    assert platform.run_once().success
    return sites


def test_an_ingest_run_writes_the_summaries(platform, db, tmp_path):
    sites = troubled_portfolio(platform, tmp_path)
    assert site_summaries(db) == {sites["one"].id: (1, 1, 0, 2, 2), sites["two"].id: (1, 0, 0, 1, 1)}
    assert project_summaries(db) == {"token": (2, 2, 0, 0), "revoked_mod": (1, 0, 1, 0)}
    assert_consistent(db)
    # A site that upgrades leaves the report, and token is one site lighter.
    platform.push(sites["two"], shape_b([Module("token", "8.x-1.6")]))
    assert platform.run_once().success
    assert site_summaries(db) == {sites["one"].id: (1, 1, 0, 2, 2)}
    assert project_summaries(db) == {"token": (1, 1, 0, 0), "revoked_mod": (1, 0, 1, 0)}


def test_a_full_sync_removing_the_modules_in_trouble(platform, db, tmp_path):
    sites = troubled_portfolio(platform, tmp_path)
    platform.push(sites["one"], shape_b([Module("token", "8.x-1.5")]))  # revoked_mod removed
    assert platform.run_once().success
    assert site_summaries(db)[sites["one"].id] == (1, 0, 0, 1, 1)
    assert "revoked_mod" not in project_summaries(db)
    platform.push(sites["one"], shape_b([Module("ctools", "8.x-3.0")]))  # token removed too
    assert platform.run_once().success
    assert sites["one"].id not in site_summaries(db)
    assert project_summaries(db) == {"token": (1, 1, 0, 0)}
    assert_consistent(db)


def test_deleting_a_site_takes_it_out_of_the_project_counts(platform, db, tmp_path):
    sites = troubled_portfolio(platform, tmp_path)
    deleted = platform.api.delete(f"/api/v1/sites/{sites['one'].id}", headers=platform.admin_headers)
    assert deleted.status_code == 204
    assert site_summaries(db) == {sites["two"].id: (1, 0, 0, 1, 1)}
    assert project_summaries(db) == {"token": (1, 1, 0, 0)}
    assert_consistent(db)


def test_an_advisories_load_refreshes_every_summary(platform, db, tmp_path):
    sites = troubled_portfolio(platform, tmp_path)
    advisories = tmp_path / "advisories.json"
    advisories.write_text(json.dumps({"name": "drupal-composer/drupal-security-advisories",
                                      "conflict": {"drupal/token": "<1.6"}}))
    run_job("load_advisories", {"ops": {"security_advisories": {"config": {"source": str(advisories)}}}},
            platform.instance)
    assert site_summaries(db) == {sites["one"].id: (1, 1, 1, 2, 2), sites["two"].id: (1, 0, 1, 1, 1)}
    assert project_summaries(db)["token"] == (2, 2, 0, 2)
    assert_consistent(db)


def test_reconcile_repairs_tampered_summaries(platform, db, tmp_path):
    sites = troubled_portfolio(platform, tmp_path)
    expected = (site_summaries(db), project_summaries(db))
    db.execute("UPDATE project_security_summary SET affected_sites = 99")
    db.execute("DELETE FROM site_security_summary WHERE site_id = %s", (sites["two"].id,))
    db.execute("INSERT INTO site_security_summary (site_id, not_secure, revoked, known_vulnerable, "
               "affected_projects, affected_modules) VALUES (%s, 5, 0, 0, 5, 5)", (sites["three"].id,))
    run_job("reconcile", {}, platform.instance)
    assert (site_summaries(db), project_summaries(db)) == expected


def test_force_deleting_a_module_takes_it_out_of_the_site_counts(platform, db, tmp_path):
    sites = troubled_portfolio(platform, tmp_path)
    deleted = platform.api.delete("/api/v1/modules/revoked_mod", params={"force": "true"},
                                  headers=platform.admin_headers)
    assert deleted.status_code == 204, deleted.text
    assert site_summaries(db) == {sites["one"].id: (1, 0, 0, 1, 1), sites["two"].id: (1, 0, 0, 1, 1)}
    assert "revoked_mod" not in project_summaries(db)
    assert_consistent(db)


def test_a_project_in_trouble_counts_once_however_many_of_its_modules_a_site_runs(platform, db, tmp_path):
    # views and views_ui ship in one project: Drupal reports the project, so one finding per site,
    # while the site's summary still says how many modules it includes.
    write_feed(tmp_path / "feeds", "views", [("8.x-3.9", T0 + 20 * DAY, "Security update"),
                                              ("8.x-3.8", T0, "Bug fixes, Insecure")])
    site = platform.add_site("views")
    platform.push(site, shape_b([Module("views", "8.x-3.8", project="views"),
                                 Module("views_ui", "8.x-3.8", project="views")]))
    assert platform.run_once().success
    assert site_summaries(db) == {site.id: (1, 0, 0, 1, 2)}
    assert project_summaries(db) == {"views": (1, 1, 0, 0)}
    assert_consistent(db)
