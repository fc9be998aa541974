"""A full status recompute that rebuilds `site_projects` and swaps it in leaves exactly the table the
row-by-row insert-or-update leaves: same rows, same indexes, keys, checks and generated column, and
nothing to write afterwards."""

import itertools
import threading
from collections.abc import Iterator

import polars as pl
import psycopg
import pytest

from modwatch.bench.catalog import generate_catalog, write_advisories, write_feeds, write_osv_advisories
from modwatch.bench.inventories import generate_inventories
from modwatch.bench.scale import load_portfolio, load_release_data
from orchestration.pipeline import recompute
from orchestration.pipeline.advisories import load_advisories, load_osv
from orchestration.pipeline.recompute import SITE_PARTS, computed_parts, recompute_all, refresh_status
from orchestration.pipeline.status import compute_statuses, load_inputs, stored_json, write_changed
from sql import scale, statuses, summaries

COLUMNS = ("site_id, project, version, datestamp, modules, removed_at, status, status_reason, latest_version, "
           "recommended_version, also_available, security_updates, update_available, security_update_available, "
           "known_vulnerable, advisories, security_coverage, in_trouble")

SUMMARIES = ("SELECT site_id, not_secure, revoked, known_vulnerable, affected_projects, affected_modules "
             "FROM site_security_summary ORDER BY site_id")


@pytest.fixture
def portfolio(database_url, tmp_path) -> str:
    """A generated portfolio (40 sites x 80 modules over 60 projects) with feeds and advisories stored and
    every status NOT_CHECKED, some modules removed."""
    catalog = generate_catalog(60, seed=3)
    feeds = write_feeds(catalog, tmp_path / "feeds")
    with psycopg.connect(database_url, autocommit=True) as conn:
        load_advisories(conn, str(write_advisories(catalog, tmp_path / "advisories.json", seed=3)))
        load_osv(conn, str(write_osv_advisories(catalog, tmp_path / "osv", seed=3)))
        load_portfolio(conn, generate_inventories(catalog, [80] * 40, seed=5), label="scale")
        load_release_data(conn, feeds.as_uri())
        # A few removed modules: projects that are gone, and projects only some of whose modules are.
        conn.execute("UPDATE site_modules SET removed_at = now() - interval '1 day' WHERE id % 17 = 0")
    return database_url


def table(db, columns: str = COLUMNS) -> list[dict]:
    return db.execute(f"SELECT {columns} FROM site_projects ORDER BY site_id, project").fetchall()


def shape(db) -> dict:
    """The table's definition as the catalog has it: columns, indexes, constraints, grants."""
    return {
        "columns": db.execute("SELECT column_name, data_type, is_nullable, column_default, is_generated, "
                              "generation_expression FROM information_schema.columns "
                              "WHERE table_name = 'site_projects' ORDER BY ordinal_position").fetchall(),
        "indexes": db.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'site_projects' "
                              "ORDER BY indexname").fetchall(),
        "constraints": db.execute("SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint "
                                  "WHERE conrelid = 'site_projects'::regclass ORDER BY conname").fetchall(),
        "grants": db.execute("SELECT relacl::text AS acl FROM pg_class WHERE oid = 'site_projects'::regclass"
                             ).fetchall(),
        "triggers": db.execute("SELECT tgname, pg_get_triggerdef(oid) AS definition FROM pg_trigger "
                               "WHERE tgrelid = 'site_projects'::regclass AND NOT tgisinternal ORDER BY tgname"
                               ).fetchall(),
    }


def test_the_rebuild_leaves_the_table_the_updates_leave(portfolio, db):
    db.execute("GRANT SELECT ON site_projects TO PUBLIC")
    before = shape(db)
    with psycopg.connect(portfolio, autocommit=True) as conn:
        updated = refresh_status(conn, None, rebuild=False)
        incremental = table(db)
        summaries = db.execute(SUMMARIES).fetchall()
        scale.reset_statuses(conn)
        rebuilt = refresh_status(conn, None, rebuild=True)
        assert rebuilt["site_projects_changed"] == updated["site_projects_changed"] == len(incremental)
        assert table(db) == incremental
        assert shape(db) == before
        assert db.execute(SUMMARIES).fetchall() == summaries
        # The generated statuses are not all alike: the comparison covers every kind of row.
        kinds = {(row["status"], row["known_vulnerable"], row["removed_at"] is None, row["security_coverage"] is None)
                 for row in incremental}
        assert len({status for status, *_ in kinds}) >= 3 and any(vulnerable for _, vulnerable, *_ in kinds)
        assert any(not present for _, _, present, _ in kinds) and any(not none for *_, none in kinds)
        unchecked = db.execute("SELECT count(*) AS n FROM site_projects WHERE status_checked_at IS NULL").fetchone()
        assert unchecked["n"] == 0
        # No drift: recomputing from scratch finds nothing to write.
        again = refresh_status(conn, None)
        assert again["site_projects_changed"] == 0
        # The foreign key came along: deleting a site deletes its projects.
        site_id = incremental[0]["site_id"]
        conn.execute("DELETE FROM sites WHERE id = %s", (site_id,))
        assert db.execute("SELECT count(*) AS n FROM site_projects WHERE site_id = %s",
                          (site_id,)).fetchone()["n"] == 0
        assert db.execute("SELECT count(*) AS n FROM pg_class WHERE relname LIKE 'site_projects_next%'"
                          ).fetchone()["n"] == 0


