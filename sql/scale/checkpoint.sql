-- After a bulk load and its VACUUM, every dirty page written out now, as a
-- settled database has them: the figure timed next does not pay for the
-- load's checkpoint. (CHECKPOINT needs a superuser or pg_checkpoint, as the
-- benchmark's own database has.)
CHECKPOINT
