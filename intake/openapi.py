"""The OpenAPI document and the pages that show it (`/docs`, `/redoc`).

The intake validates the raw bytes itself (no FastAPI body parameter), so its
request body is described in `openapi_extra` by reference, and the referenced
models are added to `components.schemas` here.

The pages load Swagger UI and ReDoc from this server (the files ship in the
`fastapi-offline` package), so they work on a network without internet.
"""

from collections.abc import Callable, Iterable
from importlib.resources import files
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.staticfiles import StaticFiles

REF_TEMPLATE = "#/components/schemas/{model}"
DOCS_ASSETS_PATH = "/docs-assets"
DOCS_ASSETS = files("fastapi_offline") / "static"


def component_schemas(models: Iterable[type[BaseModel]]) -> dict[str, Any]:
    """JSON schemas of `models` and of everything they reference, named as FastAPI names components."""
    _, definitions = models_json_schema([(model, "validation") for model in models], ref_template=REF_TEMPLATE)
    return definitions.get("$defs", {})


def openapi_with(app: FastAPI, models: Iterable[type[BaseModel]]) -> Callable[[], dict[str, Any]]:
    extra = component_schemas(models)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, summary=app.summary,
                                   description=app.description, routes=app.routes)
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in extra.items():
                schemas.setdefault(name, schema)
            app.openapi_schema = document
        return app.openapi_schema

    return openapi


def install_docs(app: FastAPI) -> None:
    """`/docs` (Swagger UI) and `/redoc`, with every asset served from `DOCS_ASSETS_PATH`."""
    app.mount(DOCS_ASSETS_PATH, StaticFiles(directory=str(DOCS_ASSETS)), name="docs-assets")
    favicon = f"{DOCS_ASSETS_PATH}/favicon.png"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url, title=f"{app.title} - API",
            swagger_js_url=f"{DOCS_ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS_PATH}/swagger-ui.css", swagger_favicon_url=favicon,
            # Swagger UI would otherwise send the document to an online validator for its badge.
            swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": True})

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url=app.openapi_url, title=f"{app.title} - API",
                              redoc_js_url=f"{DOCS_ASSETS_PATH}/redoc.standalone.js", redoc_favicon_url=favicon,
                              with_google_fonts=False)
