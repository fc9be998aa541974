-- The most affected modules, from module_security_summary (kept by the
-- pipeline: orchestration/status.py), read from the top of
-- ix_module_security_summary_affected (ties by machine name, sorted
-- incrementally), and how many modules are in trouble. One row of NULLs when
-- no module is, so the total is always there.
SELECT (SELECT count(*) FROM module_security_summary) AS total, top.*
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (
    SELECT m.machine_name, m.display_name, m.project, m.module_type,
           mss.affected_sites, mss.not_secure_sites, mss.revoked_sites, mss.known_vulnerable_sites,
           -- the OSV advisories affecting the module's project on some site: those naming the
           -- project, kept when one exposure says so (a primary-key probe each)
           ARRAY(SELECT DISTINCT r.advisory_id FROM osv_ranges r
                 WHERE r.project = m.project
                   AND EXISTS (SELECT FROM advisory_exposures e
                               WHERE e.advisory_id = r.advisory_id AND e.project = m.project)
                 ORDER BY 1) AS advisories
    FROM module_security_summary mss
    JOIN modules m ON m.id = mss.module_id
    ORDER BY mss.affected_sites DESC, m.machine_name
    LIMIT %(modules_limit)s
) AS top ON true
ORDER BY top.affected_sites DESC, top.machine_name
