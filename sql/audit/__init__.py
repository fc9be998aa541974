"""The audit log: one row per admin change, written in the transaction that makes it."""

from typing import Any

from psycopg.types.json import Jsonb

from sql.query import Statement, Step

INSERT = Statement.of(__file__, "insert")


def entry(*, actor: str, action: str, entity_type: str, entity_id: Any, details: dict[str, Any]) -> Step:
    """The step that records one change (for operations that audit as they go)."""
    return INSERT.step(actor=actor, action=action, entity_type=entity_type, entity_id=str(entity_id),
                       details=Jsonb(details))

