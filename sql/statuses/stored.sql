-- What is stored of each project of the given sites and projects (every one
-- when NULL) for a recompute to compare with: the digest of its status (NULL
-- when it has none, or something other than the status step changed it) and
-- when it was checked (kept by a rebuild for the rows that did not change).
SELECT sp.site_id, sp.project, sp.status_digest AS stored_digest, sp.status_checked_at AS stored_checked_at
FROM site_projects sp
WHERE (%(site_ids)s::bigint[] IS NULL OR sp.site_id = ANY(%(site_ids)s::bigint[]))
  AND (%(projects)s::text[] IS NULL OR sp.project = ANY(%(projects)s::text[]))
