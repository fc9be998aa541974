"""Project-level update status: `site_projects`, one row per (site, project).

Drupal reports projects: the modules of one project (views, views_ui) share
one version and one status, and the project's dev datestamp is the largest of
its present modules'. The status of a site's project is stored once here, on a
narrow table with few indexes, so a full recompute writes one row per project
instead of one per module, and the inventory merge never pays for status
indexes: the status columns leave `site_modules`, whose reads join
`site_projects` on (site_id, project).

- `version`: the project's installed version as Drupal picks it from its
  modules; `datestamp`: the largest of its present modules'; `modules`: how
  many of its modules are present (what the per-module counts add up).
- `removed_at`: set when every module of the project is removed.
- `security_coverage`: core only, `{until_version | until_date,
  additional_minors, state}`; NULL elsewhere.
- `in_trouble`: a present project that is NOT_SECURE, REVOKED or
  known-vulnerable, defined once here as it was on site_modules.

The security summaries follow: `site_security_summary` counts projects in
trouble (and the modules they include), `project_security_summary` replaces
the per-module one, and `site_module_counts()` counts projects as well.

Backfill: one row per (site, project) of the existing site modules, NOT_CHECKED
and never checked, so the platform's first status refresh (or the daily
reconciliation) computes every stored status under the current rules; the
summaries start empty for the same reason.

`security_update_available(site_modules)` keeps `sm.security_update_available`
readable on a site module (PostgreSQL's attribute notation for a function of
the row): the module's project says.

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
    modules                    integer NOT NULL DEFAULT 0,
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

INSERT INTO site_projects (site_id, project, version, datestamp, modules, removed_at)
SELECT sm.site_id, sm.project,
       -- a present module speaks for the project: the one named after it, else the first by name
       (array_agg(v.version_string ORDER BY sm.removed_at IS NULL DESC, m.machine_name = sm.project DESC,
                                     m.machine_name))[1],
       max(sm.datestamp) FILTER (WHERE sm.removed_at IS NULL),
       count(*) FILTER (WHERE sm.removed_at IS NULL),
       CASE WHEN bool_and(sm.removed_at IS NOT NULL) THEN max(sm.removed_at) END
FROM site_modules sm
JOIN modules m ON m.id = sm.module_id
JOIN module_versions v ON v.id = sm.current_version_id
GROUP BY sm.site_id, sm.project;
-- Sorting sites by their projects with a security update counts only those rows.
CREATE INDEX ix_site_projects_security_updates ON site_projects (site_id)
    WHERE removed_at IS NULL AND security_update_available;
-- The report's list of sites whose core coverage has ended or ends with the next minor.
CREATE INDEX ix_site_projects_coverage ON site_projects (site_id)
    WHERE removed_at IS NULL AND security_coverage ->> 'state' IN ('ended', 'ending_soon');

ALTER TABLE site_modules
    DROP COLUMN in_trouble,
    DROP COLUMN status,
    DROP COLUMN status_reason,
    DROP COLUMN recommended_version,
    DROP COLUMN also_available,
    DROP COLUMN security_updates,
    DROP COLUMN update_available,
    DROP COLUMN security_update_available,
    DROP COLUMN known_vulnerable,
    DROP COLUMN advisories,
    DROP COLUMN status_checked_at,
    DROP COLUMN latest_version_id;
-- A project's modules on a site, for the joins both ways.
CREATE INDEX ix_site_modules_site_project ON site_modules (site_id, project);

CREATE FUNCTION security_update_available(site_modules) RETURNS boolean
LANGUAGE sql STABLE
AS $$
    SELECT coalesce((SELECT sp.security_update_available FROM site_projects sp
                     WHERE sp.site_id = $1.site_id AND sp.project = $1.project), false)
$$;

DROP FUNCTION site_module_counts(bigint);
CREATE FUNCTION site_module_counts(wanted_site_id bigint)
RETURNS TABLE (modules bigint, updates_available bigint, security_updates bigint, known_vulnerable bigint,
               projects bigint, projects_updates_available bigint, projects_security_updates bigint,
               projects_known_vulnerable bigint, projects_in_trouble bigint)
LANGUAGE sql STABLE
AS $$
    -- every present module, whether its project's status is computed yet or not
    SELECT (SELECT count(*) FROM site_modules sm WHERE sm.site_id = wanted_site_id AND sm.removed_at IS NULL),
           coalesce(sum(sp.modules) FILTER (WHERE sp.update_available), 0)::bigint,
           coalesce(sum(sp.modules) FILTER (WHERE sp.security_update_available), 0)::bigint,
           coalesce(sum(sp.modules) FILTER (WHERE sp.known_vulnerable), 0)::bigint,
           count(*),
           count(*) FILTER (WHERE sp.update_available),
           count(*) FILTER (WHERE sp.security_update_available),
           count(*) FILTER (WHERE sp.known_vulnerable),
           count(*) FILTER (WHERE sp.in_trouble)
    FROM site_projects sp
    WHERE sp.site_id = wanted_site_id AND sp.removed_at IS NULL
$$;

DROP TABLE module_security_summary;
CREATE TABLE project_security_summary (
    project                 varchar(255) PRIMARY KEY,
    affected_sites          integer NOT NULL CHECK (affected_sites > 0),
    not_secure_sites        integer NOT NULL,
    revoked_sites           integer NOT NULL,
    known_vulnerable_sites  integer NOT NULL,
    refreshed_at            timestamptz NOT NULL DEFAULT now()
);
-- The report's project list, most affected first, reads the top of this index.
CREATE INDEX ix_project_security_summary_affected ON project_security_summary (affected_sites DESC, project);
DELETE FROM site_security_summary;
DELETE FROM advisory_exposures;
ALTER TABLE site_security_summary
    ADD COLUMN affected_projects integer NOT NULL CHECK (affected_projects > 0);
"""

