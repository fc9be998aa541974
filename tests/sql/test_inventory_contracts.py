"""The merge's data contracts, checked on the given sites only (every site's when none are given): what
breaks them elsewhere is not theirs to report. Foreign keys and the unique constraint prevent it; here they
are switched off to break them."""

import psycopg

from sql import inventory


def a_site(conn: psycopg.Connection, name: str) -> int:
    return conn.execute("INSERT INTO sites (name, url, token_hash) VALUES (%s, %s, %s) RETURNING id",
                        (name, f"https://{name}.example", name.encode())).fetchone()[0]


def test_orphan_rows_are_found_on_the_given_sites_only(database_url):
    with psycopg.connect(database_url) as conn:  # one transaction, rolled back: the breakage goes with it
        conn.execute("SET LOCAL session_replication_role = replica")  # no foreign key checked
        checked, other = a_site(conn, "checked"), a_site(conn, "other")
        gone_checked, gone_other = -5, -6  # site ids no site has
        broken = {}
        for site, gone in ((checked, gone_checked), (other, gone_other)):
            # a version whose module is gone, run by the site; a site module whose site is gone; an event
            # whose site module is gone
            version = conn.execute("INSERT INTO module_versions (module_id, version_string) VALUES (-1, %s) "
                                   "RETURNING id", (f"1.{site}",)).fetchone()[0]
            conn.execute("INSERT INTO site_modules (site_id, module_id, current_version_id, project, module_type) "
                         "VALUES (%s, -2, %s, 'views', 'contrib')", (site, version))
            module = conn.execute("INSERT INTO site_modules (site_id, module_id, current_version_id, project, "
                                  "module_type) VALUES (%s, -3, -3, 'views', 'contrib') RETURNING id",
                                  (gone,)).fetchone()[0]
            event = conn.execute(
                "INSERT INTO site_module_events (site_module_id, site_id, module_id, event_type, occurred_at) "
                "VALUES (-1, %s, -1, 'added', now()) RETURNING id", (site,)).fetchone()[0]
            broken[site] = {("module_versions", version), ("site_modules", module), ("site_module_events", event)}

        def found(site_ids):
            return {(row.table_name, row.id) for row in inventory.orphan_rows(conn, site_ids=site_ids)}

        assert found([checked, gone_checked]) == broken[checked]
        assert found([]) == set()
        assert found(None) == broken[checked] | broken[other]
        conn.rollback()


def test_duplicate_site_modules_are_found_on_the_given_sites_only(database_url):
    with psycopg.connect(database_url) as conn:
        conn.execute("ALTER TABLE site_modules DROP CONSTRAINT uq_site_module")
        conn.execute("SET LOCAL session_replication_role = replica")
        checked, other = a_site(conn, "checked"), a_site(conn, "other")
        for site in (checked, other, checked, other):
            conn.execute("INSERT INTO site_modules (site_id, module_id, current_version_id, project, module_type) "
                         "VALUES (%s, -1, -1, 'views', 'contrib')", (site,))
        found = inventory.duplicate_site_modules(conn, site_ids=[checked])
        assert [(row.site_id, row.module_id, row.copies) for row in found] == [(checked, -1, 2)]
        everywhere = inventory.duplicate_site_modules(conn, site_ids=None)
        assert sorted(row.site_id for row in everywhere) == sorted([checked, other])
        conn.rollback()