def test_a_rebuild_keeps_the_rows_it_did_not_change(portfolio, db):
    with psycopg.connect(portfolio, autocommit=True) as conn:
        refresh_status(conn, None, rebuild=False)
        settled = table(db, COLUMNS + ", status_checked_at")
        # A few rows drift (a tampered status); the rest stay as they are, down to when they were checked.
        db.execute("UPDATE site_projects SET status = 'NOT_CHECKED' WHERE site_id % 7 = 0")
        drifted = db.execute("SELECT count(*) AS n FROM site_projects WHERE site_id % 7 = 0").fetchone()["n"]
        written = refresh_status(conn, None, rebuild=True)
        assert written["site_projects_changed"] == drifted > 0
        now = table(db, COLUMNS + ", status_checked_at")
        assert [row for row in now if row["site_id"] % 7] == [row for row in settled if row["site_id"] % 7]
        ignore_checked = [{**row, "status_checked_at": None} for row in now]
        assert ignore_checked == [{**row, "status_checked_at": None} for row in settled]


def test_a_row_changed_by_anything_but_the_status_step_is_written_again_after_a_rebuild(portfolio, db):
    with psycopg.connect(portfolio, autocommit=True) as conn:
        refresh_status(conn, None, rebuild=True)
        assert db.execute("SELECT count(*) AS n FROM site_projects WHERE status_digest IS NULL").fetchone()["n"] == 0
        # An update that leaves the digest as it was sets it to 0, "changed by something else" (the rebuilt
        # table has the trigger too) ...
        db.execute("UPDATE site_projects SET latest_version = '0.0.1' WHERE site_id % 5 = 0")
        tampered = db.execute("SELECT count(*) AS n FROM site_projects WHERE status_digest = 0").fetchone()["n"]
        assert tampered == db.execute("SELECT count(*) AS n FROM site_projects WHERE site_id % 5 = 0"
                                      ).fetchone()["n"] > 0
        # ... so the next recompute finds those rows changed and writes them back as computed.
        assert refresh_status(conn, None)["site_projects_changed"] == tampered
        assert db.execute("SELECT count(*) AS n FROM site_projects WHERE latest_version = '0.0.1'"
                          ).fetchone()["n"] == 0
        assert refresh_status(conn, None)["site_projects_changed"] == 0


def test_a_full_recompute_rebuilds_only_when_most_rows_change(portfolio, db):
    with psycopg.connect(portfolio, autocommit=True) as conn:
        oid = db.execute("SELECT 'site_projects'::regclass::oid AS oid").fetchone()["oid"]
        refresh_status(conn, None)  # every row NOT_CHECKED: rebuilt, a new table
        rebuilt_oid = db.execute("SELECT 'site_projects'::regclass::oid AS oid").fetchone()["oid"]
        assert rebuilt_oid != oid
        db.execute("UPDATE site_projects SET status = 'NOT_CHECKED' "
                   "WHERE (site_id, project) IN (SELECT site_id, project FROM site_projects LIMIT 3)")
        assert refresh_status(conn, None)["site_projects_changed"] == 3  # a few rows: updated in place
        assert db.execute("SELECT 'site_projects'::regclass::oid AS oid").fetchone()["oid"] == rebuilt_oid