# Statuses come back NOT_CHECKED: the first refresh after a downgrade computes them again.
DOWNGRADE = f"""
ALTER TABLE site_security_summary DROP COLUMN affected_projects;
DELETE FROM site_security_summary;
DELETE FROM advisory_exposures;
DROP TABLE project_security_summary;
CREATE TABLE module_security_summary (
    module_id               bigint PRIMARY KEY REFERENCES modules (id) ON DELETE CASCADE,
    affected_sites          integer NOT NULL CHECK (affected_sites > 0),
    not_secure_sites        integer NOT NULL,
    revoked_sites           integer NOT NULL,
    known_vulnerable_sites  integer NOT NULL,
    refreshed_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_module_security_summary_affected ON module_security_summary (affected_sites DESC);

DROP FUNCTION site_module_counts(bigint);
DROP FUNCTION security_update_available(site_modules);
DROP INDEX ix_site_modules_site_project;
ALTER TABLE site_modules
    ADD COLUMN latest_version_id bigint REFERENCES module_versions (id) ON DELETE SET NULL,
    ADD COLUMN update_available boolean NOT NULL DEFAULT false,
    ADD COLUMN security_update_available boolean NOT NULL DEFAULT false,
    ADD COLUMN known_vulnerable boolean NOT NULL DEFAULT false,
    ADD COLUMN status varchar(16) NOT NULL DEFAULT 'NOT_CHECKED',
    ADD COLUMN status_reason text,
    ADD COLUMN recommended_version varchar(50),
    ADD COLUMN also_available text[] NOT NULL DEFAULT '{{}}',
    ADD COLUMN security_updates text[] NOT NULL DEFAULT '{{}}',
    ADD COLUMN advisories jsonb NOT NULL DEFAULT '[]'::jsonb,
    ADD COLUMN status_checked_at timestamptz,
    ADD CONSTRAINT ck_site_modules_status CHECK (status IN {sql_in_list(Status)}),
    ADD COLUMN in_trouble boolean NOT NULL
        GENERATED ALWAYS AS (removed_at IS NULL
                             AND (status IN {sql_in_list(TROUBLE_STATUSES)} OR known_vulnerable)) STORED;
CREATE INDEX idx_site_module_updates ON site_modules (site_id, update_available, security_update_available);
CREATE INDEX ix_site_modules_latest_version ON site_modules (latest_version_id);
CREATE INDEX ix_site_modules_insecure ON site_modules (site_id, module_id) WHERE in_trouble;
CREATE INDEX ix_site_modules_insecure_module ON site_modules (module_id) INCLUDE (status, known_vulnerable)
    WHERE in_trouble;
CREATE INDEX ix_site_modules_security_updates ON site_modules (site_id)
    WHERE removed_at IS NULL AND security_update_available;
CREATE FUNCTION site_module_counts(wanted_site_id bigint)
RETURNS TABLE (modules bigint, updates_available bigint, security_updates bigint, known_vulnerable bigint)
LANGUAGE sql STABLE
AS $$
    SELECT count(*),
           count(*) FILTER (WHERE sm.update_available),
           count(*) FILTER (WHERE sm.security_update_available),
           count(*) FILTER (WHERE sm.known_vulnerable)
    FROM site_modules sm
    WHERE sm.site_id = wanted_site_id AND sm.removed_at IS NULL
$$;
DROP TABLE site_projects;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
