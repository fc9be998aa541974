-- How many OSV advisories and ranges are stored.
SELECT (SELECT count(*) FROM osv_advisories) AS advisories, (SELECT count(*) FROM osv_ranges) AS ranges
