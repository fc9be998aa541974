-- The site projects checked after the copied statuses' inputs were read
-- (status_checked_at: when the inputs of a status were read): another run
-- wrote them from newer inputs while the new table was built, so they replace
-- the copied rows (swap.sql). Few rows; one pass over the current table.
INSERT INTO swap_newer (site_id, project)
SELECT sp.site_id, sp.project FROM site_projects sp WHERE sp.status_checked_at > %(checked_at)s
RETURNING site_id, project
