"""Project and module machine names compare as bytes (COLLATE "C").

Drupal's machine names are ASCII identifiers ([a-z0-9_]). Under a linguistic
collation (a server initialised with en_US.UTF-8, or even C.UTF-8 before
PostgreSQL 17) every comparison of them goes through the C library's strcoll
and index builds cannot use abbreviated keys: building the (project, site_id)
indexes of a rebuilt site_projects took 0.75 s more of a 3M-row status write
than with "C". Every column that holds one, in every table, collates the same
way, so that joins between them keep using their indexes (an index serves a
comparison only in its own collation). Order by name is now byte order
everywhere, the order Python sorts in; for lowercase machine names it is the
order of C.UTF-8 too. Human names (a site's name) keep the server's collation.

The table rows are not rewritten (same type, other collation); the indexes on
these columns are rebuilt.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

MACHINE_NAMES = (
    ("modules", "machine_name"), ("modules", "project"), ("site_modules", "project"),
    ("site_projects", "project"), ("projects", "name"), ("advisories", "project"),
    ("advisory_exposures", "project"), ("advisory_recompute", "project"), ("osv_ranges", "project"),
    ("project_security_summary", "project"),
)


def _collate(collation: str) -> str:
    return "\n".join(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar(255) COLLATE {collation};'
                     for table, column in MACHINE_NAMES)


def upgrade() -> None:
    op.execute(_collate('"C"'))


def downgrade() -> None:
    op.execute(_collate('"default"'))
