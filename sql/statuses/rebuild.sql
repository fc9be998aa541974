-- A rebuilt site_projects, after its rows were copied in (rebuild_prepare.sql),
-- indexed once, as the current table is: the primary key and other
-- index-backed constraints (under a name of their own until the swap), every
-- other index with the same definition, the foreign keys, triggers and grants,
-- all read from the catalog, so an index a later migration adds comes along.
-- Index builds sort once instead of inserting row by row. The current table is
-- not locked: writers go on until the swap.
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
    -- foreign keys, not checked yet: from here on a site deleted also deletes its copied projects
    FOR item IN SELECT c.conname, pg_get_constraintdef(c.oid) AS definition
                FROM pg_constraint c
                WHERE c.conrelid = 'site_projects'::regclass AND c.contype = 'f' LOOP
        EXECUTE format('ALTER TABLE site_projects_next ADD CONSTRAINT %I %s NOT VALID', item.conname,
                       item.definition);
    END LOOP;
    -- triggers (not the ones a constraint owns), the same definition on the new table
    FOR item IN SELECT pg_get_triggerdef(t.oid) AS definition
                FROM pg_trigger t
                WHERE t.tgrelid = 'site_projects'::regclass AND NOT t.tgisinternal LOOP
        EXECUTE regexp_replace(item.definition, ' ON (\S+\.)?site_projects ', ' ON \1site_projects_next ');
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
-- A site deleted before that meant its projects to go; then the keys hold for every row.
DELETE FROM site_projects_next n WHERE n.site_id NOT IN (SELECT s.id FROM sites s);
DO $$
DECLARE
    item record;
BEGIN
    FOR item IN SELECT c.conname FROM pg_constraint c
                WHERE c.conrelid = 'site_projects_next'::regclass AND c.contype = 'f' AND NOT c.convalidated LOOP
        EXECUTE format('ALTER TABLE site_projects_next VALIDATE CONSTRAINT %I', item.conname);
    END LOOP;
END
$$;
-- Statistics before the first read plans against it.
ANALYZE site_projects_next
