-- Every site's security summary, rebuilt from scratch (reconcile, release
-- refresh, advisories load), from its projects in trouble and the present
-- modules they include. DELETE, not TRUNCATE: the report stays readable
-- meanwhile and sees the old rows until the transaction commits.
DELETE FROM site_security_summary;
INSERT INTO site_security_summary
    (site_id, not_secure, revoked, known_vulnerable, affected_projects, affected_modules, refreshed_at)
SELECT sp.site_id,
       count(*) FILTER (WHERE sp.status = 'NOT_SECURE'),
       count(*) FILTER (WHERE sp.status = 'REVOKED'),
       count(*) FILTER (WHERE sp.known_vulnerable),
       count(*),
       sum(sp.modules),
       now()
FROM site_projects sp
WHERE sp.in_trouble
GROUP BY sp.site_id;
