"""Project-level update status: site_projects (owner: status-store work).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

UPGRADE = "SELECT 1"
DOWNGRADE = "SELECT 1"


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
