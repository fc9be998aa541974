"""Recognising and validating a pushed inventory, straight from its bytes.

The body is read once, strictly (`intake.json_document`: one unambiguous JSON
document or 400), and its shape is the one named by `?format=` or, failing
that, decided by its top-level keys, first match wins:

- shape A: `site` or `drupal_info`;
- shape B: `site_info`, `drupal_version` or `sync_timestamp`;
- shape D (`composer.lock`): `packages`;
- shape C (`drush pm:list --format=json`): an object of objects, one with a `status`.

A body that fits none gets one 422 naming the shapes and what each needs.

What lands is the body as received, with one exception: a token inside it
(shape A's legacy `site.token`, or `site_info.token`) is removed first, since
tokens exist only as hashes. The body is then written again from the parsed
document, which says the same thing (no key is repeated, so nothing is lost).
"""

import hashlib
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

from foundation.vocabulary import SyncType
from intake.errors import ApiError, detail, json_path
from intake.json_document import read_document
from intake.schemas.intake import ComposerLock, DrushPmList, SyncPayloadA, SyncPayloadB

Shape = Literal["a", "b", "c", "d"]
SHAPES: tuple[Shape, ...] = ("a", "b", "c", "d")
# `?format=` names a shape; the landing table records the letter.
FORMATS: dict[str, Shape] = {"a": "a", "b": "b", "drush": "c", "composer-lock": "d"}
SHAPE_NAMES: dict[Shape, str] = {"a": "shape A", "b": "shape B", "c": "drush pm:list (format=drush)",
                                 "d": "composer.lock (format=composer-lock)"}

SHAPE_MARKERS: dict[Shape, tuple[str, ...]] = {
    "a": ("site", "drupal_info"),
    "b": ("site_info", "drupal_version", "sync_timestamp"),
    "d": ("packages",),
}
SHAPE_NEEDS: dict[Shape, str] = {
    "a": "site, drupal_info, modules",
    "b": "site_info, modules, sync_timestamp, drupal_version, php_version",
    "c": "an object keyed by machine name, each value with type, status and version "
         "(the output of drush pm:list --format=json)",
    "d": "packages, with drupal/core or drupal/core-recommended among them (a composer.lock)",
}
SHAPE_REQUIRED: dict[Shape, tuple[str, ...]] = {
    "a": ("site", "drupal_info", "modules"),
    "b": ("site_info", "modules", "sync_timestamp", "drupal_version", "php_version"),
    "d": ("packages",),
}

DRUSH_PM_LIST = TypeAdapter(DrushPmList)
DRUPAL_PROJECT_TYPES = frozenset({"drupal-module", "drupal-theme", "drupal-profile"})
CORE_PACKAGES = ("drupal/core", "drupal/core-recommended")
DRUPAL_PROJECT_NAME = r"^drupal/[a-z0-9_]{1,255}$"
MAX_VERSION_LENGTH = 50
PLATFORM_VERSION_PREFIX = r"^[0-9]+\.[0-9]+"
TOKEN_HOLDERS = ("site", "site_info")
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


@dataclass(frozen=True)
class _Facts:
    sync_type: SyncType
    core_version: str
    modules_received: int
    reported_url: str | None = None


def parse_sync_payload(raw: bytes, *, max_modules: int, shape: Shape | None = None) -> SyncPayload:
    """The payload's facts, or an ApiError: 400 malformed JSON, 422 listing every problem."""
    document = read_document(raw)
    if not isinstance(document, dict):
        raise _invalid([detail("$", f"the body must be a JSON object, not {_json_type(document)}", "object_type")])
    shape = shape or detect_shape(document)
    if shape is None:
        raise _unknown_shape(document)
    nul_problems = _nul_problems(document) if ESCAPED_NUL in raw else []
    try:
        facts = _READERS[shape](document, max_modules)
    except ApiError as refused:
        raise _invalid(refused.details + nul_problems, shape=shape) from None
    if nul_problems:
        raise _invalid(nul_problems, shape=shape)
    body = _without_tokens(raw, document)
    return SyncPayload(shape, facts.sync_type, facts.core_version, facts.modules_received, facts.reported_url,
                       body, hashlib.sha256(body).digest())


