-- First statement of a landing transaction: the site row, locked, when the
-- caller may push for it (admin, or the site's own token hash). The lock
-- serialises concurrent pushes of one site, so the rate-limit count in
-- land.sql (a later statement, hence a fresh snapshot) sees every payload
-- landed before it. NO KEY UPDATE is enough for that and, unlike FOR UPDATE,
-- does not block foreign-key checks of other writers referencing the site.
SELECT id, url
FROM sites
WHERE id = %(site_id)s
  AND (%(is_admin)s OR token_hash = %(token_hash)s)
FOR NO KEY UPDATE
