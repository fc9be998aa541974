"""Facts from the release feeds held as drupal.org gives them: the project's title, link and
status, each release's version, link and core compatibility, as unbounded text.

All feeds of a refresh are stored in one transaction, so a single value longer
than its column (a long project title, a release link with a long query
string, an unexpected project status, an odd version string) used to fail the
whole batch and keep every other project's data stale. Titles and links are
only shown, and a version no Drupal grammar accepts is kept and ignored by the
status rules like any other unparsable one, so nothing is gained by bounding
them. Text and varchar share a representation in PostgreSQL: no row is
rewritten.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE projects
    ALTER COLUMN title TYPE text,
    ALTER COLUMN link TYPE text,
    ALTER COLUMN project_status TYPE text;
ALTER TABLE releases
    ALTER COLUMN version TYPE text,
    ALTER COLUMN release_link TYPE text,
    ALTER COLUMN core_compatibility TYPE text;
"""

# Values too long for the old bounds are cut to fit (a too-long version, not a Drupal one, is dropped)
# rather than failing the downgrade.
DOWNGRADE = """
ALTER TABLE projects
    ALTER COLUMN title TYPE varchar(255) USING left(title, 255),
    ALTER COLUMN link TYPE varchar(500) USING left(link, 500),
    ALTER COLUMN project_status TYPE varchar(20) USING left(project_status, 20);
DELETE FROM releases WHERE length(version) > 50;
ALTER TABLE releases
    ALTER COLUMN version TYPE varchar(50),
    ALTER COLUMN release_link TYPE varchar(500) USING left(release_link, 500),
    ALTER COLUMN core_compatibility TYPE varchar(255) USING left(core_compatibility, 255);
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
