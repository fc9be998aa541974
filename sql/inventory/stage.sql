-- The normalised inventory of one run, loaded with COPY. `round` is the
-- payload's position among its site's payloads in this run: round 1 applies
-- every site's first payload, round 2 the second, and so on.
CREATE TEMP TABLE stage_inventory (
    landing_id    bigint NOT NULL,
    task_id       uuid NOT NULL,
    site_id       bigint NOT NULL,
    round         integer NOT NULL,
    sync_type     text NOT NULL,
    received_at   timestamptz NOT NULL,
    machine_name  text NOT NULL,
    project       text NOT NULL,
    display_name  text NOT NULL,
    module_type   text NOT NULL,
    enabled       boolean NOT NULL,
    description   text,
    version       text NOT NULL,
    major         integer,
    minor         integer,
    patch         integer,
    extra         text,
    sort_key      bigint,
    datestamp     bigint
) ON COMMIT DROP;

-- Every listed module of the run judged against the state the earlier rounds
-- left, plus the removals of full syncs: the counts, the history and the
-- rows to write all come from here.
CREATE TEMP TABLE round_changes (
    round         integer NOT NULL,
    task_id       uuid NOT NULL,
    site_id       bigint NOT NULL,
    module_id     bigint NOT NULL,
    received_at   timestamptz NOT NULL,
    outcome       text NOT NULL,   -- created | updated | unchanged | removed
    old_version   text,
    new_version   text,
    old_enabled   boolean,
    new_enabled   boolean,
    -- What a listed module writes to site_modules; NULL for removals.
    version_id    bigint,
    project       text,
    module_type   text,
    datestamp     bigint,
    -- Unchanged rows of a full sync are not rewritten: the site's
    -- last_full_sync_at says they were seen.
    needs_write   boolean NOT NULL
) ON COMMIT DROP
