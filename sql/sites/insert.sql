INSERT INTO sites (name, url, token_hash)
VALUES (%(name)s, %(url)s, %(token_hash)s)
RETURNING id, name, url, created_at
