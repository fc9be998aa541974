-- The table a rebuild fills (rebuild_prepare.sql), made and committed beside
-- the caller's transaction, so that several connections can fill and index it
-- at once. The caller holds the rebuild's lock: no other rebuild is running,
-- and a table left by one that failed or was killed before its swap is dropped
-- here. Same columns, defaults, checks and generated column as site_projects
-- (LIKE).
SET LOCAL lock_timeout = '1min';
DROP TABLE IF EXISTS site_projects_next;
CREATE TABLE site_projects_next (LIKE site_projects
    INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS)
