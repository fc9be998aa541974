-- Advisories the database no longer lists (their ranges and exposures go with them).
DELETE FROM osv_advisories WHERE id = ANY(%(advisory_ids)s::text[])
