"""Reads at scale: the catalogue's site counts and the security report from a few rows each.

- A module's site count is a tally kept as site modules come, go and come
  back (`module_site_tally`), not a count of its index entries per read: a
  popular module is on every site, and a catalogue page of fifty modules
  counted up to half a million entries. Statement triggers with transition
  tables add each statement's net change per module to the row of its slot.
  The slot is the site's id modulo 16, not the writer's backend: ingest
  shards are sites by id modulo the shard count, so with 1, 2, 4, 8 or 16
  shards two shards never write the same row, and a shard's transaction, which
  may update a module's row in several statements, never waits on another's.
  A count is the sum of at most 16 rows, exact under MVCC as the rows commit
  with the site modules.
- The same triggers keep each site's count of present modules
  (`site_present_modules`, one row per site, written only by the shard that
  has the site), so `site_module_counts()` reads one row instead of counting
  the site's some 300 index entries: a page of fifty sites counted 15,000.
- The triggers fire ALWAYS, also under the bulk loader's
  `session_replication_role = replica`.
- The report's sites whose core coverage ended or is ending come from a
  covering partial index in the report's order (ended first, then by site):
  the list reads its first rows and the total counts index entries, instead
  of visiting some 4,000 rows of `site_projects` and sorting them. It replaces
  the partial index of migration 0010 on the same rows, so the status step
  keeps one index to update for them.
- The advisories of each site in the report come from `advisory_exposures`'
  site index with the advisory id beside the site (replacing the site-only
  index): read in order from the index, not a heap page per exposure.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

COUNTS_SIGNATURE = """site_module_counts(wanted_site_id bigint)
RETURNS TABLE (modules bigint, updates_available bigint, security_updates bigint, known_vulnerable bigint,
               projects bigint, projects_updates_available bigint, projects_security_updates bigint,
               projects_known_vulnerable bigint, projects_in_trouble bigint)
LANGUAGE sql STABLE"""

# The projects' counts, as migration 0014 reads them: from the covering partial index of present projects.
PROJECT_COUNTS = """
           coalesce(sum(sp.modules) FILTER (WHERE sp.update_available), 0)::bigint,
           coalesce(sum(sp.modules) FILTER (WHERE sp.security_update_available), 0)::bigint,
           coalesce(sum(sp.modules) FILTER (WHERE sp.known_vulnerable), 0)::bigint,
           count(*),
           count(*) FILTER (WHERE sp.update_available),
           count(*) FILTER (WHERE sp.security_update_available),
           count(*) FILTER (WHERE sp.known_vulnerable),
           count(*) FILTER (WHERE sp.in_trouble)
    FROM site_projects sp
    WHERE sp.site_id = wanted_site_id AND sp.removed_at IS NULL"""


def tally(changes: str) -> str:
    """The statements adding a trigger's `changes` (rows of module_id, site_id and delta) to both tallies,
    each in key order."""
    return f"""
    INSERT INTO module_site_tally AS tally (module_id, slot, sites)
    SELECT module_id, (site_id % 16)::integer, sum(delta)
    FROM ({changes}) AS changed
    GROUP BY 1, 2
    HAVING sum(delta) <> 0
    ORDER BY 1, 2
    ON CONFLICT (module_id, slot) DO UPDATE SET sites = tally.sites + EXCLUDED.sites;
    INSERT INTO site_present_modules AS present (site_id, modules)
    SELECT site_id, sum(delta)
    FROM ({changes}) AS changed
    GROUP BY 1
    HAVING sum(delta) <> 0
    ORDER BY 1
    ON CONFLICT (site_id) DO UPDATE SET modules = present.modules + EXCLUDED.modules;"""


# The present rows a statement added, and (less the present rows it changed) those it left present.
INSERTED = "SELECT module_id, site_id, 1 AS delta FROM added WHERE removed_at IS NULL"
UPDATED = """SELECT module_id, site_id, 1 AS delta FROM after_change WHERE removed_at IS NULL
          UNION ALL
          SELECT module_id, site_id, -1 FROM before_change WHERE removed_at IS NULL"""

UPGRADE = f"""
-- Half-full pages: a count's new row version fits on its page (a HOT update, no new index entry),
-- which makes the triggers' upserts about a quarter cheaper.
CREATE TABLE module_site_tally (
    module_id  bigint NOT NULL REFERENCES modules (id) ON DELETE CASCADE,
    slot       integer NOT NULL,
    sites      bigint NOT NULL,
    PRIMARY KEY (module_id, slot)
) WITH (fillfactor = 50);
CREATE TABLE site_present_modules (
    site_id  bigint PRIMARY KEY REFERENCES sites (id) ON DELETE CASCADE,
    modules  bigint NOT NULL
) WITH (fillfactor = 50);
-- Present rows only: a removed site module no longer counts, and counts again when it comes back.
CREATE FUNCTION site_modules_tally_add() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN{tally(INSERTED)}
    RETURN NULL;
END
$$;
-- Removing and restoring are updates of removed_at; most updates change neither (a new version), and
-- count nothing. module_id and site_id are never updated: they are the row's unique key.
CREATE FUNCTION site_modules_tally_change() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN{tally(UPDATED)}
    RETURN NULL;
