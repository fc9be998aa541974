-- Every module's security summary, rebuilt from scratch (reconcile, release
-- refresh, advisories load). DELETE, not TRUNCATE: the report stays readable
-- meanwhile and sees the old rows until the transaction commits.
DELETE FROM module_security_summary;
INSERT INTO module_security_summary
    (module_id, affected_sites, not_secure_sites, revoked_sites, known_vulnerable_sites, refreshed_at)
SELECT module_id,
       count(*),
       count(*) FILTER (WHERE status = 'NOT_SECURE'),
       count(*) FILTER (WHERE status = 'REVOKED'),
       count(*) FILTER (WHERE known_vulnerable),
       now()
FROM site_modules
WHERE in_trouble
GROUP BY module_id;
