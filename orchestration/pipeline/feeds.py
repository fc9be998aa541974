"""Fetch drupal.org release-history feeds: bounded concurrency, timeouts,
retries with backoff, conditional GET. `file://` bases read local files.

`timeout_seconds` bounds every step of a request (connect, each read) and also
each attempt as a whole, so a server that drips its answer byte by byte fails
like one that never answers instead of holding the refresh up.

A feed is `{base}/{project}/{api}` where api is `current` (Drupal 8+) or
`7.x`. For `file://` bases, `{project}/{api}`, `{project}/{api}.xml` and
`{project}-{api}.xml` are tried in turn, so a folder of saved feeds works.
"""

import asyncio
import random
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import httpx


@dataclass(frozen=True)
class FeedRequest:
    project: str
    feed_api: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class FeedResponse:
    request: FeedRequest
    outcome: str  # ok | not_modified | not_found | failed
    body: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None


def feed_url(base: str, request: FeedRequest) -> str:
    # Quoted whole: a project name can never add a path segment to the base.
    return f"{base.rstrip('/')}/{quote(request.project, safe='')}/{quote(request.feed_api, safe='')}"


def read_local_feed(base: str, request: FeedRequest) -> FeedResponse:
    """The saved feed of a project; names come from site inventories, so a file outside `base` is never read."""
    folder = Path(unquote(urlsplit(base).path)).resolve()
    for candidate in (folder / request.project / request.feed_api,
                      folder / request.project / f"{request.feed_api}.xml",
                      folder / f"{request.project}-{request.feed_api}.xml"):
        if candidate.resolve().is_relative_to(folder) and candidate.is_file():
            return FeedResponse(request, "ok", candidate.read_bytes())
    return FeedResponse(request, "not_found", error=f"no feed file for {request.project} ({request.feed_api})")


async def fetch_one(client: httpx.AsyncClient, base: str, request: FeedRequest, *,
                    timeout_seconds: float, retries: int, backoff_seconds: float) -> FeedResponse:
    headers = {}
    if request.etag:
        headers["If-None-Match"] = request.etag
    if request.last_modified:
        headers["If-Modified-Since"] = request.last_modified
    url = feed_url(base, request)
    error = "not attempted"
    for attempt in range(retries + 1):
        if attempt:
            await asyncio.sleep(backoff_seconds * 2 ** (attempt - 1) * (1 + random.random() / 2))
        try:
            async with asyncio.timeout(timeout_seconds):
                answer = await client.get(url, headers=headers)
        except TimeoutError:
            error = f"timed out: no complete answer within {timeout_seconds:g} s from {url}"
            continue
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}".rstrip(": ")
            continue
        if answer.status_code == 304:
            return FeedResponse(request, "not_modified", etag=request.etag, last_modified=request.last_modified)
        if answer.status_code == 404:
            return FeedResponse(request, "not_found", error="404 from release feed")
        if answer.status_code == 200:
            return FeedResponse(request, "ok", answer.content, answer.headers.get("etag"),
                                answer.headers.get("last-modified"))
        error = f"HTTP {answer.status_code} from {url}"
        if answer.status_code < 500 and answer.status_code != 429:
            break  # a client error will not mend itself by retrying
    return FeedResponse(request, "failed", error=error)


async def fetch_all(base: str, requests: list[FeedRequest], *, concurrency: int, timeout_seconds: float,
                    retries: int, backoff_seconds: float) -> list[FeedResponse]:
    if base.startswith("file://"):
        return [read_local_feed(base, request) for request in requests]
    limit = asyncio.Semaphore(concurrency)
    timeout = httpx.Timeout(timeout_seconds)
    # As many connections as requests in flight: none ever waits for the pool (and times out there).
    async with httpx.AsyncClient(timeout=timeout, limits=httpx.Limits(max_connections=concurrency),
                                 follow_redirects=True,
                                 headers={"User-Agent": "modwatch (+https://github.com/modwatch)"}) as client:
        async def bounded(request: FeedRequest) -> FeedResponse:
            async with limit:
                return await fetch_one(client, base, request, timeout_seconds=timeout_seconds, retries=retries,
                                       backoff_seconds=backoff_seconds)

        return await asyncio.gather(*(bounded(request) for request in requests))
