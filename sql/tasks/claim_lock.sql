-- Claims take turns, so that two runs can never split one site's payloads
-- between them. The lock ends with the claiming transaction.
SELECT pg_advisory_xact_lock(hashtext('modwatch.landing_claim'))
