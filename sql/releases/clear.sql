-- Freshly fetched feeds replace their releases; a 404 clears them.
DELETE FROM releases r
USING stage_projects sp
JOIN projects p ON p.name = sp.name AND p.feed_api = sp.feed_api
WHERE r.project_id = p.id AND sp.fetch_state IN ('ok', 'not_found')
