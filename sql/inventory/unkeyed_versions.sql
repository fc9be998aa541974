-- Versions stored without their order key: added by hand through the API,
-- which stores the string only. The pipeline parses them and sets the key.
SELECT id AS version_id, version_string AS version
FROM module_versions
WHERE sort_key IS NULL
