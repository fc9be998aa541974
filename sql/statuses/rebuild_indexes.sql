-- The indexes of a rebuilt site_projects, as commands for the connections that
-- filled it (sql.connection.spread builds them side by side): the current
-- table's, read from the catalog, so an index a later migration adds comes
-- along. The index of a primary key or unique constraint is built as a unique
-- index under the constraint's name and a suffix, which rebuild.sql makes the
-- constraint; every other index has the same definition under its name and the
-- suffix (swap.sql takes the names back). Largest first, so that the last to
-- finish is a small one. Each command sets what its build needs: room to sort
-- in memory, and no long wait on a lock.
SELECT format('SET LOCAL maintenance_work_mem = %L; SET LOCAL lock_timeout = %L; %s', '256MB', '1min',
              regexp_replace(
                  regexp_replace(pg_get_indexdef(x.indexrelid), '^CREATE (UNIQUE )?INDEX \S+ ON ',
                                 format('CREATE \1INDEX %I ON ', coalesce(c.conname, i.relname) || '_next')),
                  ' ON (\S+\.)?site_projects USING ', ' ON \1site_projects_next USING ')) AS command
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
WHERE x.indrelid = 'site_projects'::regclass
  -- an exclusion constraint's index comes with the constraint (rebuild.sql)
  AND (c.contype IS NULL OR c.contype IN ('p', 'u'))
ORDER BY i.relpages DESC, i.relname
