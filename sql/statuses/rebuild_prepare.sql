-- A whole new site_projects when most of its rows change (a first computation,
-- a rule change): a fresh table with no index, filled by COPY and indexed on
-- connections beside the caller's (rebuild_table.sql, rebuild_indexes.sql,
-- rebuild_settle.sql), far cheaper than updating each row in each index; then
-- given its constraints (rebuild.sql) and swapped in (swap.sql) in the caller's
-- transaction. The current table is not locked until the swap: writers go on
-- meanwhile. One rebuild at a time (a reconcile and a release refresh may both
-- recompute everything): the second waits here until the first's transaction
-- ends.
SELECT pg_advisory_xact_lock(hashtext('modwatch.site_projects_rebuild'));
-- Never wait on a lock for long: a rebuild that cannot go on fails, and the next recompute starts again.
-- An exclusion constraint (rebuild.sql) sorts millions of rows: room to do it in memory. No JIT compile
-- for what runs once.
SET LOCAL lock_timeout = '1min';
SET LOCAL maintenance_work_mem = '256MB';
SET LOCAL jit = off
