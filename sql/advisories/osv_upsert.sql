-- The staged advisories that are new or changed, written over the stored ones.
INSERT INTO osv_advisories AS a (id, aliases, summary, details, url, published, modified, withdrawn, source)
SELECT id, aliases, summary, details, url, published, modified, withdrawn, %(source)s
FROM stage_osv_advisories
WHERE id = ANY(%(advisory_ids)s::text[])
ON CONFLICT (id) DO UPDATE
SET aliases = excluded.aliases, summary = excluded.summary, details = excluded.details, url = excluded.url,
    published = excluded.published, modified = excluded.modified, withdrawn = excluded.withdrawn,
    source = excluded.source, loaded_at = now()
