"""Reads at scale (owner: read speed work).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

UPGRADE = "SELECT 1"
DOWNGRADE = "SELECT 1"


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
