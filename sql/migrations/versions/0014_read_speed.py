"""Reads at scale: the orders GET /sites offers walk an index as far as the page.

The list of sites sorts by id, by name (case-insensitive) or by the last sync,
each either way; with an index per order a page reads its own rows instead of
ranking every site. The indexes are on `sites`, one row per site, so the
inventory merge and the status step do not pay for them.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE INDEX ix_sites_lower_name ON sites (lower(name), id);
CREATE INDEX ix_sites_last_sync ON sites (last_sync_at ASC NULLS FIRST, id);
"""
DOWNGRADE = """
DROP INDEX ix_sites_last_sync;
DROP INDEX ix_sites_lower_name;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
