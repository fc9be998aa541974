"""The schema: migrations both ways, constraints, cascades, indexed foreign keys."""

import psycopg
import pytest

from sql.migrate import downgrade, upgrade

PLATFORM_TABLES = {
    "sites", "landing_payloads", "modules", "module_versions", "site_modules",
    "site_module_events", "projects", "releases", "advisories", "audit_log",
}


def tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {row[0] for row in rows}


def test_upgrade_downgrade_upgrade_on_an_empty_database(empty_database_url):
    upgrade(empty_database_url)
    assert tables(empty_database_url) >= PLATFORM_TABLES
    downgrade(empty_database_url, "base")
    assert not PLATFORM_TABLES & tables(empty_database_url)
    upgrade(empty_database_url)
    assert tables(empty_database_url) >= PLATFORM_TABLES


def test_downgrade_and_upgrade_with_rows_present(empty_database_url):
    upgrade(empty_database_url)
    with psycopg.connect(empty_database_url, autocommit=True) as conn:
        site_id = conn.execute(
            "INSERT INTO sites (name, url, token_hash) VALUES ('a', 'https://a.test', 'x') "
            "RETURNING id"
        ).fetchone()[0]
        module_id = conn.execute(
            "INSERT INTO modules (machine_name, display_name, project) "
            "VALUES ('views', 'Views', 'views') RETURNING id"
        ).fetchone()[0]
        version_id = conn.execute(
            "INSERT INTO module_versions (module_id, version_string) VALUES (%s, '8.x-3.1') "
            "RETURNING id", (module_id,)
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO site_modules (site_id, module_id, current_version_id, project, module_type)"
            " VALUES (%s, %s, %s, 'views', 'contrib')", (site_id, module_id, version_id)
        )
    downgrade(empty_database_url, "base")
    assert not PLATFORM_TABLES & tables(empty_database_url)
    upgrade(empty_database_url)
    with psycopg.connect(empty_database_url) as conn:
        assert conn.execute("SELECT count(*) FROM sites").fetchone()[0] == 0


def test_every_foreign_key_is_indexed(empty_database_url):
    # A foreign key column must lead some index, or deletes and joins scan the table.
    query = """
        SELECT c.conrelid::regclass::text AS tbl, a.attname
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.contype = 'f' AND NOT EXISTS (
            SELECT 1 FROM pg_index i
            WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])
    """
    # A database of its own, migrated here: the shared one may also hold Dagster's storage, not ours to index.
    upgrade(empty_database_url)
    with psycopg.connect(empty_database_url) as conn:
        unindexed = conn.execute(query).fetchall()
    assert unindexed == []


@pytest.fixture
def seeded(db):
    site = db.execute(
        "INSERT INTO sites (name, url, token_hash) VALUES ('s', 'https://s.test', 'h') RETURNING id"
    ).fetchone()["id"]
    module = db.execute(
        "INSERT INTO modules (machine_name, display_name, project) VALUES ('token', 'Token', 'token')"
        " RETURNING id"
    ).fetchone()["id"]
    version = db.execute(
        "INSERT INTO module_versions (module_id, version_string) VALUES (%s, '8.x-1.0') RETURNING id",
        (module,),
    ).fetchone()["id"]
    site_module = db.execute(
        "INSERT INTO site_modules (site_id, module_id, current_version_id, project, module_type) "
        "VALUES (%s, %s, %s, 'token', 'contrib') RETURNING id", (site, module, version)
    ).fetchone()["id"]
    db.execute(
        "INSERT INTO site_module_events (site_module_id, site_id, module_id, event_type, to_version)"
        " VALUES (%s, %s, %s, 'added', '8.x-1.0')", (site_module, site, module)
    )
    return {"site": site, "module": module, "version": version, "site_module": site_module}


def test_module_machine_name_is_unique(db, seeded):
    with pytest.raises(psycopg.errors.UniqueViolation):
        db.execute("INSERT INTO modules (machine_name, display_name, project) "
                   "VALUES ('token', 'Again', 'token')")


def test_module_version_is_unique_per_module(db, seeded):
    with pytest.raises(psycopg.errors.UniqueViolation):
        db.execute("INSERT INTO module_versions (module_id, version_string) VALUES (%s, '8.x-1.0')",
                   (seeded["module"],))


def test_site_module_is_unique_per_site(db, seeded):
    with pytest.raises(psycopg.errors.UniqueViolation):
        db.execute(
            "INSERT INTO site_modules (site_id, module_id, current_version_id, project, module_type)"
            " VALUES (%s, %s, %s, 'token', 'contrib')",
            (seeded["site"], seeded["module"], seeded["version"]),
        )


def test_deleting_a_site_cascades_to_its_modules_and_events(db, seeded):
    db.execute("DELETE FROM sites WHERE id = %s", (seeded["site"],))
    assert db.execute("SELECT count(*) AS n FROM site_modules").fetchone()["n"] == 0
    assert db.execute("SELECT count(*) AS n FROM site_module_events").fetchone()["n"] == 0
    # The module catalogue outlives any one site.
    assert db.execute("SELECT count(*) AS n FROM modules").fetchone()["n"] == 1
