-- A project's newest releases of the feed each generation reads, with their
-- drupal.org pages: where a fix is published.
SELECT p.feed_api, r.version, r.released_at, r.is_security_update, r.is_insecure, r.status, r.release_link
FROM projects p
JOIN releases r ON r.project_id = p.id
WHERE p.name = %(project)s
ORDER BY p.feed_api, r.sort_key DESC NULLS LAST, r.version DESC
LIMIT %(limit)s
