-- Write computed statuses back, one row per site and project. The stage holds
-- only the rows whose status changed or that are new (the pipeline compares
-- them with the stored ones it read), so every staged row is written.
INSERT INTO site_projects AS sp (
    site_id, project, version, datestamp, modules, removed_at, status, status_reason, latest_version,
    recommended_version, also_available, security_updates, update_available, security_update_available,
    known_vulnerable, advisories, security_coverage, status_checked_at)
SELECT * FROM staged_projects
ON CONFLICT (site_id, project) DO UPDATE
SET version = excluded.version,
    datestamp = excluded.datestamp,
    modules = excluded.modules,
    removed_at = excluded.removed_at,
    status = excluded.status,
    status_reason = excluded.status_reason,
    latest_version = excluded.latest_version,
    recommended_version = excluded.recommended_version,
    also_available = excluded.also_available,
    security_updates = excluded.security_updates,
    update_available = excluded.update_available,
    security_update_available = excluded.security_update_available,
    known_vulnerable = excluded.known_vulnerable,
    advisories = excluded.advisories,
    security_coverage = excluded.security_coverage,
    status_checked_at = excluded.status_checked_at
