-- A rebuilt site_projects, filled, settled and indexed beside the caller's
-- transaction (rebuild_table.sql, rebuild_settle.sql, rebuild_indexes.sql),
-- given in it the rest of what the current table has, all read from the
-- catalog: its primary key and unique constraints on the indexes built for
-- them, its exclusion constraints (under a name of their own until the swap),
-- its foreign keys, triggers and grants. The current table is not locked:
-- writers go on until the swap.
DO $$
DECLARE
    item record;
BEGIN
    FOR item IN SELECT c.conname, c.contype, pg_get_constraintdef(c.oid) AS definition
                FROM pg_constraint c
                WHERE c.conrelid = 'site_projects'::regclass AND c.contype IN ('p', 'u', 'x') LOOP
        IF item.contype = 'x' THEN
            EXECUTE format('ALTER TABLE site_projects_next ADD CONSTRAINT %I %s',
                           item.conname || '_next', item.definition);
        ELSE
            EXECUTE format('ALTER TABLE site_projects_next ADD CONSTRAINT %I %s USING INDEX %I',
                           item.conname || '_next', CASE item.contype WHEN 'p' THEN 'PRIMARY KEY' ELSE 'UNIQUE' END,
                           item.conname || '_next');
        END IF;
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
-- A site deleted before its foreign key was there meant its projects to go; then the keys hold for every
-- row. The sites present are found with one probe of the primary key per site (a walk from each site id to
-- the next), not a pass over millions of rows.
WITH RECURSIVE present (site_id) AS (
    (SELECT n.site_id FROM site_projects_next n ORDER BY n.site_id LIMIT 1)
    UNION ALL
    SELECT (SELECT n.site_id FROM site_projects_next n WHERE n.site_id > p.site_id ORDER BY n.site_id LIMIT 1)
    FROM present p
    WHERE p.site_id IS NOT NULL
)
DELETE FROM site_projects_next n
USING present p
WHERE n.site_id = p.site_id AND NOT EXISTS (SELECT FROM sites s WHERE s.id = p.site_id);
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
-- Statistics before the first read plans against it, the indexes' expressions included.
ANALYZE site_projects_next
