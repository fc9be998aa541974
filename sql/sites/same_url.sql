-- The registered site whose URL names the same site as %(url)s: scheme, host,
-- port (the scheme's default when absent) and path agree, ignoring case, user
-- info, query, fragment and a trailing slash — as intake.site_urls compares a
-- payload's reported URL with the registered one.
WITH urls AS (
    SELECT id, name, url FROM sites
    UNION ALL
    SELECT NULL, NULL, %(url)s
), parts AS (
    SELECT id, name, url,
           regexp_match(lower(btrim(url)),
                        '^([a-z][a-z0-9+.-]*)://(?:[^/?#]*@)?(\[[^]]*\]|[^/?#:]*)(?::([0-9]*))?([^?#]*)') AS part
    FROM urls
), keyed AS (
    SELECT id, name, url,
           part[1] || ' ' || btrim(part[2], '[]') || ' '
           || coalesce(nullif(part[3], '')::numeric, CASE part[1] WHEN 'http' THEN 80 WHEN 'https' THEN 443 END)
           || ' ' || rtrim(part[4], '/') AS site_key
    FROM parts
)
SELECT site.id, site.name, site.url
FROM keyed AS site
JOIN keyed AS wanted ON wanted.id IS NULL AND wanted.site_key = site.site_key
WHERE site.id IS NOT NULL
ORDER BY site.id
LIMIT 1
