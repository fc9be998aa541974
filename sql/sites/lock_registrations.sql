-- Serialises registrations until commit: two admins registering the same URL
-- at once cannot both find it free (a site's URL never changes afterwards).
SELECT pg_advisory_xact_lock(hashtext('modwatch.site_registration'))
