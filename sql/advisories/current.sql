-- Every loaded advisory constraint, for the status step to match installed versions against.
SELECT feed_api, package, project, constraint_text
FROM advisories
