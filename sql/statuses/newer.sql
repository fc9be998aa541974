-- The site projects checked after the given moment (status_checked_at: when
-- the inputs of a status were read), in their stored form: while a rebuild
-- computed from inputs read then, another run wrote these from newer ones, so
-- the rebuilt table takes them as they are. Few rows; one pass over the table.
SELECT sp.site_id, sp.project, sp.version, sp.datestamp, sp.modules, sp.removed_at, sp.status, sp.status_reason,
       sp.latest_version, sp.recommended_version, sp.also_available::text AS also_available,
       sp.security_updates::text AS security_updates, sp.update_available, sp.security_update_available,
       sp.known_vulnerable, sp.advisories::text AS advisories, sp.security_coverage::text AS security_coverage,
       sp.status_checked_at, sp.status_digest
FROM site_projects sp
WHERE sp.status_checked_at > %(checked_at)s
