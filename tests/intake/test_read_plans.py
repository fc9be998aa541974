"""The read statements use indexes, never a full scan of site_modules or site_projects, on a population large
enough to tell.

A synthetic portfolio (600 sites x 80 modules, 1.5 % of them in trouble) is
written with generate_series and ANALYZEd; each key statement is EXPLAINed
with real parameters. Plans, not timings: the timings at 10,000 x 300 are
measured by hand (see the README) and depend on the machine.
"""

import json
import re

import psycopg
import pytest

from sql import store
from sql.query import Statement
from tests.support.population import Population, load_population

BIG_TABLES = {"site_modules", "site_module_events", "site_projects"}


@pytest.fixture
def population(db) -> list[int]:
    site_ids = load_population(db, Population(sites=600, modules_per_site=80, catalog=500, core_modules=20,
                                              versions=8, insecure_permille=15, events_per_module=2))
    with db.transaction():
        store.summaries.rebuild(db)
    db.execute("VACUUM ANALYZE site_modules")  # VACUUM too: index-only scans need the visibility map
    db.execute("VACUUM ANALYZE site_projects")
    db.execute("VACUUM ANALYZE site_module_events")
    db.execute("ANALYZE")
    return site_ids


def plan_nodes(db, statement: Statement, params: dict) -> list[dict]:
    (row,) = db.execute("EXPLAIN (FORMAT JSON) " + statement.text, params).fetchall()
    plan = row["QUERY PLAN"]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    nodes, stack = [], [plan[0]["Plan"]]
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(node.get("Plans", []))
    return nodes


def subtree(node: dict) -> list[dict]:
    nodes, stack = [], [node]
    while stack:
        nodes.append(stack.pop())
        stack.extend(nodes[-1].get("Plans", []))
    return nodes


def scans(nodes: list[dict]) -> set[tuple[str, str, str | None]]:
    return {(n["Node Type"], n["Relation Name"], n.get("Index Name")) for n in nodes if "Relation Name" in n}


def assert_indexed(db, statement: Statement, params: dict, *expected_indexes: str) -> None:
    name = statement.name
    found = scans(plan_nodes(db, statement, params))
    full = [scan for scan in found if scan[0] == "Seq Scan" and scan[1] in BIG_TABLES]
    assert not full, f"{name} scans a whole big table: {sorted(found, key=str)}"
    used = {index for _, _, index in found}
    assert set(expected_indexes) <= used, f"{name} does not use {expected_indexes}: {sorted(found, key=str)}"


SITE_MODULE_FILTERS = {"token_hash": None, "statuses": None, "update_available": None, "security_update": None,
                       "known_vulnerable": None, "module_type": None, "include_removed": False, "limit": 50,
                       "offset": 0}


def test_the_security_report_reads_only_the_summaries(db, population):
    assert db.execute("SELECT count(*) AS n FROM site_security_summary").fetchone()["n"] > 200
    for offset in (0, 200):
        found = scans(plan_nodes(db, store.summaries.report_sites, {"limit": 50, "offset": offset}))
        # advisory_exposures is the summary of which advisories each site is exposed to, kept beside the counts.
        assert {relation for _, relation, _ in found} == {"site_security_summary", "sites", "advisory_exposures"}, found
        assert ("Index Scan", "site_security_summary", "site_security_summary_pkey") in found, found
    # One row per project in trouble somewhere, a few dozen here: read whole and sorted, or from the top
    # of ix_project_security_summary_affected when the catalogue is large. Either way, no site_projects.
    found = scans(plan_nodes(db, store.summaries.report_projects, {"projects_limit": 50}))
    # The advisories named per project come from the advisory tables (osv_ranges, advisory_exposures).
    assert {relation for _, relation, _ in found} == {"project_security_summary", "osv_ranges",
                                                      "advisory_exposures"}, found
    # The sites whose core coverage ended: the list and the total from a covering partial index alone.
    found = scans(plan_nodes(db, store.summaries.report_coverage, {"coverage_limit": 50}))
    assert {scan for scan in found if scan[1] == "site_projects"} == {
        ("Index Only Scan", "site_projects", "ix_site_projects_coverage_report")}, found


def test_the_security_reports_advisories_per_site_are_read_from_an_index(db, population):
    # Ten advisories out against every site: a site's advisories come in order from the index that holds
    # them beside the site, no exposure row visited.
    db.execute("INSERT INTO osv_advisories (id, summary, details, modified, source) "
               "SELECT format('DRUPAL-CONTRIB-%s', n), 'x', 'x', now(), 'test' FROM generate_series(1, 10) AS n")
    db.execute("INSERT INTO advisory_exposures (advisory_id, site_id, project, modules) "
               "SELECT a.id, s.id, 'pop_000007', 1 FROM osv_advisories a CROSS JOIN sites s")
    db.execute("VACUUM ANALYZE advisory_exposures")
    found = scans(plan_nodes(db, store.summaries.report_sites, {"limit": 50, "offset": 200}))
    assert {scan for scan in found if scan[1] == "advisory_exposures"} == {
        ("Index Only Scan", "advisory_exposures", "ix_advisory_exposures_site_advisory")}, found