def detect_shape(document: Mapping[str, Any]) -> Shape | None:
    present = set(document)
    for shape, markers in SHAPE_MARKERS.items():
        if present.intersection(markers):
            return shape
    if document and all(isinstance(value, dict) for value in document.values()) and any(
            "status" in value for value in document.values()):
        return "c"
    return None


# Shapes A and B --------------------------------------------------------------


def _read_a(document: dict[str, Any], max_modules: int) -> _Facts:
    model = _validated(SyncPayloadA, document, "a", max_modules)
    return _Facts("full" if model.full_sync else "partial", model.drupal_info.core_version, len(model.modules),
                  model.site.url)


def _read_b(document: dict[str, Any], max_modules: int) -> _Facts:
    model = _validated(SyncPayloadB, document, "b", max_modules)
    return _Facts(model.sync_type, model.drupal_version, len(model.modules))


def _validated(model_type: type[SyncPayloadA] | type[SyncPayloadB], document: dict[str, Any], shape: Shape,
               max_modules: int) -> Any:
    problems = []
    try:
        model = model_type.model_validate(document)
    except ValidationError as error:
        model = None
        problems = _validation_problems(error)
    modules = document.get("modules")
    if isinstance(modules, list):
        names = [module.get("machine_name") if isinstance(module, dict) else None for module in modules]
        problems += _module_list_problems([name if isinstance(name, str) else None for name in names], max_modules,
                                          "$.modules", lambda index: f"$.modules[{index}].machine_name")
    if problems or model is None:
        raise _invalid(problems, shape=shape)
    return model


# Shape C: drush pm:list ------------------------------------------------------


def _read_drush(document: dict[str, Any], max_modules: int) -> _Facts:
    try:
        extensions = DRUSH_PM_LIST.validate_python(document)
    except ValidationError as error:
        raise _invalid(_validation_problems(error), shape="c") from None
    installed = [name for name, extension in extensions.items() if extension["status"] != "Not installed"]
    problems = []
    if not installed:
        problems.append(detail("$", "lists no installed extension (every one is `Not installed`)", "too_short"))
    if len(installed) > max_modules:
        problems.append(detail("$", f"at most {max_modules} installed extensions per payload, got {len(installed)}",
                               "too_long"))
    core_version = _drush_core_version(extensions)
    if core_version is None:
        problems.append(detail("$.system.version", "the core version comes from the `system` module (or any "
                                                   "extension under core/): none reports a version like 10.3.8",
                               "core_version_missing"))
    if problems:
        raise _invalid(problems, shape="c")
    return _Facts("full", core_version, len(installed))


def _drush_core_version(extensions: dict[str, Any]) -> str | None:
    system = extensions.get("system", {})
    candidates = [system.get("version")] + [extension.get("version") for extension in extensions.values()
                                            if (extension.get("path") or "").startswith("core/")]
    return next((version for version in candidates
                 if version and re.match(PLATFORM_VERSION_PREFIX, version)), None)


# Shape D: composer.lock ------------------------------------------------------


def _read_composer_lock(document: dict[str, Any], max_modules: int) -> _Facts:
    try:
        ComposerLock.model_validate(document)
    except ValidationError as error:
        raise _invalid(_validation_problems(error), shape="d") from None
    listed = [(f"$.packages[{index}]", package) for index, package in enumerate(document["packages"])]
    listed += [(f"$['packages-dev'][{index}]", package)
               for index, package in enumerate(document.get("packages-dev") or [])]
    problems = []
    projects: list[str | None] = []
    paths: list[str] = []
    core = {package["name"]: (path, package) for path, package in listed if package["name"] in CORE_PACKAGES}
    for path, package in listed:
        name = package["name"]
        if not name.startswith("drupal/") or package.get("type") not in DRUPAL_PROJECT_TYPES:
            continue
        if not re.match(DRUPAL_PROJECT_NAME, name):
            problems.append(detail(f"{path}.name", "a Drupal project is drupal/ and a machine name "
                                                   "([a-z0-9_]{1,255})", "string_pattern_mismatch"))
        projects.append(name.removeprefix("drupal/"))
        paths.append(path)
        problems += _composer_version_problems(path, package)
    core_version = ""
    found = next((core[name] for name in CORE_PACKAGES if name in core), None)
    if found is not None:
        path, package = found
        core_version = package.get("version") or ""
        if not re.match(PLATFORM_VERSION_PREFIX, core_version):
            problems.append(detail(f"{path}.version", "the core version must start with digits.digits",
                                   "string_pattern_mismatch"))
        problems += _composer_version_problems(path, package)
    else:
        problems.append(detail("$.packages", "lists neither drupal/core nor drupal/core-recommended: "
                                             "the core version comes from them", "core_version_missing"))
    problems += _module_list_problems([*projects, "drupal"], max_modules, "$.packages",
                                      lambda index: f"{paths[index]}.name" if index < len(paths) else "$.packages")
    if problems:
        raise _invalid(problems, shape="d")
    return _Facts("full", core_version, len(projects) + 1)


