"""Facts from the release feeds: project title and link, release links (owner: feed-facts work).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

UPGRADE = "SELECT 1"
DOWNGRADE = "SELECT 1"


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
