"""What the Dagster definitions (`orchestration/defs/`) run, defining nothing for Dagster itself.

- `landing`: the landing table as a task queue (pending, claim, release of dead runs);
- `runs`: how a batch of pending payloads becomes an ingest run request;
- `merge`: a normalised inventory into the platform tables;
- `status`: update statuses and security summaries, recomputed set-based;
- `feeds`: fetching release-history feeds; `release_history`: storing them;
- `advisories`: loading the security advisories metapackage;
- `process`: `modwatch process`, the ingest job in this process.
"""
