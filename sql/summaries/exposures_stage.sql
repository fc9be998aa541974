-- Every advisory exposure, recounted from scratch (reconcile, release refresh,
-- advisories load), one per advisory, site and project, with the present
-- modules of the project it covers: staged here, each with whether a row is
-- stored for it and whether that row is already right, and what is no longer
-- exposed deleted. exposures_update.sql and exposures_insert.sql then write
-- only the changed and the new: a recount that changes nothing writes nothing
-- (no new row version, no foreign-key checks). DELETE, not TRUNCATE: the
-- report stays readable meanwhile and sees the old rows until the
-- transaction commits.
--
-- Stored rows are compared once, here, before anything is written. The fresh
-- rows were once compared with the table as they were inserted: when the table
-- was empty and vacuumed, the planner scanned it once per fresh row, and each
-- scan read every row the statement had inserted so far, so a first
-- computation of 186k exposures took six minutes.
CREATE TEMP TABLE fresh_exposures ON COMMIT DROP AS
SELECT f.*, e.advisory_id IS NOT NULL AS stored,
       (e.installed_version, e.fixed_in, e.constraint_text, e.modules)
           IS NOT DISTINCT FROM (f.installed_version, f.fixed_in, f.constraint_text, f.modules) AS unchanged
FROM (
    SELECT item ->> 'id' AS advisory_id, sp.site_id, sp.project, min(sp.version) AS installed_version,
           min(item ->> 'fixed_in') AS fixed_in, min(item ->> 'constraint') AS constraint_text,
           min(sp.modules) AS modules
    FROM site_projects sp
    CROSS JOIN jsonb_array_elements(sp.advisories) AS item
    WHERE sp.in_trouble AND sp.known_vulnerable
      AND item ->> 'id' IN (SELECT id FROM osv_advisories)
    GROUP BY item ->> 'id', sp.site_id, sp.project
) AS f
LEFT JOIN advisory_exposures e
    ON (e.advisory_id, e.site_id, e.project) = (f.advisory_id, f.site_id, f.project);
ANALYZE fresh_exposures;
DELETE FROM advisory_exposures e
WHERE NOT EXISTS (SELECT FROM fresh_exposures f
                  WHERE (f.advisory_id, f.site_id, f.project) = (e.advisory_id, e.site_id, e.project))
