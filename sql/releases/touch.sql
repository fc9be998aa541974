-- A 304 answer: the stored data is still current.
UPDATE projects
SET fetched_at = now(), last_success_at = now(), fetch_error = NULL,
    fetch_state = CASE WHEN fetch_state = 'failed' THEN 'ok' ELSE fetch_state END
WHERE (name, feed_api) IN (SELECT * FROM unnest(%(projects)s::text[], %(feed_apis)s::text[]))
