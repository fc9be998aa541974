-- Write computed statuses back; only rows that actually change are touched.
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
    latest_version_id = st.latest_version_id,
    status_checked_at = now()
FROM (
    SELECT s.*, v.id AS latest_version_id
    FROM stage_status s
    LEFT JOIN module_versions v ON v.module_id = s.module_id AND v.version_string = s.latest_version
) st
WHERE sm.id = st.site_module_id
  AND (sm.status, sm.status_reason, sm.recommended_version, sm.also_available, sm.security_updates,
       sm.update_available, sm.security_update_available, sm.known_vulnerable, sm.advisories,
       sm.latest_version_id)
      IS DISTINCT FROM
      (st.status, st.status_reason, st.recommended_version, st.also_available, st.security_updates,
       st.update_available, st.security_update_available, st.known_vulnerable, st.advisories,
       st.latest_version_id)
