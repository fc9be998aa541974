-- Foreign-key triggers off for the rest of the load's transaction: the
-- generated rows are consistent by construction, and checking millions of
-- references one by one would be most of the benchmark's time.
SET LOCAL session_replication_role = replica
