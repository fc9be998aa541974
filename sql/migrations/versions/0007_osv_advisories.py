"""Security advisories of the Drupal Security Team's OSV database, and advisory items on site modules.

- `osv_advisories`: one row per advisory (id, CVE aliases, a one-line
  summary and the whole `details`, the reference URL, published, modified,
  withdrawn); `osv_ranges`: every affected interval of a Drupal project with
  its OSV events, its Composer constraint and the Composer order keys of its
  bounds (parsed once, when loaded).
- `advisory_sources`: the validators of the last load of each source, for
  conditional GETs.
- `advisory_recompute`: projects whose advisories changed and whose site
  modules still wait for their statuses to be recomputed.
- `advisory_exposures`: per advisory, the sites and projects it affects with
  the installed version and the fix, kept by the status step beside the
  security summaries (what `GET /advisories` counts and lists).
- `site_modules.advisories` becomes a JSON array of items `{id, aliases, url,
  summary, fixed_in, constraint}`; a composer metapackage match keeps only
  its constraint, so existing clauses become items with only a constraint.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE osv_advisories (
    id          varchar(64) PRIMARY KEY,
    aliases     text[] NOT NULL DEFAULT '{}',
    summary     text NOT NULL,
    details     text NOT NULL,
    url         text,
    published   timestamptz,
    modified    timestamptz NOT NULL,
    withdrawn   timestamptz,
    source      text NOT NULL,
    loaded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_osv_advisories_published ON osv_advisories (published DESC, id);

CREATE TABLE osv_ranges (
    advisory_id        varchar(64) NOT NULL REFERENCES osv_advisories (id) ON DELETE CASCADE,
    range_index        integer NOT NULL,
    package            varchar(255) NOT NULL,
    project            varchar(255) NOT NULL,
    introduced         varchar(64) NOT NULL,
    fixed              varchar(64),
    last_affected      varchar(64),
    constraint_text    text,
    introduced_key     bigint,
    fixed_key          bigint,
    last_affected_key  bigint,
    PRIMARY KEY (advisory_id, range_index)
);
CREATE INDEX ix_osv_ranges_project ON osv_ranges (project);

CREATE TABLE advisory_sources (
    source         text PRIMARY KEY,
    etag           text,
    last_modified  text,
    advisories     integer NOT NULL,
    loaded_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE advisory_recompute (
    project    varchar(255) PRIMARY KEY,
    queued_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE advisory_exposures (
    advisory_id        varchar(64) NOT NULL REFERENCES osv_advisories (id) ON DELETE CASCADE,
    site_id            bigint NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    project            varchar(255) NOT NULL,
    installed_version  varchar(50),
    fixed_in           varchar(64),
    constraint_text    text,
    modules            integer NOT NULL,
    refreshed_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (advisory_id, site_id, project)
);
CREATE INDEX ix_advisory_exposures_site ON advisory_exposures (site_id);

ALTER TABLE site_modules ALTER COLUMN advisories DROP DEFAULT;
ALTER TABLE site_modules ALTER COLUMN advisories TYPE jsonb USING to_jsonb(advisories);
ALTER TABLE site_modules ALTER COLUMN advisories SET DEFAULT '[]'::jsonb;
UPDATE site_modules
SET advisories = (
    SELECT jsonb_agg(jsonb_build_object('id', NULL, 'aliases', '[]'::jsonb, 'url', NULL, 'summary', NULL,
                                        'fixed_in', NULL, 'constraint', clause) ORDER BY position)
    FROM jsonb_array_elements_text(advisories) WITH ORDINALITY AS item (clause, position))
WHERE advisories <> '[]'::jsonb;
"""

DOWNGRADE = """
ALTER TABLE site_modules ADD COLUMN advisory_clauses text[] NOT NULL DEFAULT '{}';
UPDATE site_modules
SET advisory_clauses = ARRAY(
    SELECT item ->> 'constraint'
    FROM jsonb_array_elements(advisories) WITH ORDINALITY AS items (item, position)
    WHERE item ->> 'constraint' IS NOT NULL
    ORDER BY position)
WHERE advisories <> '[]'::jsonb;
ALTER TABLE site_modules DROP COLUMN advisories;
ALTER TABLE site_modules RENAME COLUMN advisory_clauses TO advisories;
DROP TABLE advisory_exposures;
DROP TABLE advisory_recompute;
DROP TABLE advisory_sources;
DROP TABLE osv_ranges;
DROP TABLE osv_advisories;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
