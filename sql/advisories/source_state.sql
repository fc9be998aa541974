-- The validators the last load of a source answered with, for a conditional GET.
SELECT etag, last_modified FROM advisory_sources WHERE source = %(source)s
