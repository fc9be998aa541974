"""Status digests are computed per column now: every stored one is forgotten, so none is taken for drift.

The status step's digest (0015) was a hash of the row as one struct; it is
now the columns' hashes combined, four times cheaper to compute. A stored
digest of the old kind never equals a new one, and the next recompute would
report every project as drift. Dropping and adding the column back (no table
rewrite, the trigger that reads it recreated) leaves every row without a
digest: "not checked by this version", written once by the next recompute
without being called drift.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# The same in both directions: either version's digests mean nothing to the other.
FORGET_DIGESTS = """
DROP TRIGGER site_projects_digest_cleared ON site_projects;
ALTER TABLE site_projects DROP COLUMN status_digest;
ALTER TABLE site_projects ADD COLUMN status_digest bigint;
CREATE TRIGGER site_projects_digest_cleared
    BEFORE UPDATE ON site_projects
    FOR EACH ROW
    WHEN (NEW.status_digest IS NOT DISTINCT FROM OLD.status_digest)
    EXECUTE FUNCTION site_projects_digest_cleared();
"""


def upgrade() -> None:
    op.execute(FORGET_DIGESTS)


def downgrade() -> None:
    op.execute(FORGET_DIGESTS)
