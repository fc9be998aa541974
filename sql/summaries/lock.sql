-- Summary refreshes take turns: each counts a module over every site, and two
-- at once, each blind to the other's uncommitted statuses, could both write a
-- count that misses the other's rows. The lock ends with the transaction; the
-- refresh that waited then reads what the first committed.
SELECT pg_advisory_xact_lock(hashtext('modwatch.security_summaries'))
