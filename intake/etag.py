"""Conditional reads: every read answers with a weak ETag, and `If-None-Match` gets a 304.

The tag is a hash of the answer's bytes. That costs the query (the answer has
to be built to know whether it changed) but never a wrong 304: any change in
what the caller would see — a status recomputed by a run, a module removed, a
count — changes the tag, which no cheaper version stamp kept by other parts of
the pipeline could promise. What it saves is the transfer and the client's
work, which for the big lists (a site's modules, the security report) is most
of the cost on the client's side.
"""

import hashlib
from typing import Any

from fastapi import Request, Response
from pydantic import BaseModel

# Answers depend on the token that asked, and may change with every run: a
# cache may keep them for this caller only (Vary: Authorization) and must
# revalidate each time.
CACHE_CONTROL = "private, no-cache"


def weak_etag(body: bytes) -> str:
    return 'W/"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def none_match(if_none_match: str | None, etag: str) -> bool:
    """False when `If-None-Match` names `etag` (weak comparison, RFC 9110 §13.1.2) or is `*`."""
    if not if_none_match:
        return True
    wanted = _opaque(etag)
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or _opaque(candidate) == wanted:
            return False
    return True


def conditional_json(request: Request, answer: BaseModel) -> Response:
    """`answer` as JSON with its ETag, or an empty 304 when the caller already holds it."""
    body = answer.model_dump_json().encode()
    etag = weak_etag(body)
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": "Authorization"}
    if not none_match(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def read_responses() -> dict[int | str, dict[str, Any]]:
    """`responses=` entries documenting the ETag of a read and its 304."""
    headers = {
        "ETag": {"description": "Weak tag of this answer; send it back in `If-None-Match`",
                 "schema": {"type": "string"}, "required": True},
        "Cache-Control": {"description": CACHE_CONTROL, "schema": {"type": "string"}, "required": True},
    }
    return {
        200: {"headers": headers},
        304: {"description": "Not modified: `If-None-Match` names the current ETag", "headers": headers},
    }
