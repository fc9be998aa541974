"""A module's site count and a site's module count are the tallies statement triggers keep (migration 0016):
always the plain counts.

Every way site modules come and go is exercised through the store (the
inventory merge, site and module deletion) or as the bulk loader writes them,
and each time every module's and every site's tally is compared with a count
of the present site modules, and the catalogue's and the sites' reads with both.
"""

import uuid
from datetime import UTC, datetime

import polars as pl
import psycopg
import pytest

from sql import catalogue, inventory, sites
from tests.support.population import Population, load_population

PLAIN_AND_TALLIED = """
SELECT m.machine_name,
       (SELECT count(*) FROM site_modules sm WHERE sm.module_id = m.id AND sm.removed_at IS NULL) AS plain,
       (SELECT coalesce(sum(t.sites), 0) FROM module_site_tally t WHERE t.module_id = m.id) AS tallied
FROM modules m
ORDER BY m.machine_name
"""


PLAIN_AND_PRESENT = """
SELECT s.id,
       (SELECT count(*) FROM site_modules sm WHERE sm.site_id = s.id AND sm.removed_at IS NULL) AS plain,
       coalesce((SELECT p.modules FROM site_present_modules p WHERE p.site_id = s.id), 0) AS tallied
FROM sites s
ORDER BY s.id
"""


def site_counts(conn) -> dict[str, tuple[int, int]]:
    return {row[0]: (row[1], row[2]) for row in conn.execute(PLAIN_AND_TALLIED)}


def assert_sites_exact(conn) -> dict[int, int]:
    """Every site's count of present modules equals its plain count, and so do the sites' reads."""
    counts = {row[0]: (row[1], row[2]) for row in conn.execute(PLAIN_AND_PRESENT)}
    wrong = {site_id: pair for site_id, pair in counts.items() if pair[0] != pair[1]}
    assert not wrong, f"(plain, tallied) differ: {wrong}"
    plain = {site_id: pair[0] for site_id, pair in counts.items()}
    page = sites.page(conn, limit=500, offset=0, sort="id", stale_after_hours=48)
    assert {row.id: row.modules for row in page if row.id is not None} == plain
    for site_id, count in plain.items():
        assert sites.get(conn, site_id=site_id, token_hash=None, stale_after_hours=48).modules == count
    return plain


def assert_exact(conn) -> dict[str, int]:
    """Every module's tally equals its plain count, and so do the catalogue's reads; answers the counts."""
    counts = site_counts(conn)
    wrong = {name: pair for name, pair in counts.items() if pair[0] != pair[1]}
    assert not wrong, f"(plain, tallied) differ: {wrong}"
    assert conn.execute("SELECT count(*) FROM module_site_tally t "
                        "WHERE NOT EXISTS (SELECT FROM modules m WHERE m.id = t.module_id)").fetchone()[0] == 0
    plain = {name: pair[0] for name, pair in counts.items()}
    page = catalogue.page(conn, module_type=None, project=None, search=None, limit=500, offset=0)
    assert {row.machine_name: row.site_count for row in page if row.machine_name is not None} == plain
    for name, count in plain.items():
        assert catalogue.get(conn, machine_name=name).site_count == count
        assert catalogue.sites_page(conn, machine_name=name, using=True, limit=1, offset=0)[0].total == count
    assert_sites_exact(conn)
    return plain


def new_site(conn, name: str) -> int:
    return conn.execute("INSERT INTO sites (name, url, token_hash) VALUES (%s, %s, %s) RETURNING id",
                        (name, f"https://{name}.example.org", uuid.uuid4().hex)).fetchone()[0]


def stage(site_modules: dict[int, dict[str, str]], *, sync_type: str = "full") -> pl.DataFrame:
    """One payload per site, {site_id: {machine_name: version}}, as the ingest job hands it to the merge."""
    received_at = datetime.now(UTC)
    task_ids = {site_id: str(uuid.uuid4()) for site_id in site_modules}
    rows = [{"landing_id": index, "task_id": task_ids[site_id], "site_id": site_id, "round": 1,
             "sync_type": sync_type, "received_at": received_at, "machine_name": name, "project": name,
             "display_name": name, "module_type": "contrib", "enabled": True, "description": None,
             "version": version, "major": 1, "minor": int(version.rsplit(".", 1)[-1]), "patch": None,
             "extra": None, "sort_key": int(version.rsplit(".", 1)[-1]), "datestamp": None}
            for index, (site_id, modules) in enumerate(site_modules.items(), start=1)
            for name, version in modules.items()]
    return pl.DataFrame(rows, schema_overrides={"patch": pl.Int64, "extra": pl.Utf8, "description": pl.Utf8,
                                                "datestamp": pl.Int64})


