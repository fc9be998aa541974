"""One vocabulary in the database, and one definition of "in trouble".

- `site_modules.status` and `site_modules.module_type` get the CHECKs they
  lacked, built from `foundation.vocabulary` (tests/sql/test_vocabulary.py keeps every
  CHECK over a vocabulary column equal to the vocabulary).
- `site_modules.in_trouble` is a stored generated column: a present module
  that is NOT_SECURE, REVOKED or known-vulnerable. The security summaries
  count it and the two partial indexes are defined by it, so the predicate is
  written once, here, instead of in every summary statement and index.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from alembic import op

from foundation.vocabulary import MODULE_TYPES, TROUBLE_STATUSES, Status, sql_in_list

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

OLD_TROUBLE = "removed_at IS NULL AND (status IN ('NOT_SECURE', 'REVOKED') OR known_vulnerable)"

UPGRADE = f"""
ALTER TABLE site_modules
    ADD CONSTRAINT ck_site_modules_status CHECK (status IN {sql_in_list(Status)}),
    ADD CONSTRAINT ck_site_modules_module_type CHECK (module_type IN {sql_in_list(MODULE_TYPES)}),
    ADD COLUMN in_trouble boolean NOT NULL
        GENERATED ALWAYS AS (removed_at IS NULL
                             AND (status IN {sql_in_list(TROUBLE_STATUSES)} OR known_vulnerable)) STORED;
DROP INDEX ix_site_modules_insecure;
DROP INDEX ix_site_modules_insecure_module;
-- The security summaries read only these rows.
CREATE INDEX ix_site_modules_insecure ON site_modules (site_id, module_id) WHERE in_trouble;
CREATE INDEX ix_site_modules_insecure_module ON site_modules (module_id) INCLUDE (status, known_vulnerable)
    WHERE in_trouble;
"""

DOWNGRADE = f"""
DROP INDEX ix_site_modules_insecure;
DROP INDEX ix_site_modules_insecure_module;
ALTER TABLE site_modules DROP COLUMN in_trouble, DROP CONSTRAINT ck_site_modules_status,
    DROP CONSTRAINT ck_site_modules_module_type;
CREATE INDEX ix_site_modules_insecure ON site_modules (site_id, module_id) WHERE {OLD_TROUBLE};
CREATE INDEX ix_site_modules_insecure_module ON site_modules (module_id) INCLUDE (status, known_vulnerable)
    WHERE {OLD_TROUBLE};
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
