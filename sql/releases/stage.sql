CREATE TEMP TABLE stage_projects (
    name                text NOT NULL,
    feed_api            text NOT NULL,
    title               text,
    project_status      text,
    link                text,
    supported_branches  text[],
    supported_majors    integer[],
    recommended_major   integer,
    default_major       integer,
    fetch_state         text NOT NULL,
    fetch_error         text,
    etag                text,
    last_modified       text
) ON COMMIT DROP;

CREATE TEMP TABLE stage_releases (
    project             text NOT NULL,
    feed_api            text NOT NULL,
    version             text NOT NULL,
    status              text NOT NULL,
    released_at         timestamptz,
    release_types       text[] NOT NULL,
    is_security_update  boolean NOT NULL,
    is_insecure         boolean NOT NULL,
    is_unsupported      boolean NOT NULL,
    core_compatibility  text,
    release_link        text,
    major               integer,
    minor               integer,
    patch               integer,
    extra               text,
    sort_key            bigint
) ON COMMIT DROP;
