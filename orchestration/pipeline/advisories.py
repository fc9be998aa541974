"""Load a drupal-security-advisories composer metapackage into `advisories`."""

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx
import psycopg

from sql import advisories
from transforms.advisories import advisories_feed_api


class AdvisoriesError(ValueError):
    pass


def read_source(source: str, timeout_seconds: float = 30.0) -> bytes:
    if source.startswith(("http://", "https://")):
        answer = httpx.get(source, timeout=timeout_seconds, follow_redirects=True)
        answer.raise_for_status()
        return answer.content
    path = Path(unquote(urlsplit(source).path)) if source.startswith("file://") else Path(source)
    return path.read_bytes()


def load_advisories(conn: psycopg.Connection, source: str) -> dict:
    try:
        document = json.loads(read_source(source))
    except (OSError, httpx.HTTPError, json.JSONDecodeError) as error:
        raise AdvisoriesError(f"cannot read advisories from {source}: {error}") from error
    conflict = document.get("conflict") if isinstance(document, dict) else None
    if not isinstance(conflict, dict) or not all(isinstance(v, str) for v in conflict.values()):
        raise AdvisoriesError(f"{source} is not a composer metapackage with a 'conflict' map")
    feed_api = advisories_feed_api(conflict)
    with conn.transaction():
        advisories.replace(conn, feed_api=feed_api, source=source, conflict=conflict)
    return {"feed_api": feed_api, "packages": len(conflict), "source": source}
