-- A whole new site_projects when most of its rows change (a first computation,
-- a rule change): the staged statuses and every row not staged, written into a
-- fresh table with no index (far cheaper than updating each row in each
-- index), then indexed once. Same columns, defaults, checks and generated
-- column (LIKE); the indexes, keys and grants are copied from the catalog, so
-- an index a later migration adds comes along. Writers wait from here until
-- the swap commits (a status written meanwhile would be lost); readers go on
-- reading the current table.
LOCK TABLE site_projects IN EXCLUSIVE MODE;
-- Room for the hash and sorts of millions of rows in memory rather than on disk; no JIT compile for a
-- plan that runs once.
SET LOCAL work_mem = '256MB';
SET LOCAL jit = off;
ANALYZE stage_status;
DROP TABLE IF EXISTS site_projects_next;
CREATE TABLE site_projects_next (LIKE site_projects
    INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS);
-- The stage comes in key order and is read in that order: the heap is filled site by site, as
-- reads of one site want it. A staged project of a site deleted since the inputs were read is left
-- out, as its delete meant.
INSERT INTO site_projects_next (
    site_id, project, version, datestamp, modules, removed_at, status, status_reason, latest_version,
    recommended_version, also_available, security_updates, update_available, security_update_available,
    known_vulnerable, advisories, security_coverage, status_checked_at)
SELECT st.* FROM staged_projects st WHERE EXISTS (SELECT 1 FROM sites s WHERE s.id = st.site_id)
UNION ALL
SELECT sp.site_id, sp.project, sp.version, sp.datestamp, sp.modules, sp.removed_at, sp.status, sp.status_reason,
       sp.latest_version, sp.recommended_version, sp.also_available, sp.security_updates, sp.update_available,
       sp.security_update_available, sp.known_vulnerable, sp.advisories, sp.security_coverage,
       sp.status_checked_at
FROM site_projects sp
WHERE NOT EXISTS (SELECT 1 FROM stage_status st WHERE st.site_id = sp.site_id AND st.project = sp.project);
-- Index builds sort once instead of inserting row by row: give them room.
SET LOCAL maintenance_work_mem = '256MB';
DO $$
DECLARE
    item record;
BEGIN
    -- the primary key and other index-backed constraints, under a name of their own until the swap
    FOR item IN SELECT c.conname, pg_get_constraintdef(c.oid) AS definition
                FROM pg_constraint c
                WHERE c.conrelid = 'site_projects'::regclass AND c.contype IN ('p', 'u', 'x') LOOP
        EXECUTE format('ALTER TABLE site_projects_next ADD CONSTRAINT %I %s',
                       item.conname || '_next', item.definition);
    END LOOP;
    -- every other index, the same definition on the new table
    FOR item IN SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition
                FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                WHERE x.indrelid = 'site_projects'::regclass
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid
                                                                   AND c.conrelid = x.indrelid) LOOP
        EXECUTE regexp_replace(
            regexp_replace(item.definition, '^CREATE (UNIQUE )?INDEX \S+ ON ',
                           format('CREATE \1INDEX %I ON ', item.name || '_next')),
            ' ON (\S+\.)?site_projects USING ', ' ON \1site_projects_next USING ');
    END LOOP;
    -- foreign keys: the rows were just filtered by the sites that exist, so this check finds none missing
    FOR item IN SELECT c.conname, pg_get_constraintdef(c.oid) AS definition
                FROM pg_constraint c
                WHERE c.conrelid = 'site_projects'::regclass AND c.contype = 'f' LOOP
        EXECUTE format('ALTER TABLE site_projects_next ADD CONSTRAINT %I %s', item.conname, item.definition);
    END LOOP;
    FOR item IN SELECT a.privilege_type, a.grantee, a.is_grantable
                FROM pg_class t, aclexplode(t.relacl) a
                WHERE t.oid = 'site_projects'::regclass AND a.grantee <> t.relowner LOOP
        EXECUTE format('GRANT %s ON site_projects_next TO %s%s', item.privilege_type,
                       CASE WHEN item.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(item.grantee::regrole::text) END,
                       CASE WHEN item.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
END
$$;
-- Statistics before the first read plans against it.
ANALYZE site_projects_next
