-- Who may push for a site, and its rate-limit window: answers an intake
-- request that will not land (refused caller, invalid body) without a lock.
SELECT site.id IS NOT NULL AS site_exists,
       site.url,
       (SELECT id FROM sites WHERE token_hash = %(token_hash)s) AS token_site_id,
       recent.used,
       recent.oldest,
       statement_timestamp() AS database_now
FROM (SELECT %(site_id)s::bigint AS id) AS wanted
LEFT JOIN sites AS site ON site.id = wanted.id
LEFT JOIN LATERAL (
    SELECT count(*) AS used, min(received_at) AS oldest
    FROM landing_payloads
    WHERE site_id = site.id
      AND received_at > statement_timestamp() - interval '1 hour'
) AS recent ON true