def test_readers_see_the_old_table_or_the_new_one_never_a_half(portfolio, db):
    with psycopg.connect(portfolio, autocommit=True) as conn:
        total = db.execute("SELECT count(*) AS n FROM site_projects").fetchone()["n"]
        seen: list[tuple[int, int]] = []
        stop = threading.Event()

        def read() -> None:
            with psycopg.connect(portfolio, autocommit=True) as reader:
                while not stop.is_set():
                    seen.append(reader.execute(
                        "SELECT count(*), count(*) FILTER (WHERE status = 'NOT_CHECKED') FROM site_projects"
                    ).fetchone())

        thread = threading.Thread(target=read)
        thread.start()
        try:
            refresh_status(conn, None, rebuild=True)
        finally:
            stop.set()
            thread.join()
        after = db.execute("SELECT count(*) FILTER (WHERE status = 'NOT_CHECKED') AS n FROM site_projects"
                           ).fetchone()["n"]
        assert after < total and seen and all(rows == total for rows, _ in seen)
        assert {unchecked for _, unchecked in seen} <= {total, after}


@pytest.mark.parametrize("rebuild", [True, False], ids=["rebuilt", "in place"])
def test_what_happened_after_the_inputs_were_read_wins(portfolio, db, rebuild):
    """A recompute whose inputs were read before another run wrote never overwrites that run's rows, keeps
    the projects it added, and leaves out the sites deleted meanwhile."""
    with psycopg.connect(portfolio, autocommit=True) as conn:
        site_ids = [row["site_id"] for row in db.execute("SELECT DISTINCT site_id FROM site_projects "
                                                         "ORDER BY site_id LIMIT 3").fetchall()]
        newer_site, deleted_site, untouched_site = site_ids
        computed = compute_statuses(load_inputs(conn, None))  # every row NOT_CHECKED: every row changes
        # Meanwhile, other runs: one writes a site's statuses from inputs read later, one adds a project,
        # and an admin deletes a site.
        db.execute("UPDATE site_projects SET status = 'REVOKED', modules = greatest(modules, 1), "
                   "status_checked_at = now() + interval '1 hour' WHERE site_id = %s", (newer_site,))
        db.execute("INSERT INTO site_projects (site_id, project, modules, status, status_checked_at) "
                   "VALUES (%s, 'added_meanwhile', 1, 'CURRENT', now() + interval '1 hour')", (untouched_site,))
        db.execute("DELETE FROM sites WHERE id = %s", (deleted_site,))
        written = write_changed(conn, computed, rebuild=rebuild)
        newer_rows = computed.filter(computed["site_id"] == newer_site).height
        gone_rows = computed.filter(computed["site_id"] == deleted_site).height
        assert written["site_projects_changed"] == computed.height - newer_rows - gone_rows
        by_site = {row["site_id"]: row for row in db.execute(
            "SELECT site_id, count(*) AS n, array_agg(DISTINCT status) AS statuses, "
            "bool_or(project = 'added_meanwhile') AS added FROM site_projects GROUP BY site_id").fetchall()}
        assert by_site[newer_site]["statuses"] == ["REVOKED"]
        assert by_site[untouched_site]["added"] and "NOT_CHECKED" not in by_site[untouched_site]["statuses"]
        assert deleted_site not in by_site
        # Every other row is this recompute's, dated by when its inputs were read.
        checked_at = computed["checked_at"].min()
        assert db.execute("SELECT count(*) AS n FROM site_projects WHERE site_id <> %s AND project <> "
                          "'added_meanwhile' AND status_checked_at IS DISTINCT FROM %s",
                          (newer_site, checked_at)).fetchone()["n"] == 0


def test_a_rebuild_inside_the_callers_own_transaction_commits_with_it(portfolio, db):
    """The release-data assets recompute on a connection whose transaction ends only when they end: the
    rebuild happens inside it and commits with it, leaving no table behind."""
    with psycopg.connect(portfolio) as conn:  # not autocommit: one transaction until the block ends
        written = refresh_status(conn, None, rebuild=True)
        assert written["site_projects_changed"] > 0
    digested = db.execute("SELECT count(*) AS n FROM site_projects WHERE status_digest IS NOT NULL").fetchone()
    assert digested["n"] == written["site_projects_changed"]
    left = db.execute("SELECT count(*) AS n FROM pg_class WHERE relname LIKE 'site_projects_next%'").fetchone()
    assert left["n"] == 0


def test_statuses_computed_in_parts_are_those_computed_in_one_pass(portfolio):
    with psycopg.connect(portfolio, autocommit=True) as conn:
        inputs = load_inputs(conn, None)
        whole = compute_statuses(inputs).sort("site_id", "project")
        parts = list(computed_parts(inputs))
    assert len(parts) == SITE_PARTS
    # Ranges of sites, in increasing order, none shared.
    assert all(before["site_id"].max() < after["site_id"].min() for before, after in itertools.pairwise(parts))
    assert pl.concat(parts).sort("site_id", "project").equals(whole)


