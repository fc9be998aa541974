UPDATE sites
SET token_hash = %(token_hash)s, updated_at = now()
WHERE id = %(site_id)s
RETURNING id, name, url, created_at
