-- A rebuild's table (rebuild_table.sql) dropped when its fill or indexes
-- failed, rather than left until the next rebuild drops it.
DROP TABLE IF EXISTS site_projects_next
