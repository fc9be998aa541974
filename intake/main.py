"""The HTTP service: mounts one router per resource."""

from contextlib import asynccontextmanager

from fastapi import FastAPI

from intake.database import make_engine
from intake.routers import health
from modwatch.settings import Settings, get_settings


def create_app(settings: Settings | None = None, *, database_url: str | None = None) -> FastAPI:
    """Build the app. `database_url` overrides the settings (tests, embedded mode)."""
    settings = settings or get_settings()
    url = database_url or settings.database_url
    if url is None:
        raise RuntimeError("MODWATCH_DATABASE_URL is not set; start the platform with `modwatch up`")

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        await app.state.engine.dispose()

    app = FastAPI(
        title="modwatch",
        version="0.1.0",
        summary="Know which Drupal sites run insecure or outdated modules.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = make_engine(url)
    app.include_router(health.router)
    return app
