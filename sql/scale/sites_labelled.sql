-- The ids of the generated sites of one label (their URLs start with https://<label>-).
SELECT id
FROM sites
WHERE url LIKE 'https://' || %(label)s || '-%%'
ORDER BY id
