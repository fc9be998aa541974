-- A page of one site's events, newest first, the total, and who may read it
-- (as sql/site_modules/page.sql). Not materialized: the page walks the
-- (site_id, occurred_at DESC) index and stops after `limit + offset` rows.
-- A NULL filter parameter means "no filter".
WITH matching AS NOT MATERIALIZED (
    SELECT e.id, e.module_id, e.event_type, e.from_version, e.to_version, e.task_id, e.occurred_at
    FROM site_module_events e
    WHERE e.site_id = %(site_id)s
      AND (%(module)s::text IS NULL
           OR e.module_id = (SELECT id FROM modules WHERE machine_name = %(module)s::text))
      AND (%(events)s::text[] IS NULL OR e.event_type = ANY (%(events)s::text[]))
      AND (%(since)s::timestamptz IS NULL OR e.occurred_at >= %(since)s::timestamptz)
      AND (%(until)s::timestamptz IS NULL OR e.occurred_at < %(until)s::timestamptz)
)
SELECT access.site_exists, access.token_site_id, counted.total,
       page.id, m.machine_name, page.event_type AS event, page.from_version, page.to_version, page.task_id,
       page.occurred_at
FROM (
    SELECT EXISTS (SELECT 1 FROM sites WHERE id = %(site_id)s) AS site_exists,
           (SELECT id FROM sites WHERE token_hash = %(token_hash)s) AS token_site_id
) AS access
CROSS JOIN (SELECT count(*) AS total FROM matching) AS counted
LEFT JOIN LATERAL (
    SELECT * FROM matching ORDER BY occurred_at DESC, id DESC LIMIT %(limit)s OFFSET %(offset)s
) AS page ON true
LEFT JOIN modules m ON m.id = page.module_id
ORDER BY page.occurred_at DESC, page.id DESC
