"""What routes declare they need: a connection, who is calling, a JSON body.

    async def route(caller: AdminDep, conn: ConnectionDep) -> ...
"""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy.ext.asyncio import AsyncConnection

from intake.auth import Caller, bearer_scheme, caller_of
from intake.body import require_json_content_type
from intake.database import autocommit
from intake.errors import forbidden, unauthorized
from sql import store


async def get_connection(request: Request) -> AsyncIterator[AsyncConnection]:
    """A connection in a transaction, committed when the route function returns normally."""
    async with request.app.state.engine.begin() as conn:
        yield conn


async def get_read_connection(request: Request) -> AsyncIterator[AsyncConnection]:
    """A pooled connection in autocommit: a read needs no BEGIN and COMMIT round trips."""
    async with autocommit(request.app.state.engine) as conn:
        yield conn


# scope="function": the commit happens before the answer is sent, so a failed
# commit is an error answer, never a success for something that was not stored.
ConnectionDep = Annotated[AsyncConnection, Depends(get_connection, scope="function")]
ReadConnectionDep = Annotated[AsyncConnection, Depends(get_read_connection)]


async def get_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Caller:
    return caller_of(credentials.credentials if credentials else None, request.app.state.admin_token_hash)


CallerDep = Annotated[Caller, Depends(get_caller)]


async def require_admin(request: Request, caller: CallerDep) -> Caller:
    """The admin; a site token is 403, an unknown token 401 (asked on a connection of its own, so that
    the admin's requests, nearly all of them, pay nothing for it)."""
    if caller.is_admin:
        return caller
    async with autocommit(request.app.state.engine) as conn:
        owner = await store.sites.token_owner(conn, token_hash=caller.token_hash)
    if owner is None:
        raise unauthorized("the bearer token is not valid", invalid_token=True)
    raise forbidden("this route needs the admin token")


AdminDep = Annotated[Caller, Depends(require_admin)]
JsonContentDep = Annotated[None, Depends(require_json_content_type)]
