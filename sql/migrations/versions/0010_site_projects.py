"""Project-level update status: `site_projects`, one row per (site, project).

Drupal reports projects: the modules of one project (views, views_ui) share
one version and one status, and the project's dev datestamp is the largest of
its modules'. The status of a site's project is stored once here, on a narrow
table with few indexes, so a full recompute writes one row per project instead
of one per module, and the inventory merge never pays for status indexes.

- `version`: the project's installed version as Drupal picks it from its
  modules; `datestamp`: the largest of its present modules'.
- `removed_at`: set when every module of the project is removed.
- `security_coverage`: core only, `{until_version | until_date,
  additional_minors, state}`; NULL elsewhere.
- `in_trouble`: a present project that is NOT_SECURE, REVOKED or
  known-vulnerable, defined once here as on site_modules.

Backfill: one row per (site, project) of the existing site modules, NOT_CHECKED
and never checked, so the platform's first status refresh (or the daily
reconciliation) computes every stored status under the current rules.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

from alembic import op

from foundation.vocabulary import TROUBLE_STATUSES, Status, sql_in_list

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

UPGRADE = f"""
CREATE TABLE site_projects (
    site_id                    bigint NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    project                    varchar(255) NOT NULL,
    version                    varchar(50),
    datestamp                  bigint,
    status                     varchar(16) NOT NULL DEFAULT 'NOT_CHECKED'
                               CONSTRAINT ck_site_projects_status CHECK (status IN {sql_in_list(Status)}),
    status_reason              text,
    latest_version             varchar(50),
    recommended_version        varchar(50),
    also_available             text[] NOT NULL DEFAULT '{{}}',
    security_updates           text[] NOT NULL DEFAULT '{{}}',
    update_available           boolean NOT NULL DEFAULT false,
    security_update_available  boolean NOT NULL DEFAULT false,
    known_vulnerable           boolean NOT NULL DEFAULT false,
    advisories                 jsonb NOT NULL DEFAULT '[]'::jsonb,
    security_coverage          jsonb,
    removed_at                 timestamptz,
    status_checked_at          timestamptz,
    in_trouble                 boolean NOT NULL
        GENERATED ALWAYS AS (removed_at IS NULL
                             AND (status IN {sql_in_list(TROUBLE_STATUSES)} OR known_vulnerable)) STORED,
    PRIMARY KEY (site_id, project)
);
-- The security report and the summaries read only the projects in trouble.
CREATE INDEX ix_site_projects_trouble ON site_projects (project, site_id) WHERE in_trouble;

INSERT INTO site_projects (site_id, project, version, datestamp, removed_at)
SELECT sm.site_id, sm.project,
       -- a present module speaks for the project: the one named after it, else the first by name
       (array_agg(v.version_string ORDER BY sm.removed_at IS NULL DESC, m.machine_name = sm.project DESC,
                                     m.machine_name))[1],
       max(sm.datestamp) FILTER (WHERE sm.removed_at IS NULL),
       CASE WHEN bool_and(sm.removed_at IS NOT NULL) THEN max(sm.removed_at) END
FROM site_modules sm
JOIN modules m ON m.id = sm.module_id
JOIN module_versions v ON v.id = sm.current_version_id
GROUP BY sm.site_id, sm.project;
"""

DOWNGRADE = """
DROP TABLE site_projects;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