def test_a_full_recompute_writes_and_reports_drift_whether_the_first_part_changed_or_not(portfolio, db):
    with psycopg.connect(portfolio, autocommit=True) as conn:
        refresh_status(conn, None)
        settled = table(db)
        last_sites = "site_id >= (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY id) FROM sites)"
        for tampered_sites in ("site_id % 2 = 0", last_sites):
            # Every other site (the first part mostly changed: its rows are stored while the next parts are
            # computed), then only the later half (the first part unchanged: every part is computed, then
            # judged together; half the rows changed, so the table is rebuilt all the same).
            oid = db.execute("SELECT 'site_projects'::regclass::oid AS oid").fetchone()["oid"]
            db.execute(f"UPDATE site_projects SET status = 'NOT_CHECKED' WHERE {tampered_sites}")
            tampered = db.execute(f"SELECT count(*) AS n FROM site_projects WHERE {tampered_sites}").fetchone()["n"]
            written, drift = recompute_all(conn)
            assert written["site_projects_changed"] == drift.height == tampered > 0
            assert set(drift.columns) >= {"site_id", "project", "status"}
            assert written["site_projects_checked"] == len(settled)
            assert table(db) == settled
            assert db.execute("SELECT 'site_projects'::regclass::oid AS oid").fetchone()["oid"] != oid


def test_a_rebuild_stores_each_part_before_the_next_is_computed(portfolio, monkeypatch):
    """The parts after the first are computed as the COPY asks for them: no part's rows wait in memory for
    the parts after it."""
    events = []

    def computed(inputs):
        events.append("computed")
        return compute_statuses(inputs)

    def stored(rows):
        events.append("stored")
        return stored_slices(rows)

    stored_slices = statuses._stored_slices
    monkeypatch.setattr(recompute, "compute_statuses", computed)
    monkeypatch.setattr(statuses, "_stored_slices", stored)
    with psycopg.connect(portfolio, autocommit=True) as conn:
        written, _ = recompute_all(conn, rebuild=True)
    assert written["site_projects_changed"] > 0
    assert events == ["computed", "stored"] * SITE_PARTS


def test_a_full_recompute_of_no_site_writes_nothing_and_fails_nothing(database_url):
    with psycopg.connect(database_url, autocommit=True) as conn:
        assert [part.height for part in computed_parts(load_inputs(conn, None))] == [0]
        written, drift = recompute_all(conn)
    assert (written["site_projects_checked"], written["site_projects_changed"], drift.height) == (0, 0, 0)


def test_a_rebuilt_table_is_ready_for_reads_when_swapped_in(portfolio, db):
    """Filled beside the caller's transaction, so not frozen by its COPY: settled before the swap, every page
    is visible to all (index-only reads skip the table) and the planner has its statistics."""
    with psycopg.connect(portfolio, autocommit=True) as conn:
        refresh_status(conn, None, rebuild=True)
    settled = db.execute("SELECT relpages, relallvisible, reltuples FROM pg_class "
                         "WHERE oid = 'site_projects'::regclass").fetchone()
    rows = db.execute("SELECT count(*) AS n FROM site_projects").fetchone()["n"]
    assert settled["relpages"] > 0 and settled["relallvisible"] == settled["relpages"]
    assert settled["reltuples"] == rows
    analyzed = db.execute("SELECT last_analyze, last_vacuum FROM pg_stat_user_tables "
                          "WHERE relname = 'site_projects'").fetchone()
    assert analyzed["last_analyze"] is not None and analyzed["last_vacuum"] is not None


def test_a_rebuild_that_fails_while_filling_leaves_the_table_as_it_was_and_nothing_behind(portfolio, db):
    with psycopg.connect(portfolio, autocommit=True) as conn:
        refresh_status(conn, None, rebuild=False)
        before, oid = table(db), db.execute("SELECT 'site_projects'::regclass::oid AS oid").fetchone()["oid"]
        parts = computed_parts(load_inputs(conn, None))

        def failing() -> Iterator[pl.DataFrame]:
            yield stored_json(next(parts))
            raise RuntimeError("the status step failed half-way")

        with pytest.raises(RuntimeError, match="half-way"), conn.transaction():
            statuses.rebuild(conn, failing())
    assert table(db) == before
    assert db.execute("SELECT 'site_projects'::regclass::oid AS oid").fetchone()["oid"] == oid
    assert db.execute("SELECT count(*) AS n FROM pg_class WHERE relname LIKE 'site_projects_next%'"
                      ).fetchone()["n"] == 0


