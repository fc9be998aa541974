-- The site_projects a rebuild replaced (swap.sql), dropped at the end of the
-- transaction that swapped it, after the summaries were recounted: its foreign
-- key goes with it, and that locks the sites it names against every reader
-- (the intake's token checks, every page) from here to the commit, a moment
-- instead of seconds. Nothing to do when no rebuild ran.
DROP TABLE IF EXISTS site_projects_replaced
