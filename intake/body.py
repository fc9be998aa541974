"""Reading a pushed body: JSON only, bounded in size before and after gzip, and in time.

The limit holds for the bytes on the wire and for the decompressed bytes. A
gzip stream is inflated incrementally with an output bound, so a small
"gzip bomb" costs at most `limit` bytes of memory before it is refused.
A `Content-Length` over the limit is refused before a byte of the body is
read, and every request body must arrive within `BodyDeadline`'s time.
"""

import asyncio
import zlib
from collections.abc import AsyncIterator

from starlette.requests import ClientDisconnect, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from intake.errors import ApiError, detail, error_response

# A body that has not fully arrived by then holds a worker for nothing: a
# 1000-module payload is a few hundred kilobytes, seconds on the slowest link.
BODY_DEADLINE_SECONDS = 30.0

GZIP_WBITS = 16 + zlib.MAX_WBITS
GZIP_CODINGS = {"gzip", "x-gzip"}
IDENTITY_CODINGS = {"", "identity"}


def too_large(limit: int, what: str) -> ApiError:
    return ApiError(413, "body_too_large", f"the body is over the limit of {limit} bytes ({what})")


def is_json_media_type(content_type: str | None) -> bool:
    """`application/json` or `application/<anything>+json`, in UTF-8 if a charset is given."""
    if not content_type:
        return False
    media_type, _, parameters = content_type.partition(";")
    media_type = media_type.strip().lower()
    if media_type != "application/json" and not (
        media_type.startswith("application/") and media_type.endswith("+json")
    ):
        return False
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in {"utf-8", "utf8"}:
            return False
    return True


def require_json_content_type(request: Request) -> None:
    content_type = request.headers.get("content-type")
    if not is_json_media_type(content_type):
        raise ApiError(415, "unsupported_media_type",
                       f"the body must be JSON (Content-Type: application/json), not {content_type or 'unspecified'}",
                       details=[detail("header.Content-Type", "expected application/json")])



def check_body_headers(request: Request) -> None:
    """A JSON body in a content coding we read."""
    require_json_content_type(request)
    coding = request.headers.get("content-encoding", "").strip().lower()
    if coding not in GZIP_CODINGS | IDENTITY_CODINGS:
        raise ApiError(415, "unsupported_content_encoding",
                       f"Content-Encoding {coding!r} is not supported; send gzip or nothing",
                       details=[detail("header.Content-Encoding", "expected gzip or identity")])


class BoundedGunzip:
    """Inflate gzip (one or more members) incrementally, refusing output beyond `limit`."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.output = bytearray()
        self._inflater = zlib.decompressobj(GZIP_WBITS)
        self._received = False

    def feed(self, data: bytes) -> None:
        try:
            while data:
                self._received = True
                if self._inflater.eof:  # another gzip member follows
                    self._inflater = zlib.decompressobj(GZIP_WBITS)
                room = self.limit - len(self.output)
                # max_length stops inflating one byte past the limit: the bomb stays small.
                self.output += self._inflater.decompress(data, room + 1)
                if len(self.output) > self.limit:
                    raise too_large(self.limit, "after gzip decompression")
                data = self._inflater.unused_data if self._inflater.eof else self._inflater.unconsumed_tail
        except zlib.error as error:
            raise ApiError(400, "bad_gzip", f"the body is not valid gzip: {error}") from None

    def finish(self) -> bytes:
        if not self._received or not self._inflater.eof:
            raise ApiError(400, "bad_gzip", "the gzip stream is truncated")
        return bytes(self.output)


def declared_length(request: Request) -> int | None:
    declared = request.headers.get("content-length", "").strip()
    return int(declared) if declared.isdigit() else None


async def read_body(request: Request, limit: int) -> bytes:
    """The body, decompressed, at most `limit` bytes (413 otherwise)."""
    declared = declared_length(request)
    if declared is not None and declared > limit:
        # Refused as declared: waiting for bytes that will be thrown away
        # would hang a client that sent less than it announced.
        raise too_large(limit, f"Content-Length {declared}")
    coding = request.headers.get("content-encoding", "").strip().lower()
    gunzip = BoundedGunzip(limit) if coding in GZIP_CODINGS else None
    chunks: list[bytes] = []
    received = 0
    stream = request.stream()
    try:
        async for chunk in stream:
            received += len(chunk)
            if received > limit:
                raise too_large(limit, "as sent")
            if gunzip is not None:
                gunzip.feed(chunk)
            else:
                chunks.append(chunk)
    except ApiError:
        await _drain(stream, limit)
        raise
    except ClientDisconnect:
        raise ApiError(400, "incomplete_body", "the client went away before the body was complete") from None
    return gunzip.finish() if gunzip is not None else b"".join(chunks)


async def discard_body(request: Request, limit: int) -> None:
    """Read and drop a body that will not be used (see `_drain`); one declared over `limit` is not read."""
    declared = declared_length(request)
    if declared is None or declared <= limit:
        await _drain(request.stream(), limit)


async def _drain(stream: AsyncIterator[bytes], limit: int) -> None:
    """Read and drop the rest of a refused body (up to `limit` more bytes).

    A client that is still sending when the server closes gets a connection
    reset instead of the 413; draining a bounded amount lets it read the answer.
    """
    dropped = 0
    try:
        async for chunk in stream:
            dropped += len(chunk)
            if dropped > limit:
                return
    except ClientDisconnect:
        return


class BodyDeadline:
    """ASGI middleware: a request body must arrive whole within `seconds` of the request's start.

    When it does not, the client gets a 408 at once and the connection is
    closed; the route sees the client as gone and whatever it answers after
    that is dropped.
    """

    def __init__(self, app: ASGIApp, seconds: float = BODY_DEADLINE_SECONDS) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = asyncio.get_running_loop().time() + self.seconds
        body_complete = False
        response_started = False
        timed_out = False

        async def receive_in_time() -> Message:
            nonlocal body_complete, timed_out
            if timed_out:
                return {"type": "http.disconnect"}
            if body_complete:
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                timed_out = True
                if not response_started:
                    await body_timeout(self.seconds)(scope, receive, send)
                return {"type": "http.disconnect"}
            body_complete = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        async def send_unless_timed_out(message: Message) -> None:
            nonlocal response_started
            if timed_out:
                return
            response_started = True
            await send(message)

        await self.app(scope, receive_in_time, send_unless_timed_out)


def body_timeout(seconds: float):
    return error_response(408, "body_timeout",
                          f"the request body did not arrive within {seconds:g} s; send it again",
                          headers={"Connection": "close"})
