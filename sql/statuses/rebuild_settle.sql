-- A filled rebuilt site_projects made ready for reads before it is indexed:
-- its rows marked visible to all, so that index-only reads need not visit the
-- table and the first reads after the swap set no hint bits page by page (rows
-- a COPY on one connection could have frozen, but this table is filled on
-- several). Beside the caller's transaction, as its fill; before the index
-- builds, which then find every row's visibility already set.
VACUUM site_projects_next
