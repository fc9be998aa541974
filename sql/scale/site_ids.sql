-- The platform's id of each generated site.
SELECT s.site, t.id AS site_id
FROM scale_sites s
JOIN sites t ON t.url = s.url
