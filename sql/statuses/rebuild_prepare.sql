-- A whole new site_projects when most of its rows change (a first computation,
-- a rule change): a fresh table with no index, filled by COPY from several
-- connections at once (far cheaper than updating each row in each index),
-- indexed once (rebuild.sql), then swapped in (swap.sql). Same columns,
-- defaults, checks and generated column (LIKE). Committed on its own, so the
-- filling connections see it; nothing reads it until the swap. A table left
-- by a rebuild that died is dropped here.
-- The building connection never waits on a lock for long: a rebuild that cannot go on fails, and the
-- next recompute starts it again.
SET lock_timeout = '1min';
DROP TABLE IF EXISTS site_projects_next;
CREATE TABLE site_projects_next (LIKE site_projects
    INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS)
