"""Parsed version fields where versions are stored; Drupal 7's recommended and default majors.

- `module_versions` gets `major`, `minor`, `patch` and `extra` beside its
  `sort_key`, written by whoever stores a version (the merge, an admin's
  POST), so the status step reads them instead of parsing version strings
  again. Existing rows are parsed here, once, with the scalar parser of the
  same grammar.
- `projects` gets `recommended_major` and `default_major`: a 7.x feed's
  target major when the installed one is no longer supported.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from alembic import op

from foundation.versions import parse_version

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE module_versions
    ADD COLUMN major integer,
    ADD COLUMN minor integer,
    ADD COLUMN patch integer,
    ADD COLUMN extra varchar(20);
ALTER TABLE projects
    ADD COLUMN recommended_major integer,
    ADD COLUMN default_major integer;
"""

BACKFILL = """
UPDATE module_versions v
SET major = parsed.major, minor = parsed.minor, patch = parsed.patch, extra = parsed.extra,
    sort_key = parsed.sort_key
FROM unnest(%(ids)s::bigint[], %(majors)s::int[], %(minors)s::int[], %(patches)s::int[],
            %(extras)s::text[], %(sort_keys)s::bigint[])
     AS parsed (id, major, minor, patch, extra, sort_key)
WHERE v.id = parsed.id
"""

DOWNGRADE = """
ALTER TABLE projects DROP COLUMN recommended_major, DROP COLUMN default_major;
ALTER TABLE module_versions DROP COLUMN major, DROP COLUMN minor, DROP COLUMN patch, DROP COLUMN extra;
"""


def backfill() -> None:
    # Release majors come with the next fetch of each feed; versions already stored are parsed now.
    connection = op.get_bind()
    rows = connection.exec_driver_sql("SELECT id, version_string FROM module_versions").all()
    parsed = [(row[0], version) for row in rows if (version := parse_version(row[1])) is not None]
    if not parsed:
        return
    connection.exec_driver_sql(BACKFILL, {
        "ids": [row_id for row_id, _ in parsed],
        "majors": [v.major for _, v in parsed], "minors": [v.minor for _, v in parsed],
        "patches": [v.patch for _, v in parsed], "extras": [v.extra for _, v in parsed],
        "sort_keys": [v.sort_key for _, v in parsed],
    })


def upgrade() -> None:
    op.execute(UPGRADE)
    backfill()


def downgrade() -> None:
    op.execute(DOWNGRADE)
