-- Write computed statuses back. The stage holds only the rows whose status
-- changed (the pipeline compares them with the stored ones it read), so every
-- staged row is written.
UPDATE site_modules sm
SET status = st.status,
    status_reason = st.status_reason,
    recommended_version = st.recommended_version,
    also_available = st.also_available,
    security_updates = st.security_updates,
    update_available = st.update_available,
    security_update_available = st.security_update_available,
    known_vulnerable = st.known_vulnerable,
    advisories = st.advisories,
    latest_version_id = v.id,
    status_checked_at = now()
FROM stage_status st
LEFT JOIN module_versions v ON v.module_id = st.module_id AND v.version_string = st.latest_version
WHERE sm.id = st.site_module_id
