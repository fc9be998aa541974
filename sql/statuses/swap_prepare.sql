-- The swap begins: the current table is locked (writers wait
-- from here to the commit; readers go on), and a stage is made for the rows
-- other runs wrote, since the copied statuses' inputs were read, from newer
-- ones (swap_newer.sql fills it).
LOCK TABLE site_projects IN EXCLUSIVE MODE;
CREATE TEMP TABLE swap_newer (site_id bigint NOT NULL, project text NOT NULL) ON COMMIT DROP
