-- Every site's security summary, rebuilt from scratch (reconcile, release
-- refresh, advisories load). DELETE, not TRUNCATE: the report stays readable
-- meanwhile and sees the old rows until the transaction commits.
DELETE FROM site_security_summary;
INSERT INTO site_security_summary
    (site_id, not_secure, revoked, known_vulnerable, affected_modules, refreshed_at)
SELECT site_id,
       count(*) FILTER (WHERE status = 'NOT_SECURE'),
       count(*) FILTER (WHERE status = 'REVOKED'),
       count(*) FILTER (WHERE known_vulnerable),
       count(*),
       now()
FROM site_modules
WHERE in_trouble
GROUP BY site_id;
