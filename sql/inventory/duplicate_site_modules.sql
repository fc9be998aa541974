SELECT site_id, module_id, count(*) AS copies
FROM site_modules
GROUP BY site_id, module_id
HAVING count(*) > 1
LIMIT 20
