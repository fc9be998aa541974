-- What every payload of the run does to each module of its site, all rounds
-- at once. A module's cells are its stored row (round 0), each payload that
-- lists it, and each full sync that does not; in round order, each cell finds
-- the state the previous one left, so a run judges its payloads exactly as
-- applying them one by one would. A listed module is created (absent or
-- removed before), updated (another version, enabled or disabled) or
-- unchanged; a full sync removes a module present before it and not listed.
WITH stored AS MATERIALIZED (
    SELECT sm.site_id, sm.module_id, sm.removed_at IS NULL AS present, sm.current_version_id AS version_id,
           sm.enabled, sm.project, sm.module_type, sm.datestamp, sm.first_seen, sm.last_seen, sm.last_updated
    FROM site_modules sm
    -- The sites as a parameter: the planner then knows how few they are, and reads their rows by index.
    WHERE sm.site_id = ANY(%(site_ids)s::bigint[])
), cells AS (
    SELECT 0 AS round, NULL::bigint AS landing_id, site_id, module_id, false AS listed, present, version_id,
           NULL AS version, enabled, project, module_type, datestamp, first_seen, last_seen, last_updated
    FROM stored
    UNION ALL
    SELECT round, landing_id, site_id, module_id, true, true, version_id, version, enabled, project, module_type,
           datestamp, NULL, NULL, NULL
    FROM stage_listed
    UNION ALL
    -- A full sync leaves out the modules of its site it does not list (those present before it: stored
    -- or listed by an earlier payload of the run; the window tells which). Only modules some payload of
    -- the run does not list need looking at: on a steady day every sync lists them all.
    SELECT p.round, p.landing_id, p.site_id, known.module_id, false, false,
           NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
    FROM (SELECT site_id, module_id, sum(listings) AS listings
          FROM (SELECT site_id, module_id, 1 AS listings FROM stage_listed
                UNION ALL
                SELECT site_id, module_id, 0 FROM stored WHERE present) AS seen
          GROUP BY site_id, module_id) AS known
    JOIN (SELECT site_id, count(*) AS payloads FROM stage_payloads GROUP BY site_id) AS site
         ON site.site_id = known.site_id AND known.listings < site.payloads
    JOIN stage_payloads p ON p.site_id = known.site_id AND p.sync_type = 'full'
    WHERE NOT EXISTS (SELECT FROM stage_listed l WHERE l.landing_id = p.landing_id AND l.module_id = known.module_id)
), judged AS (
    SELECT c.*,
           coalesce(lag(c.present) OVER w, false) AS was_present,
           lag(c.version_id) OVER w AS was_version_id,
           lag(c.enabled) OVER w AS was_enabled,
           lag(c.project) OVER w AS was_project,
           lag(c.module_type) OVER w AS was_module_type,
           lag(c.datestamp) OVER w AS was_datestamp,
           -- the stored row's dates (round 0 comes first), for the write
           first_value(c.first_seen) OVER w AS stored_first_seen,
           first_value(c.last_seen) OVER w AS stored_last_seen,
           first_value(c.last_updated) OVER w AS stored_last_updated
    FROM cells c
    WINDOW w AS (PARTITION BY c.site_id, c.module_id ORDER BY c.round)
)
INSERT INTO round_changes (round, task_id, site_id, module_id, received_at, outcome, old_version_id, new_version,
                           old_enabled, new_enabled, version_id, project, module_type, datestamp, needs_write,
                           version_moved, stored_first_seen, stored_last_seen, stored_last_updated)
SELECT j.round, p.task_id, j.site_id, j.module_id, p.received_at,
       CASE WHEN NOT listed THEN 'removed'
            WHEN NOT was_present THEN 'created'
            WHEN was_version_id <> version_id OR was_enabled <> enabled THEN 'updated'
            ELSE 'unchanged' END,
       CASE WHEN was_present THEN was_version_id END,
       version,
       CASE WHEN was_present THEN was_enabled END,
       listed AND enabled,
       CASE WHEN listed THEN version_id ELSE was_version_id END,
       CASE WHEN listed THEN project ELSE was_project END,
       CASE WHEN listed THEN module_type ELSE was_module_type END,
       CASE WHEN listed THEN datestamp ELSE was_datestamp END,
       NOT listed
       OR NOT was_present
       OR p.sync_type = 'partial'
       OR was_version_id <> version_id
       OR was_enabled <> enabled
       OR was_project <> project
       OR was_module_type <> module_type
       OR was_datestamp IS DISTINCT FROM datestamp,
       listed AND (NOT was_present OR was_version_id <> version_id),
       stored_first_seen, stored_last_seen, stored_last_updated
FROM judged j
JOIN stage_payloads p ON p.landing_id = j.landing_id
WHERE j.round > 0 AND (listed OR was_present)