def test_the_security_summaries_are_kept_from_the_projects_in_trouble(db, population):
    chosen = {"site_ids": population[300:301], "projects": []}
    assert_indexed(db, store.summaries.SITES_REFRESH, chosen)
    assert_indexed(db, store.summaries.PROJECTS_REFRESH, chosen, "ix_site_projects_trouble")
    assert_indexed(db, store.summaries.EXPOSURES_REFRESH, {"site_ids": population[300:301]})
    # A site deletion recounts the projects the site had, by name.
    its_projects = [row["project"] for row in db.execute(
        "SELECT project FROM site_projects WHERE site_id = %s", (population[300],))]
    assert_indexed(db, store.summaries.PROJECTS_REFRESH, {"site_ids": [], "projects": its_projects},
                   "ix_site_projects_trouble")


def test_a_sites_modules_and_projects(db, population):
    for filters in ({}, {"statuses": ["NOT_SECURE", "REVOKED"]}, {"update_available": True, "module_type": "contrib"},
                    {"include_removed": True, "known_vulnerable": True, "offset": 40}):
        params = {**SITE_MODULE_FILTERS, "site_id": population[300], **filters}
        assert_indexed(db, store.site_modules.PAGE, params)
        nodes = plan_nodes(db, store.site_modules.PAGE, params)
        assert any(n.get("Relation Name") == "site_modules" and "Index" in n["Node Type"] for n in nodes)
        params.pop("module_type")
        assert_indexed(db, store.site_modules.PROJECTS_PAGE, params)
        # By the key, or for the present projects by the (smaller) index the counts read.
        assert {index for _, relation, index in scans(plan_nodes(db, store.site_modules.PROJECTS_PAGE, params))
                if relation == "site_projects"} & {"site_projects_pkey", "ix_site_projects_counts"}


SITE_ORDER_INDEXES = {"id": "sites_pkey", "-id": "sites_pkey", "name": "ix_sites_lower_name",
                      "-name": "ix_sites_lower_name", "last_sync_at": "ix_sites_last_sync",
                      "-last_sync_at": "ix_sites_last_sync", "security_updates": "ix_site_projects_security_updates",
                      "-security_updates": "ix_site_projects_security_updates"}
# A site's counts: its present modules from the tally the site_modules triggers keep (one row), and its
# present projects' flags from a covering index; a heap visit per row costs a page of fifty sites tens of
# ms, and counting each site's index entries a few more.
COUNT_SCANS = {("Index Only Scan", "site_projects", "ix_site_projects_counts")}


def assert_counted_from_indexes(nodes: list[dict]) -> None:
    found = scans(nodes)
    assert found >= COUNT_SCANS, sorted(found, key=str)
    assert "site_present_modules" in {relation for _, relation, _ in found}, sorted(found, key=str)
    assert not {scan for scan in found if scan[1] == "site_modules"}, found
    assert {scan for scan in found if scan[1] == "site_projects"} <= {
        ("Index Only Scan", "site_projects", "ix_site_projects_counts"),
        ("Index Only Scan", "site_projects", "ix_site_projects_security_updates")}, found


def test_sites_and_history(db, population):
    for sort, index in SITE_ORDER_INDEXES.items():
        params = {"sort": sort, "limit": 50, "offset": 200, "stale_after_hours": 48}
        assert_indexed(db, store.sites.PAGE, params, index)
        nodes = plan_nodes(db, store.sites.PAGE, params)
        assert_counted_from_indexes(nodes)
        if "security" not in sort:
            # The page walks its order's index as far as the page; it never ranks every site.
            assert not any(n["Node Type"] == "WindowAgg" and n.get("Plan Rows", 0) > 250 for n in nodes), sort
    site_id = population[10]
    assert_indexed(db, store.sites.GET, {"site_id": site_id, "token_hash": None, "stale_after_hours": 48})
    assert_counted_from_indexes(plan_nodes(db, store.sites.GET,
                                           {"site_id": site_id, "token_hash": None, "stale_after_hours": 48}))
    history = {"site_id": site_id, "token_hash": None, "module": None, "events": None, "since": None, "until": None,
               "limit": 50, "offset": 0}
    assert_indexed(db, store.history.PAGE, history, "ix_site_module_events_site_time")
    assert_indexed(db, store.history.PAGE, {**history, "module": "pop_000003", "events": ["added"]})