END
$$;
-- Site modules are deleted with their site or their module, whose own tally rows go with it (ON DELETE
-- CASCADE), whichever cascade runs first: they are not written again.
CREATE FUNCTION site_modules_tally_remove() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO module_site_tally AS tally (module_id, slot, sites)
    SELECT gone.module_id, (gone.site_id % 16)::integer, -count(*)
    FROM removed AS gone
    WHERE gone.removed_at IS NULL AND EXISTS (SELECT FROM modules m WHERE m.id = gone.module_id)
    GROUP BY 1, 2
    ORDER BY 1, 2
    ON CONFLICT (module_id, slot) DO UPDATE SET sites = tally.sites + EXCLUDED.sites;
    INSERT INTO site_present_modules AS present (site_id, modules)
    SELECT gone.site_id, -count(*)
    FROM removed AS gone
    WHERE gone.removed_at IS NULL AND EXISTS (SELECT FROM sites s WHERE s.id = gone.site_id)
    GROUP BY 1
    ORDER BY 1
    ON CONFLICT (site_id) DO UPDATE SET modules = present.modules + EXCLUDED.modules;
    RETURN NULL;
END
$$;
CREATE FUNCTION site_modules_tally_clear() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    DELETE FROM module_site_tally;
    DELETE FROM site_present_modules;
    RETURN NULL;
END
$$;
CREATE TRIGGER site_modules_tally_add AFTER INSERT ON site_modules REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION site_modules_tally_add();
CREATE TRIGGER site_modules_tally_change AFTER UPDATE ON site_modules
    REFERENCING OLD TABLE AS before_change NEW TABLE AS after_change
    FOR EACH STATEMENT EXECUTE FUNCTION site_modules_tally_change();
CREATE TRIGGER site_modules_tally_remove AFTER DELETE ON site_modules REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION site_modules_tally_remove();
CREATE TRIGGER site_modules_tally_clear AFTER TRUNCATE ON site_modules
    FOR EACH STATEMENT EXECUTE FUNCTION site_modules_tally_clear();
ALTER TABLE site_modules ENABLE ALWAYS TRIGGER site_modules_tally_add;
ALTER TABLE site_modules ENABLE ALWAYS TRIGGER site_modules_tally_change;
ALTER TABLE site_modules ENABLE ALWAYS TRIGGER site_modules_tally_remove;
ALTER TABLE site_modules ENABLE ALWAYS TRIGGER site_modules_tally_clear;
-- Counted after the triggers exist: creating them locked out writers until this commits.
INSERT INTO module_site_tally (module_id, slot, sites)
SELECT module_id, (site_id % 16)::integer, count(*)
FROM site_modules
WHERE removed_at IS NULL
GROUP BY 1, 2;
INSERT INTO site_present_modules (site_id, modules)
SELECT site_id, count(*)
FROM site_modules
WHERE removed_at IS NULL
GROUP BY 1;
CREATE OR REPLACE FUNCTION {COUNTS_SIGNATURE}
AS $$
    -- every present module, whether its project's status is computed yet or not
    SELECT coalesce((SELECT present.modules FROM site_present_modules present
                     WHERE present.site_id = wanted_site_id), 0),
{PROJECT_COUNTS}
$$;

-- In the report's order: ended first, then by site.
CREATE INDEX ix_site_projects_coverage_report ON site_projects
    (((security_coverage ->> 'state') = 'ending_soon'), site_id) INCLUDE (version, security_coverage)
    WHERE removed_at IS NULL AND security_coverage ->> 'state' IN ('ended', 'ending_soon');
DROP INDEX ix_site_projects_coverage;

CREATE INDEX ix_advisory_exposures_site_advisory ON advisory_exposures (site_id, advisory_id);
DROP INDEX ix_advisory_exposures_site;
"""

DOWNGRADE = f"""
CREATE INDEX ix_advisory_exposures_site ON advisory_exposures (site_id);
DROP INDEX ix_advisory_exposures_site_advisory;
CREATE INDEX ix_site_projects_coverage ON site_projects (site_id)
    WHERE removed_at IS NULL AND security_coverage ->> 'state' IN ('ended', 'ending_soon');
DROP INDEX ix_site_projects_coverage_report;
CREATE OR REPLACE FUNCTION {COUNTS_SIGNATURE}
AS $$
    SELECT (SELECT count(*) FROM site_modules sm WHERE sm.site_id = wanted_site_id)
           - (SELECT count(*) FROM site_modules sm WHERE sm.site_id = wanted_site_id AND sm.removed_at IS NOT NULL),
{PROJECT_COUNTS}
$$;
DROP TRIGGER site_modules_tally_clear ON site_modules;
DROP TRIGGER site_modules_tally_remove ON site_modules;
DROP TRIGGER site_modules_tally_change ON site_modules;
DROP TRIGGER site_modules_tally_add ON site_modules;
DROP FUNCTION site_modules_tally_clear();
DROP FUNCTION site_modules_tally_remove();
DROP FUNCTION site_modules_tally_change();
DROP FUNCTION site_modules_tally_add();
DROP TABLE site_present_modules;
DROP TABLE module_site_tally;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
