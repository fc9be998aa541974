"""Initial schema: sites, the landing table, modules and their history, release data, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE sites (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          varchar(255) NOT NULL CHECK (length(name) > 0),
    url           varchar(2048) NOT NULL,
    token_hash    bytea NOT NULL UNIQUE,
    core_version  varchar(50),
    php_version   varchar(50),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    last_sync_at  timestamptz
);

-- The landing table is also the task record: the intake commits the raw bytes
-- here before it answers, and the ingest run writes the outcome back.
CREATE TABLE landing_payloads (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id           uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    site_id           bigint NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    received_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    payload_shape     char(1) NOT NULL CHECK (payload_shape IN ('a', 'b')),
    sync_type         varchar(10) NOT NULL CHECK (sync_type IN ('full', 'partial')),
    core_version      varchar(50) NOT NULL,
    modules_received  integer NOT NULL CHECK (modules_received > 0),
    body              bytea NOT NULL,
    body_sha256       bytea NOT NULL,
    idempotency_key   varchar(255),
    status            varchar(12) NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'in_progress', 'completed', 'failed')),
    attempts          integer NOT NULL DEFAULT 0,
    run_id            varchar(64),
    started_at        timestamptz,
    -- Set in the merge transaction: a re-run after a crash never applies a payload twice.
    merged_at         timestamptz,
    completed_at      timestamptz,
    progress_current  integer NOT NULL DEFAULT 0,
    progress_total    integer,
    progress_message  text,
    result            jsonb,
    error             text,
    CHECK (status <> 'failed' OR error IS NOT NULL)
);
-- Rate limiting counts a site's payloads in the trailing hour; also the FK index.
CREATE INDEX ix_landing_payloads_site_received ON landing_payloads (site_id, received_at);
-- The sensor reads only what is not finished; a partial index keeps that cheap forever.
CREATE INDEX ix_landing_payloads_unfinished ON landing_payloads (id)
    WHERE status IN ('pending', 'in_progress');
CREATE INDEX ix_landing_payloads_idempotency ON landing_payloads (site_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

CREATE TABLE modules (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    machine_name     varchar(255) NOT NULL UNIQUE,
    display_name     varchar(255) NOT NULL,
    drupal_org_link  varchar(500),
    module_type      varchar(50) NOT NULL DEFAULT 'contrib'
                     CHECK (module_type IN ('contrib', 'custom', 'core')),
    description      text,
    project          varchar(255) NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_modules_project ON modules (project);

CREATE TABLE module_versions (
    id                         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    module_id                  bigint NOT NULL REFERENCES modules (id) ON DELETE CASCADE,
    version_string             varchar(50) NOT NULL,
    semantic_version           varchar(50),
    sort_key                   bigint,
    release_date               timestamptz,
    is_security_update         boolean NOT NULL DEFAULT false,
    release_notes_link         varchar(500),
    drupal_core_compatibility  jsonb,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_module_version UNIQUE (module_id, version_string)
);
CREATE INDEX idx_module_version_security ON module_versions (module_id, is_security_update);
CREATE INDEX idx_module_version_date ON module_versions (module_id, release_date);

CREATE TABLE site_modules (
    id                         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id                    bigint NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    module_id                  bigint NOT NULL REFERENCES modules (id) ON DELETE CASCADE,
    current_version_id         bigint NOT NULL REFERENCES module_versions (id),
    latest_version_id          bigint REFERENCES module_versions (id) ON DELETE SET NULL,
    project                    varchar(255) NOT NULL,
    module_type                varchar(50) NOT NULL,
    enabled                    boolean NOT NULL DEFAULT true,
    datestamp                  bigint,
    update_available           boolean NOT NULL DEFAULT false,
    security_update_available  boolean NOT NULL DEFAULT false,
    known_vulnerable           boolean NOT NULL DEFAULT false,
    status                     varchar(16) NOT NULL DEFAULT 'NOT_CHECKED',
    status_reason              text,
    recommended_version        varchar(50),
    also_available             text[] NOT NULL DEFAULT '{}',
    security_updates           text[] NOT NULL DEFAULT '{}',
    advisories                 text[] NOT NULL DEFAULT '{}',
    status_checked_at          timestamptz,
    first_seen                 timestamptz NOT NULL DEFAULT now(),
    last_seen                  timestamptz NOT NULL DEFAULT now(),
    last_updated               timestamptz,
    removed_at                 timestamptz,
    CONSTRAINT uq_site_module UNIQUE (site_id, module_id)
);
CREATE INDEX idx_site_module_updates
    ON site_modules (site_id, update_available, security_update_available);
CREATE INDEX ix_site_modules_module ON site_modules (module_id);
CREATE INDEX ix_site_modules_current_version ON site_modules (current_version_id);
CREATE INDEX ix_site_modules_latest_version ON site_modules (latest_version_id);
CREATE INDEX ix_site_modules_project ON site_modules (project);
-- The security report scans only the few rows that are in trouble.
CREATE INDEX ix_site_modules_insecure ON site_modules (site_id, module_id)
    WHERE removed_at IS NULL
      AND (status IN ('NOT_SECURE', 'REVOKED') OR known_vulnerable);

CREATE TABLE site_module_events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_module_id  bigint NOT NULL REFERENCES site_modules (id) ON DELETE CASCADE,
    site_id         bigint NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    module_id       bigint NOT NULL REFERENCES modules (id) ON DELETE CASCADE,
    task_id         uuid REFERENCES landing_payloads (task_id) ON DELETE SET NULL,
    event_type      varchar(20) NOT NULL
                    CHECK (event_type IN ('added', 'removed', 'version_changed',
                                          'enabled', 'disabled')),
    from_version    varchar(50),
    to_version      varchar(50),
    occurred_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_site_module_events_site_time ON site_module_events (site_id, occurred_at DESC);
CREATE INDEX ix_site_module_events_site_module ON site_module_events (site_module_id);
CREATE INDEX ix_site_module_events_module ON site_module_events (module_id);
CREATE INDEX ix_site_module_events_task ON site_module_events (task_id);

-- A drupal.org project as one release-history feed describes it; Drupal 7 sites
-- read the `7.x` feed, newer sites the `current` one.
CREATE TABLE projects (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                varchar(255) NOT NULL,
    feed_api            varchar(10) NOT NULL CHECK (feed_api IN ('7.x', 'current')),
    title               varchar(255),
    project_status      varchar(20),
    link                varchar(500),
    supported_branches  text[] NOT NULL DEFAULT '{}',
    supported_majors    integer[] NOT NULL DEFAULT '{}',
    fetch_state         varchar(12) NOT NULL DEFAULT 'pending'
                        CHECK (fetch_state IN ('pending', 'ok', 'not_found', 'failed')),
    fetch_error         text,
    fetched_at          timestamptz,
    last_success_at     timestamptz,
    etag                text,
    last_modified       text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_project_feed UNIQUE (name, feed_api)
);

CREATE TABLE releases (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id          bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    version             varchar(50) NOT NULL,
    status              varchar(20) NOT NULL,
    released_at         timestamptz,
    release_types       text[] NOT NULL DEFAULT '{}',
    is_security_update  boolean NOT NULL DEFAULT false,
    is_insecure         boolean NOT NULL DEFAULT false,
    is_unsupported      boolean NOT NULL DEFAULT false,
    core_compatibility  varchar(255),
    release_link        varchar(500),
    major               integer,
    minor               integer,
    patch               integer,
    extra               varchar(20),
    sort_key            bigint,
    CONSTRAINT uq_release UNIQUE (project_id, version)
);

CREATE TABLE advisories (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    feed_api    varchar(10) NOT NULL CHECK (feed_api IN ('7.x', 'current')),
    package     varchar(255) NOT NULL,
    project     varchar(255) NOT NULL,
    constraint_text text NOT NULL,
    source      text NOT NULL,
    loaded_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_advisory UNIQUE (feed_api, package)
);
CREATE INDEX ix_advisories_project ON advisories (project, feed_api);

CREATE TABLE audit_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at  timestamptz NOT NULL DEFAULT now(),
    actor        varchar(64) NOT NULL,
    action       varchar(64) NOT NULL,
    entity_type  varchar(32) NOT NULL,
    entity_id    varchar(255),
    details      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX ix_audit_log_time ON audit_log (occurred_at);
CREATE INDEX ix_audit_log_entity ON audit_log (entity_type, entity_id);
"""

DOWNGRADE = """
DROP TABLE IF EXISTS audit_log;
DROP TABLE IF EXISTS advisories;
DROP TABLE IF EXISTS releases;
DROP TABLE IF EXISTS projects;
DROP TABLE IF EXISTS site_module_events;
DROP TABLE IF EXISTS site_modules;
DROP TABLE IF EXISTS module_versions;
DROP TABLE IF EXISTS modules;
DROP TABLE IF EXISTS landing_payloads;
DROP TABLE IF EXISTS sites;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