def merge(conn, site_modules: dict[int, dict[str, str]], *, sync_type: str = "full") -> dict[str, int]:
    return inventory.merge(conn, stage=stage(site_modules, sync_type=sync_type), warnings={})


@pytest.fixture
def conn(database_url):
    with psycopg.connect(database_url, autocommit=True) as connection:
        yield connection


def test_the_tally_follows_merges_removals_returns_and_deletions(conn):
    one, two, three = (new_site(conn, name) for name in ("one", "two", "three"))
    merge(conn, {one: {"views": "1.1", "token": "1.1", "pathauto": "1.1"},
                 two: {"views": "1.1", "token": "1.2"},
                 three: {"views": "1.2"}})
    assert assert_exact(conn) == {"pathauto": 1, "token": 2, "views": 3}
    assert assert_sites_exact(conn) == {one: 3, two: 2, three: 1}
    # A full sync removes what it no longer lists; a new version changes no count.
    merge(conn, {one: {"views": "1.2"}, two: {"views": "1.1", "token": "1.3"}})
    assert assert_exact(conn) == {"pathauto": 0, "token": 1, "views": 3}
    assert assert_sites_exact(conn) == {one: 1, two: 2, three: 1}
    # Back again (the stored row is restored, not inserted), and a partial sync of a present module.
    merge(conn, {one: {"views": "1.2", "pathauto": "1.1", "token": "1.1"}})
    merge(conn, {three: {"views": "1.3", "token": "1.3"}}, sync_type="partial")
    assert assert_exact(conn) == {"pathauto": 1, "token": 3, "views": 3}
    # Rolled back: nothing counted.
    with conn.transaction(force_rollback=True):
        merge(conn, {two: {"pathauto": "1.1"}})
    assert assert_exact(conn) == {"pathauto": 1, "token": 3, "views": 3}
    # A site deleted takes its modules with it; a module deleted takes its tally with it.
    with conn.transaction():
        assert sites.delete(conn, site_id=one, actor="test") is not None
    assert assert_exact(conn) == {"pathauto": 0, "token": 2, "views": 2}
    assert assert_sites_exact(conn) == {two: 2, three: 2}
    with conn.transaction():
        assert catalogue.delete(conn, machine_name="token", force=True, actor="test").deleted
    assert assert_exact(conn) == {"pathauto": 0, "views": 2}
    assert assert_sites_exact(conn) == {two: 1, three: 1}
    assert conn.execute("SELECT count(*) FROM module_site_tally t JOIN modules m ON m.id = t.module_id "
                        "WHERE m.machine_name = 'token'").fetchone()[0] == 0
    conn.execute("TRUNCATE site_modules CASCADE")
    assert assert_exact(conn) == {"pathauto": 0, "views": 0}
    assert conn.execute("SELECT count(*) FROM module_site_tally").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM site_present_modules").fetchone()[0] == 0


def test_the_tally_counts_the_bulk_loaders_rows_and_a_population(conn):
    site_ids = load_population(conn, Population(sites=120, modules_per_site=30, catalog=80, core_modules=10))
    counts = assert_exact(conn)
    assert counts["pop_000000"] == 120  # a core module is on every site
    # The bulk loader writes with triggers off, but these fire ALWAYS.
    with conn.transaction():
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute("UPDATE site_modules SET removed_at = now() WHERE site_id = ANY(%s)", (site_ids[:7],))
        conn.execute("DELETE FROM site_modules WHERE site_id = ANY(%s) AND module_id %% 2 = 0", (site_ids[7:9],))
    assert assert_exact(conn)["pop_000000"] == 113
    assert set(assert_sites_exact(conn)[site_id] for site_id in site_ids[:7]) == {0}


def test_concurrent_shards_do_not_wait_on_each_others_tally(conn, database_url):
    # Sites of different shards (id modulo the shard count) write different rows of a module's tally, and
    # each its own site's: a shard's merge may hold them until it commits without holding up the others.
    first, second = new_site(conn, "first"), new_site(conn, "second")
    assert first % 16 != second % 16
    merge(conn, {first: {"views": "1.1", "token": "1.1"}})
    with conn.transaction(), psycopg.connect(database_url) as other:
        merge(conn, {first: {"views": "1.2"}})  # still open: `first`'s rows of views and token stay locked
        other.execute("SET lock_timeout = '2s'")
        merge(other, {second: {"views": "1.1", "token": "1.1"}})
        other.commit()
    assert assert_exact(conn) == {"token": 1, "views": 2}
    assert assert_sites_exact(conn) == {first: 1, second: 2}
