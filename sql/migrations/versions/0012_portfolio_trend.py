"""Daily points of the portfolio's problems, kept by the pipeline (owner: dashboard work).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

UPGRADE = "SELECT 1"
DOWNGRADE = "SELECT 1"


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
