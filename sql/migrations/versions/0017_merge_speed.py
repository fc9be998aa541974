"""Merge speed: a new module version writes the index entries something reads, no more.

`module_versions` carried two indexes from the first schema that no query
reads: `(module_id, release_date)` (nothing filters or orders versions by
release date) and `(module_id, is_security_update)` (the only reader of the
flag, the status step's releases, looks for the versions an admin marked as
security releases across every module). Every version the merge sees for the
first time paid an entry in each. The first goes; the second becomes a
partial index of the marked versions alone, which is what that reader scans
and which the merge, writing unmarked versions, never touches.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

UPGRADE = """
DROP INDEX idx_module_version_date;
DROP INDEX idx_module_version_security;
CREATE INDEX ix_module_versions_security ON module_versions (module_id) WHERE is_security_update;
"""

DOWNGRADE = """
DROP INDEX ix_module_versions_security;
CREATE INDEX idx_module_version_security ON module_versions (module_id, is_security_update);
CREATE INDEX idx_module_version_date ON module_versions (module_id, release_date);
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
