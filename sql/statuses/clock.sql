-- The database's clock at the start of a read: what the statuses computed from
-- the inputs read next are dated by (status_checked_at). Read before them, it
-- is never later than what they saw.
SELECT now() AS now
