-- Record each fetch. A failure keeps the last good data and says why.
-- The validators (ETag, Last-Modified) stay those of the data held: a broken
-- body's would earn a 304 for content never stored, a 404 leaves nothing to validate.
INSERT INTO projects AS p (name, feed_api, title, project_status, link, supported_branches,
                           supported_majors, recommended_major, default_major, fetch_state, fetch_error, fetched_at, last_success_at,
                           etag, last_modified)
SELECT name, feed_api, title, project_status, link, coalesce(supported_branches, '{}'),
       coalesce(supported_majors, '{}'), recommended_major, default_major, fetch_state, fetch_error, now(),
       CASE WHEN fetch_state IN ('ok', 'not_found') THEN now() END,
       CASE WHEN fetch_state = 'ok' THEN etag END, CASE WHEN fetch_state = 'ok' THEN last_modified END
FROM stage_projects
ON CONFLICT (name, feed_api) DO UPDATE SET
    title = CASE WHEN EXCLUDED.fetch_state = 'ok' THEN EXCLUDED.title ELSE p.title END,
    project_status = CASE WHEN EXCLUDED.fetch_state = 'ok' THEN EXCLUDED.project_status
                          WHEN EXCLUDED.fetch_state = 'not_found' THEN NULL ELSE p.project_status END,
    link = CASE WHEN EXCLUDED.fetch_state = 'ok' THEN EXCLUDED.link ELSE p.link END,
    supported_branches = CASE WHEN EXCLUDED.fetch_state = 'ok' THEN EXCLUDED.supported_branches
                              ELSE p.supported_branches END,
    supported_majors = CASE WHEN EXCLUDED.fetch_state = 'ok' THEN EXCLUDED.supported_majors
                            ELSE p.supported_majors END,
    recommended_major = CASE WHEN EXCLUDED.fetch_state = 'ok' THEN EXCLUDED.recommended_major
                             ELSE p.recommended_major END,
    default_major = CASE WHEN EXCLUDED.fetch_state = 'ok' THEN EXCLUDED.default_major ELSE p.default_major END,
    fetch_state = EXCLUDED.fetch_state,
    fetch_error = EXCLUDED.fetch_error,
    fetched_at = now(),
    last_success_at = CASE WHEN EXCLUDED.fetch_state IN ('ok', 'not_found') THEN now()
                           ELSE p.last_success_at END,
    etag = CASE EXCLUDED.fetch_state WHEN 'ok' THEN EXCLUDED.etag WHEN 'failed' THEN p.etag END,
    last_modified = CASE EXCLUDED.fetch_state WHEN 'ok' THEN EXCLUDED.last_modified
                                              WHEN 'failed' THEN p.last_modified END
