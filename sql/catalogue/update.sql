-- Change the fields flagged `set_*`, keep the others; answers the new row and
-- the old values (for the audit log), no row when there is no such module.
UPDATE modules m
SET display_name = CASE WHEN %(set_display_name)s THEN %(display_name)s ELSE m.display_name END,
    drupal_org_link = CASE WHEN %(set_drupal_org_link)s THEN %(drupal_org_link)s ELSE m.drupal_org_link END,
    description = CASE WHEN %(set_description)s THEN %(description)s ELSE m.description END,
    updated_at = now()
FROM (
    SELECT id, display_name, drupal_org_link, description FROM modules
    WHERE machine_name = %(machine_name)s
    FOR UPDATE
) AS old
WHERE m.id = old.id
RETURNING m.id, m.machine_name, m.display_name, m.project, m.module_type, m.description, m.drupal_org_link,
          m.created_at, m.updated_at,
          old.display_name AS old_display_name, old.drupal_org_link AS old_drupal_org_link,
          old.description AS old_description
