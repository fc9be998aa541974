"""Reserved for the read-speed work on /modules and /reports/security (issue 17).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
