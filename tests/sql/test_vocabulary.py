"""The database's CHECK constraints and the vocabulary module name the same values."""

import re

import psycopg
import pytest

from foundation import vocabulary

# (table, column) -> the vocabulary its CHECK constraint must allow, exactly.
CHECKED_COLUMNS = {
    ("site_projects", "status"): set(vocabulary.Status),
    ("site_modules", "module_type"): set(vocabulary.MODULE_TYPES),
    ("modules", "module_type"): set(vocabulary.MODULE_TYPES),
    ("site_module_events", "event_type"): set(vocabulary.EVENT_TYPES),
    ("landing_payloads", "status"): set(vocabulary.TASK_STATES),
    ("landing_payloads", "sync_type"): set(vocabulary.SYNC_TYPES),
    ("projects", "fetch_state"): set(vocabulary.FETCH_STATES),
}


def allowed_values(conn: psycopg.Connection, table: str, column: str) -> set[str] | None:
    rows = conn.execute(
        "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey) "
        "WHERE c.contype = 'c' AND c.conrelid = %s::regclass AND a.attname = %s",
        (table, column)).fetchall()
    for (definition,) in rows:
        values = re.findall(r"'([^']*)'::", definition)
        if "ARRAY[" in definition and values:  # an IN list, not e.g. `status <> 'failed' OR ...`
            return set(values)
    return None


@pytest.mark.parametrize(("table", "column"), sorted(CHECKED_COLUMNS))
def test_check_constraint_allows_exactly_the_vocabulary(migrated_database_url, table, column):
    with psycopg.connect(migrated_database_url) as conn:
        assert allowed_values(conn, table, column) == CHECKED_COLUMNS[(table, column)]


def test_in_trouble_is_the_trouble_statuses_or_known_vulnerable_while_present(migrated_database_url):
    with psycopg.connect(migrated_database_url) as conn:
        (expression,) = conn.execute(
            "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a "
            "ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
            "WHERE d.adrelid = 'site_projects'::regclass AND a.attname = 'in_trouble'").fetchone()
    assert set(re.findall(r"'([^']*)'::", expression)) == set(vocabulary.TROUBLE_STATUSES)
    assert "known_vulnerable" in expression and "removed_at IS NULL" in expression
