SELECT id FROM sites WHERE token_hash = %(token_hash)s
