-- Serialises manual catalogue changes until commit. Their audit rows are
-- inserted after this lock is taken, so their ids commit in id order, and
-- the catalog sensor may safely read "module audit rows past my cursor"
-- (`version_changes.sql`).
SELECT pg_advisory_xact_lock(hashtext('modwatch.module_catalog'))
