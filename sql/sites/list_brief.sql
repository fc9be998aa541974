SELECT id, name, url, created_at, last_sync_at
FROM sites
ORDER BY id
