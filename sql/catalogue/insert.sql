-- A new catalogue entry; no row when the machine name is taken.
INSERT INTO modules (machine_name, display_name, project, module_type, description, drupal_org_link)
VALUES (%(machine_name)s, %(display_name)s, %(project)s, %(module_type)s, %(description)s, %(drupal_org_link)s)
ON CONFLICT (machine_name) DO NOTHING
RETURNING id, machine_name, display_name, project, module_type, description, drupal_org_link, created_at,
          updated_at
