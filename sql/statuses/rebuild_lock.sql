-- One rebuild of site_projects at a time (a reconcile and a release refresh may
-- both recompute everything): held by the connection that builds the new
-- table, for the session, until the new table is swapped in.
SELECT pg_advisory_lock(hashtext('modwatch.site_projects_rebuild'))
