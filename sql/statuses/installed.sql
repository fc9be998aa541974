-- Site modules of the given sites (all sites when site_ids is null) and of the
-- given projects (all when null: an advisories change recomputes only its
-- projects), removed ones included: a project's status is gathered from its
-- modules, and a project whose every module is removed keeps one. Ids only
-- for the site, the module and the version (sites.sql, module_names.sql and
-- versions.sql name them, once each).
SELECT sm.id AS site_module_id, sm.site_id, sm.module_id, sm.project, sm.current_version_id, sm.datestamp,
       sm.module_type, sm.removed_at
FROM site_modules sm
WHERE (%(site_ids)s::bigint[] IS NULL OR sm.site_id = ANY(%(site_ids)s::bigint[]))
  AND (%(projects)s::text[] IS NULL OR sm.project = ANY(%(projects)s::text[]))
