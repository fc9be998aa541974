-- Delete a module; its versions, site modules, their events and its security
-- summary go with it (ON DELETE CASCADE). Returns the sites that had it, whose
-- security summaries the caller recomputes in the same transaction.
WITH had_it AS (
    SELECT coalesce(array_agg(DISTINCT site_id), '{}') AS site_ids
    FROM site_modules
    WHERE module_id = %(module_id)s
), deleted AS (
    DELETE FROM modules WHERE id = %(module_id)s RETURNING id
)
SELECT deleted.id, had_it.site_ids FROM deleted, had_it
