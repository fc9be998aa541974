-- A source was read (or answered "not modified"): remember its validators.
INSERT INTO advisory_sources (source, etag, last_modified, advisories, loaded_at)
VALUES (%(source)s, %(etag)s, %(last_modified)s, %(advisories)s, now())
ON CONFLICT (source) DO UPDATE
SET etag = excluded.etag, last_modified = excluded.last_modified, advisories = excluded.advisories,
    loaded_at = excluded.loaded_at
