-- Projects whose advisories changed and whose statuses are not recomputed yet.
SELECT project FROM advisory_recompute ORDER BY project
