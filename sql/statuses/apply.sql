-- Write the staged statuses, one row per site and project. status_checked_at
-- is when the inputs of a status were read: a row computed from inputs read
-- later than ours (another run's, committed meanwhile) is newer and stays. A
-- site deleted since the inputs were read meant its projects to go.
INSERT INTO site_projects AS sp (
    site_id, project, version, datestamp, modules, removed_at, status, status_reason, latest_version,
    recommended_version, also_available, security_updates, update_available, security_update_available,
    known_vulnerable, advisories, security_coverage, status_checked_at, status_digest)
SELECT * FROM stage_status st WHERE EXISTS (SELECT FROM sites s WHERE s.id = st.site_id)
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
    status_checked_at = excluded.status_checked_at,
    status_digest = excluded.status_digest
WHERE sp.status_checked_at IS NULL OR sp.status_checked_at <= excluded.status_checked_at
