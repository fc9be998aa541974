-- The machine names of the given sites' modules (every module's when site_ids
-- is null), once each however many sites run them: the status step tells by
-- them which module is named after its project, the one that speaks for it.
-- Read apart from the site modules, whose millions of rows a join would probe
-- one by one.
SELECT id AS module_id, machine_name
FROM modules
WHERE %(site_ids)s::bigint[] IS NULL
   OR id IN (SELECT module_id FROM site_modules WHERE site_id = ANY(%(site_ids)s::bigint[]))