def test_the_catalogue(db, population):
    # A module's site count is its tally (at most 16 rows), never a count of its site modules.
    page = {"module_type": None, "project": None, "search": None, "limit": 50, "offset": 0}
    assert_indexed(db, store.catalogue.PAGE, page, "module_site_tally_pkey")
    assert "site_modules" not in {relation for _, relation, _ in scans(plan_nodes(db, store.catalogue.PAGE, page))}
    one = {"machine_name": "pop_000007", "limit": 100, "offset": 0}
    assert_indexed(db, store.catalogue.GET, {"machine_name": "pop_000007"}, "module_site_tally_pkey")
    assert "site_modules" not in {relation for _, relation, _ in
                                  scans(plan_nodes(db, store.catalogue.GET, {"machine_name": "pop_000007"}))}
    assert_indexed(db, store.catalogue.VERSIONS_PAGE, one)
    assert_indexed(db, store.catalogue.SITES_USING, one)
    assert_indexed(db, store.catalogue.SITES_NOT_USING, one)


def catalogue_total(db, **filters) -> int:
    params = {"module_type": None, "project": None, "search": None, "limit": 1, "offset": 0} | filters
    return store.catalogue.page(db, **params)[0].total


def add_modules(conn, prefix: str, count: int) -> None:
    conn.execute("INSERT INTO modules (machine_name, display_name, module_type, project) "
                 "SELECT %s || n, %s || n, 'custom', %s || n FROM generate_series(1, %s) AS n",
                 (prefix, prefix, prefix, count))


def test_the_catalogue_total_is_a_tally_kept_exact(db, database_url):
    db.autocommit = True
    assert catalogue_total(db) == 0
    add_modules(db, "a_", 30)
    db.execute("INSERT INTO modules (machine_name, display_name, module_type, project) "
               "VALUES ('a_1', 'again', 'custom', 'a_1') ON CONFLICT DO NOTHING")  # no row added, none counted
    # Writers on other connections (other slots, mostly), one rolled back, one the bulk loader's way.
    with psycopg.connect(database_url, autocommit=True) as other, psycopg.connect(database_url) as rolled_back:
        add_modules(other, "b_", 12)
        add_modules(rolled_back, "c_", 7)
        rolled_back.rollback()
        with other.transaction():
            other.execute("SET LOCAL session_replication_role = replica")
            add_modules(other, "d_", 5)
    db.execute("DELETE FROM modules WHERE machine_name LIKE 'a\\_%%' AND length(machine_name) = 3")  # a_1..a_9
    expected = db.execute("SELECT count(*) AS n FROM modules").fetchone()["n"]
    assert expected == 30 + 12 + 5 - 9
    assert catalogue_total(db) == expected
    # The filtered totals still count the matching modules.
    assert catalogue_total(db, search="b_") == 12
    # The unfiltered page reads the tally, not the catalogue.
    nodes = plan_nodes(db, store.catalogue.PAGE, {"module_type": None, "project": None, "search": None,
                                                  "limit": 50, "offset": 0})
    assert "module_tally" in {relation for _, relation, _ in scans(nodes)}
    counted = {relation for node in nodes if node["Node Type"] == "Aggregate"
               for _, relation, _ in scans(subtree(node))}
    assert "modules" not in counted, counted
    db.execute("TRUNCATE modules CASCADE")
    assert catalogue_total(db) == 0


def generic_plan_nodes(db, statement: Statement, params: dict) -> list[dict]:
    """The plan a prepared statement settles on after a few runs: one for every parameter value."""
    names: list[str] = []

    def placeholder(match: re.Match) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    text = re.sub(r"%\((\w+)\)s", placeholder, statement.text).replace("%%", "%")
    db.execute("SET plan_cache_mode = force_generic_plan")
    db.execute("DEALLOCATE ALL")
    db.execute(f"PREPARE generic_read AS {text}".encode())
    arguments = ", ".join("NULL" if params[name] is None else f"'{params[name]}'" for name in names)
    try:
        (row,) = db.execute(f"EXPLAIN (FORMAT JSON) EXECUTE generic_read({arguments})".encode()).fetchall()
    finally:
        db.execute("DEALLOCATE generic_read")
        db.execute("RESET plan_cache_mode")
    plan = row["QUERY PLAN"]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return subtree(plan[0]["Plan"])


def test_the_catalogue_page_walks_its_index_in_a_generic_plan(db, population):
    # The intake's statements are prepared; a generic plan cannot tell that the filters are off, and once
    # sorted the whole catalogue for every page.
    db.autocommit = True
    nodes = generic_plan_nodes(db, store.catalogue.PAGE, {"module_type": None, "project": None, "search": None,
                                                          "limit": 50, "offset": 0})
    assert ("Index Scan", "modules", "modules_machine_name_key") in scans(nodes), scans(nodes)
