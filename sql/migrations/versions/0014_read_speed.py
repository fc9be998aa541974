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
DROP INDEX ix_site_projects_counts;
DROP INDEX ix_site_modules_removed_site;
DROP INDEX ix_sites_last_sync;
DROP INDEX ix_sites_lower_name;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
