"""Reads at scale: a page of sites reads its own sites' rows, from indexes alone.

- The list of sites sorts by id, by name (case-insensitive) or by the last
  sync, each either way; with an index per order a page walks the index as far
  as the page instead of ranking every site. They are on `sites`, one row per
  site, so neither the merge nor the status step pays for them.
- `site_module_counts()` counts a site's present modules as all its rows
  (index-only) less its removed ones (a partial index holding only removed
  rows, which the merge touches only when a module goes), and its projects'
  counts from a covering partial index of the present projects: a page of
  fifty sites no longer visits some 25,000 heap rows. Index-only scans need
  the visibility map, which (auto)vacuum keeps.
- The catalogue's unfiltered total is a tally kept as modules come and go,
  not a count of every module per page (custom modules make it hundreds of
  thousands). Statement triggers add each statement's rows to the row of the
  writer's slot (its backend pid modulo 16), so concurrent writers seldom wait
  on one another and a transaction only ever locks one row; the total is the
  sum of at most 16 rows, exact under MVCC as the rows commit with the
  modules. The triggers fire ALWAYS, also under the bulk loader's
  `session_replication_role = replica`.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

COUNTS_SIGNATURE = """site_module_counts(wanted_site_id bigint)
RETURNS TABLE (modules bigint, updates_available bigint, security_updates bigint, known_vulnerable bigint,
               projects bigint, projects_updates_available bigint, projects_security_updates bigint,
               projects_known_vulnerable bigint, projects_in_trouble bigint)
LANGUAGE sql STABLE"""

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

UPGRADE = f"""
-- INCLUDE (name): an expression index serves an index-only scan only with the column itself.
CREATE INDEX ix_sites_lower_name ON sites (lower(name), id) INCLUDE (name);
CREATE INDEX ix_sites_last_sync ON sites (last_sync_at ASC NULLS FIRST, id);
-- Every row has a site_id: naming it keeps the index to lookups by site (a lookup by site proves it, one by
-- module does not, and takes ix_site_modules_removed_module instead of filtering this whole index).
CREATE INDEX ix_site_modules_removed_site ON site_modules (site_id)
    WHERE removed_at IS NOT NULL AND site_id IS NOT NULL;
CREATE INDEX ix_site_projects_counts ON site_projects (site_id)
    INCLUDE (modules, update_available, security_update_available, known_vulnerable, in_trouble)
    WHERE removed_at IS NULL;
CREATE TABLE module_tally (
    slot     integer PRIMARY KEY,
    modules  bigint NOT NULL
);
INSERT INTO module_tally (slot, modules) SELECT 0, count(*) FROM modules;
CREATE FUNCTION module_tally_add() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO module_tally AS tally (slot, modules)
    SELECT pg_backend_pid() % 16, count(*) FROM added HAVING count(*) > 0
    ON CONFLICT (slot) DO UPDATE SET modules = tally.modules + EXCLUDED.modules;
    RETURN NULL;
END
$$;
CREATE FUNCTION module_tally_remove() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO module_tally AS tally (slot, modules)
    SELECT pg_backend_pid() % 16, -count(*) FROM removed HAVING count(*) > 0
    ON CONFLICT (slot) DO UPDATE SET modules = tally.modules + EXCLUDED.modules;
    RETURN NULL;
END
$$;
CREATE FUNCTION module_tally_clear() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    DELETE FROM module_tally;
    RETURN NULL;
END
$$;
CREATE TRIGGER modules_tally_add AFTER INSERT ON modules REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION module_tally_add();
CREATE TRIGGER modules_tally_remove AFTER DELETE ON modules REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION module_tally_remove();
CREATE TRIGGER modules_tally_clear AFTER TRUNCATE ON modules
    FOR EACH STATEMENT EXECUTE FUNCTION module_tally_clear();
ALTER TABLE modules ENABLE ALWAYS TRIGGER modules_tally_add;
ALTER TABLE modules ENABLE ALWAYS TRIGGER modules_tally_remove;
ALTER TABLE modules ENABLE ALWAYS TRIGGER modules_tally_clear;
CREATE OR REPLACE FUNCTION {COUNTS_SIGNATURE}
AS $$
    -- every present module, whether its project's status is computed yet or not
    SELECT (SELECT count(*) FROM site_modules sm WHERE sm.site_id = wanted_site_id)
           - (SELECT count(*) FROM site_modules sm WHERE sm.site_id = wanted_site_id AND sm.removed_at IS NOT NULL),
{PROJECT_COUNTS}
$$;
"""

DOWNGRADE = f"""
CREATE OR REPLACE FUNCTION {COUNTS_SIGNATURE}
AS $$
    SELECT (SELECT count(*) FROM site_modules sm WHERE sm.site_id = wanted_site_id AND sm.removed_at IS NULL),
{PROJECT_COUNTS}
$$;
DROP TRIGGER modules_tally_clear ON modules;
DROP TRIGGER modules_tally_remove ON modules;
DROP TRIGGER modules_tally_add ON modules;
DROP FUNCTION module_tally_clear();
DROP FUNCTION module_tally_remove();
DROP FUNCTION module_tally_add();
DROP TABLE module_tally;
DROP INDEX ix_site_projects_counts;
DROP INDEX ix_site_modules_removed_site;
DROP INDEX ix_sites_last_sync;
DROP INDEX ix_sites_lower_name;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
