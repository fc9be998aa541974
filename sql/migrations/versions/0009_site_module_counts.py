"""The counts a site is shown with, defined once: `site_module_counts(site_id)`.

GET /sites and GET /sites/{id} both show a site's present modules, those with
an update, with a security update and known-vulnerable. The counting lives in
one SQL function both statements call; being a plain STABLE SQL function it is
inlined by the planner, so each call is the same index scan as before.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE FUNCTION site_module_counts(wanted_site_id bigint)
RETURNS TABLE (modules bigint, updates_available bigint, security_updates bigint, known_vulnerable bigint)
LANGUAGE sql STABLE
AS $$
    SELECT count(*),
           count(*) FILTER (WHERE sm.update_available),
           count(*) FILTER (WHERE sm.security_update_available),
           count(*) FILTER (WHERE sm.known_vulnerable)
    FROM site_modules sm
    WHERE sm.site_id = wanted_site_id AND sm.removed_at IS NULL
$$;
"""

DOWNGRADE = "DROP FUNCTION site_module_counts(bigint);"


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
