"""Nothing reads a site module's security flag through a function any more.

Migration 0010 kept `security_update_available(site_modules)` so that the
task result's count worked while readers moved to `site_projects`; every
reader now joins `site_projects` itself, so the function goes. (The revision
id was reserved for status-write work, which needed no schema change: a full
recompute swaps in a new table built by the status step.)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

UPGRADE = "DROP FUNCTION security_update_available(site_modules);"
DOWNGRADE = """
CREATE FUNCTION security_update_available(site_modules) RETURNS boolean
LANGUAGE sql STABLE
AS $$
    SELECT coalesce((SELECT sp.security_update_available FROM site_projects sp
                     WHERE sp.site_id = $1.site_id AND sp.project = $1.project), false)
$$;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
