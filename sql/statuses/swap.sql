-- The rebuilt site_projects takes the place of the old one: a catalog change,
-- inside the caller's transaction, so readers see the old table until the
-- commit and the whole new one after it. Its indexes and constraints take the
-- old names back.
DROP TABLE site_projects;
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
