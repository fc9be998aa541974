-- The stages a generated portfolio is COPYed into before it is spread over
-- the platform tables (dropped at commit).
CREATE TEMP TABLE scale_sites (site bigint, name text, url text, core_version text) ON COMMIT DROP;
CREATE TEMP TABLE scale_stage (
    site bigint, machine_name text, project text, module_type text, version text,
    datestamp bigint, enabled boolean
) ON COMMIT DROP;
CREATE TEMP TABLE scale_versions (
    machine_name text, version text, major integer, minor integer, patch integer, extra text, sort_key bigint
) ON COMMIT DROP;
CREATE TEMP TABLE scale_site_ids (site bigint, site_id bigint) ON COMMIT DROP;
