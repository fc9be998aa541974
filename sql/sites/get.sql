-- One site as GET /sites/{id} shows it, with the counts of its present
-- modules and projects and the site the caller's token belongs to (NULL for an unknown
-- token or the admin).
SELECT site.id, site.name, site.url, site.created_at, site.last_sync_at, site.core_version,
       coalesce(site.last_sync_at, site.created_at)
           < now() - make_interval(hours => %(stale_after_hours)s::int) AS stale,
       counts.modules, counts.updates_available, counts.security_updates, counts.known_vulnerable,
       counts.projects, counts.projects_updates_available, counts.projects_security_updates,
       counts.projects_known_vulnerable, counts.projects_in_trouble,
       (SELECT id FROM sites WHERE token_hash = %(token_hash)s) AS token_site_id
FROM (SELECT 1) AS one
LEFT JOIN sites AS site ON site.id = %(site_id)s
LEFT JOIN LATERAL site_module_counts(site.id) AS counts ON true
