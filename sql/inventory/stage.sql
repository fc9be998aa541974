-- The normalised inventory of one run, loaded with COPY in four parts, so
-- that each step reads only what it needs: the payloads, the catalogue
-- entries and versions they name (once each, however many sites list them),
-- and the listed modules. `round` is the payload's position among its site's
-- payloads in this run: round 1 is every site's first payload, round 2 the
-- second, and so on.
--
-- The merge sorts and hashes every listed module of the run at once (a few
-- hundred thousand rows at most): with the default work_mem those spill to
-- disk. For this transaction only.
SET LOCAL work_mem = '64MB';

CREATE TEMP TABLE stage_payloads (
    landing_id    bigint NOT NULL,
    task_id       uuid NOT NULL,
    site_id       bigint NOT NULL,
    round         integer NOT NULL,
    sync_type     text NOT NULL,
    received_at   timestamptz NOT NULL
) ON COMMIT DROP;

CREATE TEMP TABLE stage_modules (
    machine_name  text NOT NULL,
    project       text NOT NULL,
    display_name  text NOT NULL,
    module_type   text NOT NULL,
    description   text
) ON COMMIT DROP;

CREATE TEMP TABLE stage_versions (
    position      integer NOT NULL,  -- its row in the staged frame, to join the ids back by
    machine_name  text NOT NULL,
    version       text NOT NULL,
    major         integer,
    minor         integer,
    patch         integer,
    extra         text,
    sort_key      bigint
) ON COMMIT DROP;

-- The listed modules, with their payload's site and round and the catalogue
-- ids of their module and version.
CREATE TEMP TABLE stage_listed (
    landing_id    bigint NOT NULL,
    site_id       bigint NOT NULL,
    round         integer NOT NULL,
    module_id     bigint NOT NULL,
    version_id    bigint NOT NULL,
    version       text NOT NULL,
    project       text NOT NULL,
    module_type   text NOT NULL,
    enabled       boolean NOT NULL,
    datestamp     bigint
) ON COMMIT DROP;

-- What each payload of the run does to each module of its site, in the order
-- the payloads apply: every listed module (created, updated or unchanged) and
-- every removal by a full sync. The counts, the history and the rows to write
-- all come from here.
CREATE TEMP TABLE round_changes (
    round          integer NOT NULL,
    task_id        uuid NOT NULL,
    site_id        bigint NOT NULL,
    module_id      bigint NOT NULL,
    received_at    timestamptz NOT NULL,
    outcome        text NOT NULL,   -- created | updated | unchanged | removed
    old_version_id bigint,          -- the version before, when the module was present
    new_version    text,            -- the version listed; NULL for removals
    old_enabled    boolean,
    new_enabled    boolean NOT NULL,
    -- The site module as this change leaves it (a removal keeps its version).
    version_id     bigint NOT NULL,
    project        text NOT NULL,
    module_type    text NOT NULL,
    datestamp      bigint,
    -- Whether the change writes the row: unchanged rows of a full sync are
    -- not rewritten (the site's last_full_sync_at says they were seen).
    needs_write    boolean NOT NULL,
    -- Whether the row moves to another version (or comes back): last_updated.
    version_moved  boolean NOT NULL,
    -- The stored row's dates, which the run's changes move on from (NULL: no stored row).
    stored_first_seen   timestamptz,
    stored_last_seen    timestamptz,
    stored_last_updated timestamptz
) ON COMMIT DROP
