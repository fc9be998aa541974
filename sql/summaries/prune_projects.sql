-- Projects of the given sites none of whose modules is left in site_modules (an
-- admin deleted the module): their status goes before the summaries are
-- recounted, so they no longer count.
DELETE FROM site_projects sp
WHERE sp.site_id = ANY(%(site_ids)s::bigint[])
  AND NOT EXISTS (SELECT FROM site_modules sm WHERE sm.site_id = sp.site_id AND sm.project = sp.project)
