"""A site project's status carries a digest of itself, so a recompute compares one number per project.

A full recompute used to read every stored status back (some twenty columns,
the advisories turned back into text) to find the few that changed. The
status step now writes `status_digest`, a hash of everything it computed for
the row, and reads back only the digests. A row changed by anything other than
the status step (an admin's UPDATE, a restored backup) must not keep a digest
that no longer describes it: a trigger clears the digest of any update that
does not set a new one (to 0, "changed by something else"), so the next
recompute finds the row changed, reports it as drift and writes it again.
Existing rows start without a digest (NULL, "not checked by this version"):
the first recompute after the upgrade writes every row once (a full recompute
rebuilds the table) without calling it drift.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE site_projects ADD COLUMN status_digest bigint;
CREATE FUNCTION site_projects_digest_cleared() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.status_digest := 0;
    RETURN NEW;
END
$$;
-- Only an update that leaves the digest as it was: the status step always writes a new one.
CREATE TRIGGER site_projects_digest_cleared
    BEFORE UPDATE ON site_projects
    FOR EACH ROW
    WHEN (NEW.status_digest IS NOT DISTINCT FROM OLD.status_digest)
    EXECUTE FUNCTION site_projects_digest_cleared();
"""
DOWNGRADE = """
DROP TRIGGER site_projects_digest_cleared ON site_projects;
DROP FUNCTION site_projects_digest_cleared();
ALTER TABLE site_projects DROP COLUMN status_digest;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
