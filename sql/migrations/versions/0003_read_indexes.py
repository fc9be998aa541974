"""Indexes for the read API: small partial indexes over the few rows a read needs.

Each holds only rows in trouble, with a security update, or removed — a
sliver of `site_modules` — so ingest pays almost nothing to keep them, while
the reads they serve stop visiting heap pages spread over the whole table:

- `/reports/security`, affected sites per module: the insecure rows in module order;
- `/sites?sort=security_updates`: the security-update rows, counted per site;
- module site counts (`/modules`): every row of a module is counted
  index-only on `ix_site_modules_module`, less its removed rows counted here.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE INDEX ix_site_modules_insecure_module ON site_modules (module_id)
    WHERE removed_at IS NULL
      AND (status IN ('NOT_SECURE', 'REVOKED') OR known_vulnerable);
CREATE INDEX ix_site_modules_security_updates ON site_modules (site_id)
    WHERE removed_at IS NULL AND security_update_available;
CREATE INDEX ix_site_modules_removed_module ON site_modules (module_id)
    WHERE removed_at IS NOT NULL;
"""

DOWNGRADE = """
DROP INDEX IF EXISTS ix_site_modules_removed_module;
DROP INDEX IF EXISTS ix_site_modules_security_updates;
DROP INDEX IF EXISTS ix_site_modules_insecure_module;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
