-- One page of sites plus the total; a page past the end still reports the total.
SELECT counted.total, page.id, page.name, page.url, page.created_at, page.last_sync_at, page.core_version
FROM (SELECT count(*) AS total FROM sites) AS counted
LEFT JOIN LATERAL (
    SELECT id, name, url, created_at, last_sync_at, core_version
    FROM sites
    ORDER BY id
    LIMIT %(limit)s OFFSET %(offset)s
) AS page ON true
ORDER BY page.id
