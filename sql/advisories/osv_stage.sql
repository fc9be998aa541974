-- What one load of the OSV database read, before it is compared with what is stored.
-- Dropped first: a connection may load twice before its transaction ends.
DROP TABLE IF EXISTS pg_temp.stage_osv_advisories, pg_temp.stage_osv_ranges;
CREATE TEMP TABLE stage_osv_advisories (
    id         varchar(64) PRIMARY KEY,
    aliases    text[] NOT NULL,
    summary    text NOT NULL,
    details    text NOT NULL,
    url        text,
    published  timestamptz,
    modified   timestamptz NOT NULL,
    withdrawn  timestamptz
) ON COMMIT DROP;
CREATE TEMP TABLE stage_osv_ranges (
    advisory_id        varchar(64) NOT NULL,
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
) ON COMMIT DROP;
