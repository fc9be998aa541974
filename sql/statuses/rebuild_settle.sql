-- A filled and indexed rebuilt site_projects made ready for reads before the
-- swap: its rows marked visible to all (so index-only reads need not visit the
-- table, and the first reads set no hint bits page by page) and its statistics
-- gathered, the indexes' expressions included. Beside the caller's transaction,
-- as its fill.
VACUUM (ANALYZE) site_projects_next
