-- A whole new site_projects when most of its rows change (a first computation,
-- a rule change): every computed row is copied straight into a fresh table
-- with no index (far cheaper than updating each row in each index), then it
-- is indexed once (rebuild.sql). Same columns, defaults, checks and generated
-- column (LIKE). Writers wait from here until the swap commits (a status
-- written meanwhile would be lost); readers go on reading the current table.
LOCK TABLE site_projects IN EXCLUSIVE MODE;
-- Index builds sort millions of rows: room to do it in memory. No JIT compile for what runs once.
SET LOCAL maintenance_work_mem = '256MB';
SET LOCAL jit = off;
DROP TABLE IF EXISTS site_projects_next;
CREATE TABLE site_projects_next (LIKE site_projects
    INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS)
