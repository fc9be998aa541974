-- Delete a module; its versions, site modules and their events go with it (ON DELETE CASCADE).
DELETE FROM modules WHERE id = %(module_id)s RETURNING id
