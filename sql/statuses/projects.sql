-- Release data state per feed (of the given projects; every project when NULL). A failed
-- fetch with earlier good data still counts as data.
SELECT name AS project, feed_api,
       CASE WHEN fetch_state = 'failed' AND last_success_at IS NOT NULL THEN 'ok' ELSE fetch_state END
           AS fetch_state,
       project_status,
       array_to_string(supported_branches, ',') AS supported_branches,
       array_to_string(supported_majors, ',') AS supported_majors,
       recommended_major,
       default_major
FROM projects
WHERE fetch_state <> 'pending'
  AND (%(projects)s::text[] IS NULL OR name = ANY(%(projects)s::text[]))
