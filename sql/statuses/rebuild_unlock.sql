-- The rebuild is over (swapped in, or given up): the next one may start.
SELECT pg_advisory_unlock(hashtext('modwatch.site_projects_rebuild'))
