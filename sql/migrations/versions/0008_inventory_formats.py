"""Inventories as sites already print them: the landing table records shapes `c` and `d`.

`c` is the output of `drush pm:list --format=json`, `d` a `composer.lock`,
both landed as received beside the modwatch clients' shapes `a` and `b`.
Versions need no change: an empty one is stored as the empty string, which
`module_versions` and `site_modules` already accept.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE landing_payloads DROP CONSTRAINT landing_payloads_payload_shape_check;
ALTER TABLE landing_payloads
    ADD CONSTRAINT landing_payloads_payload_shape_check CHECK (payload_shape IN ('a', 'b', 'c', 'd'));
"""

# Fails while payloads of the new shapes are stored: they cannot be written in the old shapes.
DOWNGRADE = """
ALTER TABLE landing_payloads DROP CONSTRAINT landing_payloads_payload_shape_check;
ALTER TABLE landing_payloads
    ADD CONSTRAINT landing_payloads_payload_shape_check CHECK (payload_shape IN ('a', 'b'));
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