def test_a_table_a_killed_rebuild_left_is_dropped_by_the_next_one(portfolio, db):
    """A rebuild killed after its table was filled (committed beside) and before its swap leaves the table:
    the next rebuild, holding the rebuild's lock, replaces it."""
    db.execute("CREATE TABLE site_projects_next (LIKE site_projects INCLUDING ALL)")
    db.execute("INSERT INTO site_projects_next (site_id, project, modules) VALUES (-1, 'left_behind', 1)")
    with psycopg.connect(portfolio, autocommit=True) as conn:
        written = refresh_status(conn, None, rebuild=True)
    assert written["site_projects_changed"] > 0
    assert db.execute("SELECT count(*) AS n FROM site_projects WHERE project = 'left_behind'").fetchone()["n"] == 0
    assert db.execute("SELECT count(*) AS n FROM pg_class WHERE relname LIKE 'site_projects_next%'"
                      ).fetchone()["n"] == 0


def test_sites_stay_readable_from_the_swap_to_the_drop_of_the_replaced_table(portfolio, db):
    """The swap renames the current table aside; dropping it (its foreign key) locks `sites` against every
    reader, so that comes last in the transaction, after the summaries, not seconds before the commit."""
    with psycopg.connect(portfolio, autocommit=True) as conn:
        parts = computed_parts(load_inputs(conn, None))
        with conn.transaction():
            statuses.rebuild(conn, (stored_json(part) for part in parts))
            db.execute("SET lock_timeout = '200ms'")
            assert db.execute("SELECT count(*) AS n FROM sites").fetchone()["n"] > 0
            statuses.drop_replaced(conn)
            with pytest.raises(psycopg.errors.LockNotAvailable):
                db.execute("SELECT count(*) FROM sites")
        assert db.execute("SELECT count(*) AS n FROM sites").fetchone()["n"] > 0
    assert db.execute("SELECT count(*) AS n FROM pg_class WHERE relname LIKE 'site_projects\\_%'"
                      " AND relkind = 'r'").fetchone()["n"] == 0


def scanned(plan: dict) -> set[str]:
    """The relations a plan's scan nodes read."""
    found = {plan["Relation Name"]} if "Scan" in plan["Node Type"] and "Relation Name" in plan else set()
    return found.union(*(scanned(child) for child in plan.get("Plans", [])))


def test_exposures_recounted_into_an_empty_vacuumed_table_are_compared_before_any_is_written(portfolio, db):
    """A first computation writes every exposure into an empty table. The stored rows are compared with the
    fresh ones once, before the writes, so no statement reads the table it is growing (once, a scan per
    fresh row over what was inserted so far: minutes for 186k exposures)."""
    exposures = "SELECT advisory_id, site_id, project, installed_version, fixed_in, constraint_text, modules " \
                "FROM advisory_exposures ORDER BY 1, 2, 3"
    with psycopg.connect(portfolio, autocommit=True) as conn:
        refresh_status(conn, None)
        expected = db.execute(exposures).fetchall()
        assert len(expected) > 10
        db.execute("DELETE FROM advisory_exposures")
        db.execute("VACUUM advisory_exposures")
        with conn.transaction():
            summaries.EXPOSURES_STAGE(conn)
            plan = conn.execute(f"EXPLAIN (FORMAT JSON) {summaries.EXPOSURES_INSERT.text}").fetchone()[0][0]
            assert scanned(plan["Plan"]) == {"fresh_exposures"}
            raise psycopg.Rollback()
        with conn.transaction():
            written = summaries.rebuild(conn)
        assert written.advisory_exposures_written == len(expected)
        assert db.execute(exposures).fetchall() == expected
        # One stored row wrong, one missing: the one is updated, the other inserted, the rest left alone.
        wrong, missing = expected[0], expected[1]
        db.execute("UPDATE advisory_exposures SET fixed_in = 'wrong' WHERE (advisory_id, site_id, project) = "
                   "(%s, %s, %s)", (wrong["advisory_id"], wrong["site_id"], wrong["project"]))
        db.execute("DELETE FROM advisory_exposures WHERE (advisory_id, site_id, project) = (%s, %s, %s)",
                   (missing["advisory_id"], missing["site_id"], missing["project"]))
        with conn.transaction():
            written = summaries.rebuild(conn)
        assert written.advisory_exposures_written == 2
        assert db.execute(exposures).fetchall() == expected
