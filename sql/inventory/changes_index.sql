-- After the first round's classification (nearly always most of the run):
-- the removal step probes the changes by task and module, and without
-- statistics the planner would take this fresh temp table for a few rows.
CREATE INDEX ON round_changes (task_id, module_id);
ANALYZE round_changes
