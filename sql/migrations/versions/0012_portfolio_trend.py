"""Daily points of the portfolio's problems, kept by the pipeline; indexes for the dashboard's reads.

- `portfolio_trend`: one row per day (UTC) with how many present projects
  are NOT_SECURE, REVOKED or known-vulnerable across the portfolio, how many
  sites have a known-vulnerable project or ended core coverage. The pipeline
  records today's point (again, as often as it likes: a later recording of
  the same day replaces it), so the trend is read, never recomputed from
  history that statuses do not keep.
- The dashboard's portfolio ranks every site by its trouble (the security
  summary) and core's security coverage: one row per site, read index-only
  from a partial index instead of visiting every project of the portfolio.
- A project's page lists the sites that have it: an index by project.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE portfolio_trend (
    day                        date PRIMARY KEY,
    sites                      integer NOT NULL,
    sites_in_trouble           integer NOT NULL,
    not_secure_projects        integer NOT NULL,
    revoked_projects           integer NOT NULL,
    known_vulnerable_projects  integer NOT NULL,
    known_vulnerable_sites     integer NOT NULL,
    coverage_ended_sites       integer NOT NULL,
    recorded_at                timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_site_projects_core_coverage ON site_projects (site_id) INCLUDE (security_coverage)
    WHERE project = 'drupal' AND removed_at IS NULL;
CREATE INDEX ix_site_projects_project ON site_projects (project, site_id);
"""

DOWNGRADE = """
DROP INDEX IF EXISTS ix_site_projects_project;
DROP INDEX IF EXISTS ix_site_projects_core_coverage;
DROP TABLE IF EXISTS portfolio_trend;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