def _composer_version_problems(path: str, package: dict[str, Any]) -> list[dict[str, Any]]:
    extra = package.get("extra")
    drupal = extra.get("drupal") if isinstance(extra, dict) else None
    packaged = drupal.get("version") if isinstance(drupal, dict) else None
    problems = []
    if packaged is not None and not isinstance(packaged, str):
        problems.append(detail(f"{path}.extra.drupal.version", "must be a string", "string_type"))
    for where, version in ((f"{path}.version", package.get("version")), (f"{path}.extra.drupal.version", packaged)):
        if isinstance(version, str) and len(version) > MAX_VERSION_LENGTH:
            problems.append(detail(where, f"at most {MAX_VERSION_LENGTH} characters", "string_too_long"))
    return problems


_READERS = {"a": _read_a, "b": _read_b, "c": _read_drush, "d": _read_composer_lock}


# Shared ----------------------------------------------------------------------


def _without_tokens(raw: bytes, document: dict[str, Any]) -> bytes:
    holders = [document[key] for key in TOKEN_HOLDERS if isinstance(document.get(key), dict)]
    if not any("token" in holder for holder in holders):
        return raw
    for holder in holders:
        holder.pop("token", None)
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def _validation_problems(error: ValidationError) -> list[dict[str, Any]]:
    # pydantic places a bad key at `<path>.[key]`; the key's own path says it.
    return [detail(json_path(e["loc"][:-1] if e["loc"][-1:] == ("[key]",) else e["loc"]),
                   ("machine name: " if e["loc"][-1:] == ("[key]",) else "") + e["msg"], e["type"])
            for e in error.errors(include_url=False)]


def _module_list_problems(machine_names: Sequence[str | None], max_modules: int, list_path: str,
                          path_of: Callable[[int], str]) -> list[dict[str, Any]]:
    problems = []
    if len(machine_names) > max_modules:
        problems.append(detail(list_path, f"at most {max_modules} modules per payload, got {len(machine_names)}",
                               "too_long"))
    if len(set(machine_names)) == len(machine_names):
        return problems
    first_seen: dict[str, int] = {}
    for index, name in enumerate(machine_names):
        if name is None:
            continue
        if name in first_seen:
            problems.append(detail(path_of(index), f"duplicate machine name {name!r}, first at "
                                                   f"{path_of(first_seen[name])}", "duplicate"))
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
        detail(f"$.{key}", f"required by {SHAPE_NAMES[shape]}", "missing")
        for shape, required in SHAPE_REQUIRED.items()
        for key in required
        if key not in document
    ]
    return ApiError(
        422, "unknown_payload_shape",
        "the body matches no payload shape: " + "; ".join(f"{SHAPE_NAMES[shape]} needs {SHAPE_NEEDS[shape]}"
                                                           for shape in SHAPES)
        + " (name the shape with ?format=a|b|drush|composer-lock to see every problem)",
        details=problems,
    )


def _invalid(problems: list[dict[str, Any]], shape: Shape | None = None) -> ApiError:
    what = f"{SHAPE_NAMES[shape]} payload" if shape else "payload"
    count = f"{len(problems)} problem" + ("" if len(problems) == 1 else "s")
    return ApiError(422, "validation_failed", f"the {what} is invalid ({count})", details=problems)


def _json_type(value: object) -> str:
    names: dict[type, str] = {list: "an array", str: "a string", bool: "a boolean", int: "a number",
                              float: "a number", type(None): "null"}
    return names.get(type(value), "a value")
