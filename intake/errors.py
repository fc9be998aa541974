"""One error shape for every answer that is not a success.

`{"error": {"status", "code", "message", "details": [{"path", "message", "code"}]}}`,
always `application/json`. Routes raise `ApiError`; the handlers installed
here turn it, FastAPI's request validation, unknown routes and an unreachable
database into that shape.
"""

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from intake.database import is_database_unavailable
from intake.schemas.errors import ErrorOut

log = logging.getLogger("modwatch.intake")

DATABASE_RETRY_AFTER_SECONDS = 5


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: Iterable[Mapping[str, Any]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = list(details)
        self.headers = dict(headers or {})

    def with_headers(self, headers: Mapping[str, str]) -> "ApiError":
        self.headers = {**headers, **self.headers}
        return self

    def response(self) -> JSONResponse:
        return error_response(self.status, self.code, self.message, details=self.details, headers=self.headers)


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    details: Sequence[Mapping[str, Any]] = (),
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = {"error": {"status": status, "code": code, "message": message, "details": list(details)}}
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def detail(path: str, message: str, code: str | None = None) -> dict[str, Any]:
    return {"path": path, "message": message, "code": code}


def unauthorized(message: str, *, invalid_token: bool) -> ApiError:
    challenge = 'Bearer realm="modwatch"' + (', error="invalid_token"' if invalid_token else "")
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": challenge})


def forbidden(message: str) -> ApiError:
    return ApiError(403, "forbidden", message)


def not_found(message: str) -> ApiError:
    return ApiError(404, "not_found", message)


def database_unavailable() -> ApiError:
    return ApiError(503, "database_unavailable", "the database is unavailable; nothing was stored, retry later",
                    headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)})


def json_path(loc: Sequence[str | int]) -> str:
    """`("modules", 3, "version")` -> `$.modules[3].version`."""
    path = "$"
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part.isidentifier():
            path += f".{part}"
        else:
            path += "[" + repr(part) + "]"
    return path


def _parameter_path(loc: Sequence[str | int]) -> str:
    where, *rest = loc
    if where == "body":
        return json_path(rest)
    return ".".join(str(part) for part in (where, *rest))


async def _api_error(request: Request, error: ApiError) -> JSONResponse:
    return error.response()


def refusal_response(error: ApiError | RequestValidationError) -> JSONResponse:
    """The answer for a refusal, for routes that decorate their answers themselves."""
    return error.response() if isinstance(error, ApiError) else _validation_response(error)


async def _request_validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    return _validation_response(error)


def _validation_response(error: RequestValidationError) -> JSONResponse:
    problems = error.errors()
    malformed = [p for p in problems if p["type"] == "json_invalid"]
    if malformed:
        return error_response(400, "malformed_json", f"the body is not valid JSON: {malformed[0]['msg']}",
                              details=[detail(_parameter_path(p["loc"]), p["msg"], p["type"]) for p in malformed])
    details = [detail(_parameter_path(p["loc"]), p["msg"], p["type"]) for p in problems]
    problems_said = f"{len(details)} problem" + ("" if len(details) == 1 else "s")
    return error_response(422, "validation_failed", f"the request is invalid ({problems_said})", details=details)


async def _http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
    codes = {404: "not_found", 405: "method_not_allowed"}
    message = {404: f"no such resource: {request.url.path}"}.get(error.status_code, str(error.detail))
    return error_response(error.status_code, codes.get(error.status_code, "http_error"), message,
                          headers=getattr(error, "headers", None))


def data_exception_message(error: Exception) -> str | None:
    """What PostgreSQL said when it refused a value (SQLSTATE class 22, "data exception"), else None."""
    diagnostics = getattr(getattr(error, "orig", None), "diag", None)
    if diagnostics is None or not (diagnostics.sqlstate or "").startswith("22"):
        return None
    return diagnostics.message_primary or "a value is out of range"


async def _database_error(request: Request, error: Exception) -> JSONResponse:
    # The schemas refuse what PostgreSQL cannot store, each naming the field; a
    # value that slips past them is still the client's to fix, not a 500.
    refused_value = data_exception_message(error)
    if refused_value is not None:
        log.warning("value refused by the database on %s %s: %s", request.method, request.url.path, refused_value)
        return error_response(422, "unstorable_value", f"a value in the request cannot be stored: {refused_value}")
    if is_database_unavailable(error):
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, type(error).__name__)
        return database_unavailable().response()
    log.error("database error on %s %s", request.method, request.url.path, exc_info=error)
    return _internal_error()


async def _unexpected_error(request: Request, error: Exception) -> JSONResponse:
    # Starlette logs the exception itself after this answer is sent.
    return _internal_error()


def _internal_error() -> JSONResponse:
    return error_response(500, "internal_error", "unexpected error; it has been logged")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _request_validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(PoolTimeoutError, _database_error)
    app.add_exception_handler(Exception, _unexpected_error)


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries documenting error answers with the error model."""
    return {status: {"model": ErrorOut, "description": ERROR_DESCRIPTIONS[status]} for status in statuses}


ERROR_DESCRIPTIONS = {
    400: "Malformed JSON (with its position), a bad gzip stream, or `site.url` not the registered URL",
    401: "No bearer token, or an unknown one (`WWW-Authenticate: Bearer`)",
    403: "The token belongs to another site, or the route needs the admin token",
    404: "No such resource",
    408: "The request body did not arrive in time (the connection is closed)",
    409: "The `Idempotency-Key` was used in the last 24 h with a different body",
    413: "The body is over `MODWATCH_MAX_BODY_BYTES` (after decompression too)",
    415: "The body is not JSON (`Content-Type`), or an unsupported `Content-Encoding`",
    422: "The request violates the schema; every problem is listed with its path",
    429: "Over the per-site rate limit; `Retry-After` says when to retry",
    500: "Unexpected error",
    503: "The database is unavailable; nothing was stored",
}
