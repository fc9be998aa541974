-- The statuses to write when only some rows change, already in site_projects'
-- stored form (arrays, the advisories and core's coverage as JSON): the
-- pipeline compared them with the stored ones, so every staged row is written.
CREATE TEMP TABLE stage_status (
    site_id                     bigint NOT NULL,
    project                     text NOT NULL,
    version                     text,
    datestamp                   bigint,
    modules                     integer NOT NULL,
    removed_at                  timestamptz,
    status                      text NOT NULL,
    status_reason               text,
    latest_version              text,
    recommended_version         text,
    also_available              text[] NOT NULL,
    security_updates            text[] NOT NULL,
    update_available            boolean NOT NULL,
    security_update_available   boolean NOT NULL,
    known_vulnerable            boolean NOT NULL,
    advisories                  jsonb NOT NULL,
    security_coverage           jsonb,
    status_checked_at           timestamptz NOT NULL,
    status_digest               bigint NOT NULL
) ON COMMIT DROP
