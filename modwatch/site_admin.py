"""Site administration shared by the CLI (synchronous psycopg)."""

import psycopg
from psycopg.rows import dict_row

from foundation.secrets import hash_token, new_token
from sql import statement


def add_site(conn: psycopg.Connection, *, name: str, url: str, actor: str) -> dict:
    token = new_token()
    site = conn.execute(
        statement("site_insert"), {"name": name, "url": url, "token_hash": hash_token(token)}
    ).fetchone()
    record_audit(conn, actor=actor, action="site.create", entity_id=site["id"],
                 details={"name": name, "url": url})
    return {**site, "token": token}


def rotate_token(conn: psycopg.Connection, *, site_id: int, actor: str) -> dict | None:
    token = new_token()
    site = conn.execute(
        statement("site_rotate_token"), {"site_id": site_id, "token_hash": hash_token(token)}
    ).fetchone()
    if site is None:
        return None
    record_audit(conn, actor=actor, action="site.rotate_token", entity_id=site_id, details={})
    return {**site, "token": token}


def list_sites(conn: psycopg.Connection) -> list[dict]:
    return conn.execute(statement("site_list_brief")).fetchall()


def record_audit(conn, *, actor: str, action: str, entity_id, details: dict,
                 entity_type: str = "site") -> None:
    conn.execute(
        statement("audit_insert"),
        {"actor": actor, "action": action, "entity_type": entity_type,
         "entity_id": str(entity_id), "details": psycopg.types.json.Jsonb(details)},
    )


def connect(database_url: str) -> psycopg.Connection:
    return psycopg.connect(database_url, row_factory=dict_row)
