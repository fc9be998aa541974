"""The OpenAPI document: FastAPI's, plus the payload schemas the intake reads by hand.

The intake validates the raw bytes itself (no FastAPI body parameter), so its
request body is described in `openapi_extra` by reference, and the referenced
models are added to `components.schemas` here.
"""

from collections.abc import Callable, Iterable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

REF_TEMPLATE = "#/components/schemas/{model}"


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
