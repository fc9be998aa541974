SELECT id AS site_module_id, status, update_available, security_update_available, known_vulnerable,
       recommended_version
FROM site_modules
