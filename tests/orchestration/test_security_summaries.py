"""The security summaries the report reads follow every change of trouble: an ingest run, a removal
by a full sync, a site deletion, an advisories load, and a reconcile repairs them when tampered with."""

import json

from tests.support.feeds import write_feed
from tests.support.payloads import Module, shape_b

DAY = 86_400
T0 = 1_700_000_000


def site_summaries(db) -> dict[int, tuple[int, int, int, int]]:
    rows = db.execute("SELECT site_id, not_secure, revoked, known_vulnerable, affected_modules "
                      "FROM site_security_summary").fetchall()
    return {row["site_id"]: (row["not_secure"], row["revoked"], row["known_vulnerable"], row["affected_modules"])
            for row in rows}


def module_summaries(db) -> dict[str, tuple[int, int, int, int]]:
    rows = db.execute("SELECT m.machine_name, s.affected_sites, s.not_secure_sites, s.revoked_sites, "
                      "s.known_vulnerable_sites FROM module_security_summary s JOIN modules m ON m.id = s.module_id"
                      ).fetchall()
    return {row["machine_name"]: (row["affected_sites"], row["not_secure_sites"], row["revoked_sites"],
                                  row["known_vulnerable_sites"]) for row in rows}


def from_scratch(db) -> tuple[dict, dict]:
    """The summaries as the site modules say they should be, counted the slow way."""
    sites = db.execute("""
        SELECT site_id, count(*) FILTER (WHERE status = 'NOT_SECURE') AS n,
               count(*) FILTER (WHERE status = 'REVOKED') AS r, count(*) FILTER (WHERE known_vulnerable) AS k,
               count(*) AS a
        FROM site_modules
        WHERE removed_at IS NULL AND (status IN ('NOT_SECURE', 'REVOKED') OR known_vulnerable)
        GROUP BY site_id""").fetchall()
    modules = db.execute("""
        SELECT m.machine_name, count(*) AS a, count(*) FILTER (WHERE status = 'NOT_SECURE') AS n,
               count(*) FILTER (WHERE status = 'REVOKED') AS r, count(*) FILTER (WHERE known_vulnerable) AS k
        FROM site_modules sm JOIN modules m ON m.id = sm.module_id
        WHERE removed_at IS NULL AND (status IN ('NOT_SECURE', 'REVOKED') OR known_vulnerable)
        GROUP BY m.machine_name""").fetchall()
    return ({row["site_id"]: (row["n"], row["r"], row["k"], row["a"]) for row in sites},
            {row["machine_name"]: (row["a"], row["n"], row["r"], row["k"]) for row in modules})


def assert_consistent(db) -> None:
    assert (site_summaries(db), module_summaries(db)) == from_scratch(db)


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
    assert site_summaries(db) == {sites["one"].id: (1, 1, 0, 2), sites["two"].id: (1, 0, 0, 1)}
    assert module_summaries(db) == {"token": (2, 2, 0, 0), "revoked_mod": (1, 0, 1, 0)}
    assert_consistent(db)
    # A site that upgrades leaves the report, and token is one site lighter.
    platform.push(sites["two"], shape_b([Module("token", "8.x-1.6")]))
    assert platform.run_once().success
    assert site_summaries(db) == {sites["one"].id: (1, 1, 0, 2)}
    assert module_summaries(db) == {"token": (1, 1, 0, 0), "revoked_mod": (1, 0, 1, 0)}


def test_a_full_sync_removing_the_modules_in_trouble(platform, db, tmp_path):
    sites = troubled_portfolio(platform, tmp_path)
    platform.push(sites["one"], shape_b([Module("token", "8.x-1.5")]))  # revoked_mod removed
    assert platform.run_once().success
    assert site_summaries(db)[sites["one"].id] == (1, 0, 0, 1)
    assert "revoked_mod" not in module_summaries(db)
    platform.push(sites["one"], shape_b([Module("ctools", "8.x-3.0")]))  # token removed too
    assert platform.run_once().success
    assert sites["one"].id not in site_summaries(db)
    assert module_summaries(db) == {"token": (1, 1, 0, 0)}
    assert_consistent(db)


def test_deleting_a_site_takes_it_out_of_the_module_counts(platform, db, tmp_path):
    sites = troubled_portfolio(platform, tmp_path)
    deleted = platform.api.delete(f"/api/v1/sites/{sites['one'].id}", headers=platform.admin_headers)
    assert deleted.status_code == 204
    assert site_summaries(db) == {sites["two"].id: (1, 0, 0, 1)}
    assert module_summaries(db) == {"token": (1, 1, 0, 0)}
    assert_consistent(db)


def test_an_advisories_load_refreshes_every_summary(platform, db, tmp_path):
    sites = troubled_portfolio(platform, tmp_path)
    advisories = tmp_path / "advisories.json"
    advisories.write_text(json.dumps({"name": "drupal-composer/drupal-security-advisories",
                                      "conflict": {"drupal/token": "<1.6"}}))
    run_job("load_advisories", {"ops": {"security_advisories": {"config": {"source": str(advisories)}}}},
            platform.instance)
    assert site_summaries(db) == {sites["one"].id: (1, 1, 1, 2), sites["two"].id: (1, 0, 1, 1)}
    assert module_summaries(db)["token"] == (2, 2, 0, 2)
    assert_consistent(db)


def test_reconcile_repairs_tampered_summaries(platform, db, tmp_path):
    sites = troubled_portfolio(platform, tmp_path)
    expected = (site_summaries(db), module_summaries(db))
    db.execute("UPDATE module_security_summary SET affected_sites = 99")
    db.execute("DELETE FROM site_security_summary WHERE site_id = %s", (sites["two"].id,))
    db.execute("INSERT INTO site_security_summary (site_id, not_secure, revoked, known_vulnerable, affected_modules)"
               " VALUES (%s, 5, 0, 0, 5)", (sites["three"].id,))
    run_job("reconcile", {}, platform.instance)
    assert (site_summaries(db), module_summaries(db)) == expected


def test_force_deleting_a_module_takes_it_out_of_the_site_counts(platform, db, tmp_path):
    sites = troubled_portfolio(platform, tmp_path)
    deleted = platform.api.delete("/api/v1/modules/revoked_mod", params={"force": "true"},
                                  headers=platform.admin_headers)
    assert deleted.status_code == 204, deleted.text
    assert site_summaries(db) == {sites["one"].id: (1, 0, 0, 1), sites["two"].id: (1, 0, 0, 1)}
    assert "revoked_mod" not in module_summaries(db)
    assert_consistent(db)
