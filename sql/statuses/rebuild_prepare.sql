-- A whole new site_projects when most of its rows change (a first computation,
-- a rule change): a fresh table with no index, filled by COPY (far cheaper than
-- updating each row in each index), indexed once (rebuild.sql), then swapped in
-- (swap.sql), all in the caller's transaction. Same columns, defaults, checks
-- and generated column (LIKE). The current table is not locked until the swap:
-- writers go on meanwhile. One rebuild at a time (a reconcile and a release
-- refresh may both recompute everything): the second waits here.
SELECT pg_advisory_xact_lock(hashtext('modwatch.site_projects_rebuild'));
-- Never wait on a lock for long: a rebuild that cannot go on fails, and the next recompute starts again.
-- Index builds sort millions of rows: room to do it in memory. No JIT compile for what runs once.
SET LOCAL lock_timeout = '1min';
SET LOCAL maintenance_work_mem = '256MB';
SET LOCAL jit = off;
DROP TABLE IF EXISTS site_projects_next;
CREATE TABLE site_projects_next (LIKE site_projects
    INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS)
