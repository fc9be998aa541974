"""The health check the compose file calls."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

router = APIRouter(tags=["health"])


@router.get("/health", summary="200 when the database answers, 503 otherwise",
            responses={503: {"description": "The database does not answer"}})
async def health(request: Request) -> JSONResponse:
    try:
        # A checkout proves the database answers: a new connection has just
        # connected, a pooled one is pinged first (the engine's pool_pre_ping).
        async with request.app.state.engine.connect():
            pass
    except (SQLAlchemyError, OSError):
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "up"})
