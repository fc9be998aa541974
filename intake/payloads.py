"""Recognising and validating a pushed inventory, straight from its bytes.

The shape is decided by the top-level keys: shape A when the body has `site`
or `drupal_info`; otherwise shape B when it has `site_info`, `drupal_version`
or `sync_timestamp`; otherwise the body is neither (422, naming what each
shape misses).

The common case costs one parse: the likely model (a byte search for
`"drupal_info"`) validates the raw bytes, and a success is conclusive because
each model requires its own marker keys. Only a failure pays for a generic
parse to detect the shape properly and to list every problem.
"""

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pydantic_core
from pydantic import ValidationError

from foundation.vocabulary import SyncType
from intake.errors import ApiError, detail, json_path
from intake.schemas.intake import SyncPayloadA, SyncPayloadB

Shape = Literal["a", "b"]

SHAPE_MARKERS: dict[Shape, tuple[str, ...]] = {
    "a": ("site", "drupal_info"),
    "b": ("site_info", "drupal_version", "sync_timestamp"),
}
SHAPE_REQUIRED: dict[Shape, tuple[str, ...]] = {
    "a": ("site", "drupal_info", "modules"),
    "b": ("site_info", "modules", "sync_timestamp", "drupal_version", "php_version"),
}
SHAPE_MODELS: dict[Shape, type[SyncPayloadA] | type[SyncPayloadB]] = {"a": SyncPayloadA, "b": SyncPayloadB}

# JSON can only carry U+0000 as this escape; PostgreSQL text cannot store it.
ESCAPED_NUL = b"\\u0000"


@dataclass(frozen=True)
class SyncPayload:
    """What the landing row records about a valid payload, besides its bytes."""

    shape: Shape
    sync_type: SyncType
    core_version: str
    modules_received: int
    reported_url: str | None  # shape A: must match the registered URL
    body: bytes
    body_sha256: bytes


def parse_sync_payload(raw: bytes, *, max_modules: int) -> SyncPayload:
    """The payload's facts, or an ApiError: 400 malformed JSON, 422 listing every problem."""
    model = _validate_likely_shape(raw) or _validate_detected_shape(raw, max_modules=max_modules)
    problems = _module_list_problems([module["machine_name"] for module in model.modules], max_modules)
    if ESCAPED_NUL in raw:
        problems += _nul_problems(pydantic_core.from_json(raw))
    if problems:
        raise _invalid(problems, shape="a" if isinstance(model, SyncPayloadA) else "b")
    if isinstance(model, SyncPayloadA):
        return SyncPayload("a", "full" if model.full_sync else "partial", model.drupal_info.core_version,
                           len(model.modules), model.site.url, raw, hashlib.sha256(raw).digest())
    return SyncPayload("b", model.sync_type, model.drupal_version, len(model.modules), None, raw,
                       hashlib.sha256(raw).digest())


def detect_shape(keys: Iterable[str]) -> Shape | None:
    present = set(keys)
    for shape in ("a", "b"):
        if present.intersection(SHAPE_MARKERS[shape]):
            return shape
    return None


def _validate_likely_shape(raw: bytes) -> SyncPayloadA | SyncPayloadB | None:
    model = SyncPayloadA if b'"drupal_info"' in raw else SyncPayloadB
    try:
        payload = model.model_validate_json(raw)
    except ValidationError:
        return None
    if isinstance(payload, SyncPayloadB) and detect_shape(payload.model_extra or {}) == "a":
        return None  # shape A keys win; validate it as shape A
    return payload


def _validate_detected_shape(raw: bytes, *, max_modules: int) -> SyncPayloadA | SyncPayloadB:
    try:
        document = pydantic_core.from_json(raw)
    except ValueError as error:
        raise ApiError(400, "malformed_json", f"the body is not valid JSON: {error}",
                       details=[detail("$", str(error), "json_invalid")]) from None
    if not isinstance(document, dict):
        raise _invalid([detail("$", f"the body must be a JSON object, not {_json_type(document)}", "object_type")])
    shape = detect_shape(document)
    if shape is None:
        raise _unknown_shape(document)
    try:
        return SHAPE_MODELS[shape].model_validate_json(raw)
    except ValidationError as error:
        problems = [detail(json_path(e["loc"]), e["msg"], e["type"]) for e in error.errors(include_url=False)]
    modules = document.get("modules")
    if isinstance(modules, list):
        names = [module.get("machine_name") if isinstance(module, dict) else None for module in modules]
        names = [name if isinstance(name, str) else None for name in names]
        problems += _module_list_problems(names, max_modules)
    problems += _nul_problems(document)
    raise _invalid(problems, shape=shape)


def _module_list_problems(machine_names: Sequence[str | None], max_modules: int) -> list[dict[str, Any]]:
    problems = []
    if len(machine_names) > max_modules:
        problems.append(detail("$.modules", f"at most {max_modules} modules per payload, got {len(machine_names)}",
                               "too_long"))
    if len(set(machine_names)) == len(machine_names):
        return problems
    first_seen: dict[str, int] = {}
    for index, name in enumerate(machine_names):
        if name is None:
            continue
        if name in first_seen:
            problems.append(detail(f"$.modules[{index}].machine_name",
                                   f"duplicate machine name {name!r}, first at $.modules[{first_seen[name]}]",
                                   "duplicate"))
        else:
            first_seen[name] = index
    return problems


def _nul_problems(document: object) -> list[dict[str, Any]]:
    return [detail(json_path(loc), "text must not contain the NUL character (\\u0000)", "nul_character")
            for loc in _nul_locations(document, ())]


def _nul_locations(value: object, loc: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
    if isinstance(value, str):
        if "\x00" in value:
            yield loc
    elif isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                yield loc
            yield from _nul_locations(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_locations(item, (*loc, index))


def _unknown_shape(document: dict[str, Any]) -> ApiError:
    problems = [
        detail(f"$.{key}", f"required by shape {shape.upper()}", "missing")
        for shape in ("a", "b")
        for key in SHAPE_REQUIRED[shape]
        if key not in document
    ]
    return ApiError(
        422, "unknown_payload_shape",
        "the body matches neither payload shape: shape A needs " + ", ".join(SHAPE_REQUIRED["a"])
        + "; shape B needs " + ", ".join(SHAPE_REQUIRED["b"]),
        details=problems,
    )


def _invalid(problems: list[dict[str, Any]], shape: Shape | None = None) -> ApiError:
    what = f"shape {shape.upper()} payload" if shape else "payload"
    return ApiError(422, "validation_failed", f"the {what} is invalid ({len(problems)} problems)", details=problems)


def _json_type(value: object) -> str:
    names: dict[type, str] = {list: "an array", str: "a string", bool: "a boolean", int: "a number",
                              float: "a number", type(None): "null"}
    return names.get(type(value), "a value")

