"""The audit log: every admin change is written in the transaction that makes it."""

from typing import Any

from psycopg.types.json import Jsonb
from sqlalchemy.ext.asyncio import AsyncConnection

from sql import statement


async def record_audit(conn: AsyncConnection, *, actor: str, action: str, entity_type: str, entity_id: Any,
                       details: dict[str, Any]) -> None:
    await conn.exec_driver_sql(
        statement("audit_insert"),
        {"actor": actor, "action": action, "entity_type": entity_type, "entity_id": str(entity_id),
         "details": Jsonb(details)},
    )
