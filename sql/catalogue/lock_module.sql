-- Lock one module before deciding whether it may be deleted: an ingest that
-- adds a site module for it must wait (its foreign key check needs a share
-- lock on this row), so the usage counted next stays true until the delete.
SELECT id, machine_name, display_name, project FROM modules WHERE machine_name = %(machine_name)s FOR UPDATE
