-- The latest release becomes a known version of the module, so site_modules can point at it.
INSERT INTO module_versions (module_id, version_string)
SELECT DISTINCT module_id, latest_version FROM stage_status WHERE latest_version IS NOT NULL
ON CONFLICT (module_id, version_string) DO NOTHING
