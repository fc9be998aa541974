-- Every project's security summary (sites where it is in trouble), rebuilt from
-- scratch (reconcile, release refresh, advisories load). DELETE, not TRUNCATE:
-- the report stays readable meanwhile and sees the old rows until the
-- transaction commits.
DELETE FROM project_security_summary;
INSERT INTO project_security_summary
    (project, affected_sites, not_secure_sites, revoked_sites, known_vulnerable_sites, refreshed_at)
SELECT project,
       count(*),
       count(*) FILTER (WHERE status = 'NOT_SECURE'),
       count(*) FILTER (WHERE status = 'REVOKED'),
       count(*) FILTER (WHERE known_vulnerable),
       now()
FROM site_projects
WHERE in_trouble
GROUP BY project;
