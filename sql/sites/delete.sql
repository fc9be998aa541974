-- Delete a site. Landing payloads, site modules, their events, its projects'
-- statuses and the site's security summary go with it (ON DELETE CASCADE).
-- Returns the projects it had, whose security summaries the caller recounts
-- in the same transaction.
WITH its_projects AS (
    SELECT coalesce(array_agg(project), '{}') AS projects
    FROM site_projects
    WHERE site_id = %(site_id)s
), deleted AS (
    DELETE FROM sites
    WHERE id = %(site_id)s
    RETURNING id, name, url
)
SELECT deleted.id, deleted.name, deleted.url, its_projects.projects FROM deleted, its_projects
