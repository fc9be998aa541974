-- A rebuild that ended: after a swap the new table has the old one's name and
-- this drops nothing; after a failure, the half-built table goes.
DROP TABLE IF EXISTS site_projects_next
