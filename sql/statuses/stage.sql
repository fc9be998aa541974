CREATE TEMP TABLE stage_status (
    site_module_id             bigint PRIMARY KEY,
    module_id                  bigint NOT NULL,
    status                     text NOT NULL,
    status_reason              text,
    latest_version             text,
    recommended_version        text,
    also_available             text[] NOT NULL,
    security_updates           text[] NOT NULL,
    update_available           boolean NOT NULL,
    security_update_available  boolean NOT NULL,
    known_vulnerable           boolean NOT NULL,
    advisories                 text[] NOT NULL
) ON COMMIT DROP
