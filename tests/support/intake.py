"""Intake payloads of both shapes, pushing them, and what landed."""

import json
from typing import Any

import httpx

from tests.support.sites import Site

DEFAULT_URL = "https://www.example.org"


def module_a(index: int, **overrides: Any) -> dict[str, Any]:
    module = {
        "machine_name": f"module_{index}",
        "display_name": f"Module {index}",
        "module_type": "contrib",
        "enabled": True,
        "version": f"8.x-1.{index % 40}",
        "description": "A contributed module.",
        "project": f"project_{index // 3}",
    }
    return {**module, **overrides}


def module_b(index: int, **overrides: Any) -> dict[str, Any]:
    module = {
        "machine_name": f"module_{index}",
        "name": f"Module {index}",
        "type": "contrib",
        "version": f"2.{index % 7}.{index % 11}",
        "status": True,
        "schema_version": 8000 + index,
        "core_compatibility": ["9.x", "10.x"],
    }
    return {**module, **overrides}


def payload_a(modules: int | list[dict] = 3, *, url: str = DEFAULT_URL, **top: Any) -> dict[str, Any]:
    listed = [module_a(i) for i in range(modules)] if isinstance(modules, int) else modules
    body = {
        "site": {"url": url, "name": "Example"},
        "drupal_info": {"core_version": "10.3.8", "php_version": "8.3.2"},
        "modules": listed,
    }
    return {**body, **top}


def payload_b(modules: int | list[dict] = 3, **top: Any) -> dict[str, Any]:
    listed = [module_b(i) for i in range(modules)] if isinstance(modules, int) else modules
    body = {
        "site_info": {"name": "Example", "environment": "production"},
        "modules": listed,
        "sync_timestamp": "2024-01-15T10:35:00Z",
        "drupal_version": "9.5.11",
        "php_version": "8.1.27",
    }
    return {**body, **top}


def encode(body: Any) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body).encode()


def push(client: httpx.Client, site_id: int, body: Any, *, token: str | None,
         headers: dict[str, str] | None = None, path: str = "modules") -> httpx.Response:
    sent = {"Content-Type": "application/json"}
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    sent.update(headers or {})
    return client.post(f"/api/v1/sites/{site_id}/{path}", content=encode(body), headers=sent)


def landed(db, site_id: int | None = None) -> list[dict[str, Any]]:
    query = "SELECT * FROM landing_payloads" + (" WHERE site_id = %s" if site_id is not None else "") + " ORDER BY id"
    return db.execute(query, (site_id,) if site_id is not None else ()).fetchall()


def register_site(client: httpx.Client, admin_headers: dict[str, str], *, name: str = "Example",
                  url: str = DEFAULT_URL) -> Site:
    answer = client.post("/api/v1/sites", json={"name": name, "url": url}, headers=admin_headers)
    assert answer.status_code == 201, answer.text
    created = answer.json()
    return Site(created["id"], created["name"], created["url"], created["token"])
