-- The rebuilt site_projects takes the place of the old one: a catalog change,
-- inside the caller's transaction (begun by swap_prepare.sql), so readers see
-- the old table until the commit and the whole new one after it. First, what
-- other runs wrote from newer inputs (swap_newer) replaces the copied rows.
DELETE FROM site_projects_next n USING swap_newer k WHERE n.site_id = k.site_id AND n.project = k.project;
INSERT INTO site_projects_next (
    site_id, project, version, datestamp, modules, removed_at, status, status_reason, latest_version,
    recommended_version, also_available, security_updates, update_available, security_update_available,
    known_vulnerable, advisories, security_coverage, status_checked_at, status_digest)
SELECT sp.site_id, sp.project, sp.version, sp.datestamp, sp.modules, sp.removed_at, sp.status, sp.status_reason,
       sp.latest_version, sp.recommended_version, sp.also_available, sp.security_updates, sp.update_available,
       sp.security_update_available, sp.known_vulnerable, sp.advisories, sp.security_coverage,
       sp.status_checked_at, sp.status_digest
FROM swap_newer k
JOIN site_projects sp ON sp.site_id = k.site_id AND sp.project = k.project;
-- The current table steps aside under another name, its constraints and indexes too (names of indexes are
-- unique in a schema); the rebuilt one takes the names. The replaced table is dropped last
-- (drop_replaced.sql), after the summaries: dropping it drops its foreign key, which locks the sites it
-- names against every reader until the commit.
ALTER TABLE site_projects RENAME TO site_projects_replaced;
DO $$
DECLARE
    item record;
BEGIN
    FOR item IN SELECT c.conname FROM pg_constraint c WHERE c.conrelid = 'site_projects_replaced'::regclass LOOP
        EXECUTE format('ALTER TABLE site_projects_replaced RENAME CONSTRAINT %I TO %I',
                       item.conname, item.conname || '_replaced');
    END LOOP;
    FOR item IN SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                WHERE x.indrelid = 'site_projects_replaced'::regclass
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid
                                                                   AND c.conrelid = x.indrelid) LOOP
        EXECUTE format('ALTER INDEX %I RENAME TO %I', item.relname, item.relname || '_replaced');
    END LOOP;
END
$$;
ALTER TABLE site_projects_next RENAME TO site_projects;
DO $$
DECLARE
    item record;
BEGIN
    FOR item IN SELECT c.conname FROM pg_constraint c
                WHERE c.conrelid = 'site_projects'::regclass AND c.conname LIKE '%\_next' LOOP
        EXECUTE format('ALTER TABLE site_projects RENAME CONSTRAINT %I TO %I',
                       item.conname, left(item.conname, -length('_next')));
    END LOOP;
    FOR item IN SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                WHERE x.indrelid = 'site_projects'::regclass AND i.relname LIKE '%\_next' LOOP
        EXECUTE format('ALTER INDEX %I RENAME TO %I', item.relname, left(item.relname, -length('_next')));
    END LOOP;
END
$$
