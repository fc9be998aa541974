-- The most affected projects, from project_security_summary (kept by the
-- pipeline: orchestration/pipeline/status.py), read from the top of
-- ix_project_security_summary_affected, and how many projects are in trouble.
-- One row of NULLs when no project is, so the total is always there.
SELECT (SELECT count(*) FROM project_security_summary) AS total, top.*
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (
    SELECT pss.project, pss.affected_sites, pss.not_secure_sites, pss.revoked_sites, pss.known_vulnerable_sites,
           -- the OSV advisories affecting the project on some site: those naming the project,
           -- kept when one exposure says so (a primary-key probe each)
           ARRAY(SELECT DISTINCT r.advisory_id FROM osv_ranges r
                 WHERE r.project = pss.project
                   AND EXISTS (SELECT FROM advisory_exposures e
                               WHERE e.advisory_id = r.advisory_id AND e.project = pss.project)
                 ORDER BY 1) AS advisories
    FROM project_security_summary pss
    ORDER BY pss.affected_sites DESC, pss.project
    LIMIT %(projects_limit)s
) AS top ON true
ORDER BY top.affected_sites DESC, top.project
