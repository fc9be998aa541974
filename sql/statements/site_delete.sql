-- Landing payloads, site modules and their events go with the site (ON DELETE CASCADE).
DELETE FROM sites
WHERE id = %(site_id)s
RETURNING id, name, url
