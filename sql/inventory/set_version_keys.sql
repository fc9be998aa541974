-- Order keys parsed by the pipeline for versions stored without one.
UPDATE module_versions v
SET sort_key = parsed.sort_key
FROM unnest(%(version_ids)s::bigint[], %(sort_keys)s::bigint[]) AS parsed(version_id, sort_key)
WHERE v.id = parsed.version_id AND v.sort_key IS NULL
