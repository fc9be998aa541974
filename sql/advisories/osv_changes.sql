-- The advisories a load adds, changes or takes away (the stage holds the whole
-- database), compared field by field and range by range; the projects they
-- name, before or after, are queued for their statuses to be recomputed.
WITH staged_ranges AS (
    SELECT advisory_id,
           string_agg(concat_ws(E'\x1f', range_index, package, project, introduced, fixed, last_affected,
                                constraint_text), E'\x1e' ORDER BY range_index) AS ranges
    FROM stage_osv_ranges GROUP BY advisory_id
), stored_ranges AS (
    SELECT advisory_id,
           string_agg(concat_ws(E'\x1f', range_index, package, project, introduced, fixed, last_affected,
                                constraint_text), E'\x1e' ORDER BY range_index) AS ranges
    FROM osv_ranges GROUP BY advisory_id
), changed AS (
    SELECT coalesce(staged.id, stored.id) AS advisory_id,
           CASE WHEN stored.id IS NULL THEN 'added' WHEN staged.id IS NULL THEN 'removed' ELSE 'changed' END
               AS change
    FROM stage_osv_advisories staged
    FULL JOIN osv_advisories stored ON stored.id = staged.id
    LEFT JOIN staged_ranges ON staged_ranges.advisory_id = staged.id
    LEFT JOIN stored_ranges ON stored_ranges.advisory_id = stored.id
    WHERE stored.id IS NULL OR staged.id IS NULL
       OR (staged.aliases, staged.summary, staged.details, staged.url, staged.published, staged.modified,
           staged.withdrawn, staged_ranges.ranges)
          IS DISTINCT FROM
          (stored.aliases, stored.summary, stored.details, stored.url, stored.published, stored.modified,
           stored.withdrawn, stored_ranges.ranges)
), queued AS (
    INSERT INTO advisory_recompute (project)
    SELECT project FROM stage_osv_ranges WHERE advisory_id IN (SELECT advisory_id FROM changed)
    UNION
    SELECT project FROM osv_ranges WHERE advisory_id IN (SELECT advisory_id FROM changed)
    ON CONFLICT (project) DO NOTHING
)
SELECT advisory_id, change FROM changed ORDER BY advisory_id
