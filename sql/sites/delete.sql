-- Delete a site. Landing payloads, site modules, their events and the site's
-- security summary go with it (ON DELETE CASCADE). Returns the modules it had,
-- whose security summaries the caller recounts in the same transaction.
WITH its_modules AS (
    SELECT coalesce(array_agg(DISTINCT module_id), '{}') AS module_ids
    FROM site_modules
    WHERE site_id = %(site_id)s
), deleted AS (
    DELETE FROM sites
    WHERE id = %(site_id)s
    RETURNING id, name, url
)
SELECT deleted.id, deleted.name, deleted.url, its_modules.module_ids FROM deleted, its_modules
