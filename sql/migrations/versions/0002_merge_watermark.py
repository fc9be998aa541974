"""Cheaper merges: a site-level full-sync watermark, and history without redundant foreign keys.

A full sync lists every module a site has, so every site module still present
after it was seen at that sync's time. Recording that once per site
(`sites.last_full_sync_at`) spares the merge from rewriting `last_seen` on
every unchanged row; readers take the later of the two.

History rows reach their site and module through `site_module_id`, whose
foreign key cascades; the direct keys to sites, modules and tasks only cost
three lookups per inserted event. `site_id` and `module_id` stay as columns
for filtering, `task_id` as a reference that outlives its landing row.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE sites ADD COLUMN last_full_sync_at timestamptz;
UPDATE sites s SET last_full_sync_at = latest.received_at
FROM (SELECT site_id, max(received_at) AS received_at FROM landing_payloads
      WHERE sync_type = 'full' AND merged_at IS NOT NULL GROUP BY site_id) latest
WHERE s.id = latest.site_id;

ALTER TABLE site_module_events DROP CONSTRAINT site_module_events_site_id_fkey;
ALTER TABLE site_module_events DROP CONSTRAINT site_module_events_module_id_fkey;
ALTER TABLE site_module_events DROP CONSTRAINT site_module_events_task_id_fkey;
DROP INDEX ix_site_module_events_module;
DROP INDEX ix_site_module_events_task;
"""

DOWNGRADE = """
CREATE INDEX ix_site_module_events_task ON site_module_events (task_id);
CREATE INDEX ix_site_module_events_module ON site_module_events (module_id);
UPDATE site_module_events e SET task_id = NULL
WHERE task_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM landing_payloads p WHERE p.task_id = e.task_id);
ALTER TABLE site_module_events ADD CONSTRAINT site_module_events_task_id_fkey
    FOREIGN KEY (task_id) REFERENCES landing_payloads (task_id) ON DELETE SET NULL;
ALTER TABLE site_module_events ADD CONSTRAINT site_module_events_module_id_fkey
    FOREIGN KEY (module_id) REFERENCES modules (id) ON DELETE CASCADE;
ALTER TABLE site_module_events ADD CONSTRAINT site_module_events_site_id_fkey
    FOREIGN KEY (site_id) REFERENCES sites (id) ON DELETE CASCADE;

UPDATE site_modules sm SET last_seen = s.last_full_sync_at
FROM sites s
WHERE s.id = sm.site_id AND sm.removed_at IS NULL AND s.last_full_sync_at > sm.last_seen;
ALTER TABLE sites DROP COLUMN last_full_sync_at;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
