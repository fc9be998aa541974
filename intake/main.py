"""The HTTP service: the health check, the versioned API (`intake.api`) and the dashboard (`intake.pages`)."""

import gc
from contextlib import asynccontextmanager

from fastapi import FastAPI

from foundation.secrets import admin_token, hash_token
from foundation.settings import Settings, get_settings
from intake.api import api_router
from intake.body import BODY_DEADLINE_SECONDS, BodyDeadline
from intake.database import make_engine
from intake.errors import install_error_handlers
from intake.openapi import install_docs, openapi_with
from intake.pages import install_pages
from intake.routers import health
from intake.schemas.intake import PAYLOAD_MODELS

DESCRIPTION = """
Drupal sites push their module inventory; modwatch lands it durably and
processes it in batch. Authenticate with `Authorization: Bearer <token>`:
the admin token, or a site's own token (which may only push to and read
its own site).

Every error answer has the same shape:
`{"error": {"status", "code", "message", "details": [{"path", "message", "code"}]}}`.
"""


def create_app(settings: Settings | None = None, *, database_url: str | None = None,
               body_deadline_seconds: float = BODY_DEADLINE_SECONDS) -> FastAPI:
    """Build the app. `database_url` overrides the settings (tests, embedded mode)."""
    settings = settings or get_settings()
    url = database_url or settings.database_url
    if url is None:
        raise RuntimeError("MODWATCH_DATABASE_URL is not set; start the platform with `modwatch up`")

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Everything loaded so far lives as long as the process: keep it out of
        # the collector's way, so a full collection triggered by a request's
        # garbage (a 1000-module payload allocates thousands of objects) does
        # not traverse the whole framework — those collections were the p99.
        gc.collect()
        gc.freeze()
        yield
        await app.state.engine.dispose()

    app = FastAPI(
        title="modwatch",
        version="0.1.0",
        summary="Know which Drupal sites run insecure or outdated modules.",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    configured_token = settings.admin_token.get_secret_value() if settings.admin_token else None
    app.state.settings = settings
    app.state.admin_token_hash = hash_token(admin_token(settings.home, configured_token))
    app.state.engine = make_engine(url)
    app.state.route_paths = {}  # see intake.urls
    install_error_handlers(app)
    app.add_middleware(BodyDeadline, seconds=body_deadline_seconds)
    install_docs(app)
    app.include_router(health.router)
    app.include_router(api_router)
    install_pages(app)
    app.openapi = openapi_with(app, PAYLOAD_MODELS)
    return app
