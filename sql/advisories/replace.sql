-- An advisories file replaces everything previously loaded for its feed.
WITH cleared AS (
    DELETE FROM advisories WHERE feed_api = %(feed_api)s
)
INSERT INTO advisories (feed_api, package, project, constraint_text, source)
SELECT %(feed_api)s, entry.key,
       CASE WHEN entry.key IN ('drupal/core', 'drupal/drupal') THEN 'drupal'
            ELSE substr(entry.key, length('drupal/') + 1) END,
       entry.value, %(source)s
FROM jsonb_each_text(%(conflict)s::jsonb) AS entry
WHERE entry.key LIKE 'drupal/%%'
ON CONFLICT (feed_api, package) DO UPDATE SET constraint_text = EXCLUDED.constraint_text,
                                              source = EXCLUDED.source, loaded_at = now()
