"""One strict reading of a pushed body, so the intake and the pipeline read the same document.

Parsers disagree on what JSON leaves open: a key repeated in one object is
the last value for pydantic and the first for Polars; `NaN`, `Infinity` and
numbers beyond a double (`1e400`) are accepted by some and refused by
others; a lone UTF-16 surrogate escape cannot be stored as text. A body that
any of these would make ambiguous is refused here (400, naming what is wrong)
before it is validated, and never lands.
"""

import json
import math
import re
from typing import Any

import pydantic_core

from intake.errors import ApiError, detail

# A `\uD800`..`\uDFFF` escape: half of a surrogate pair, or a lone one.
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abAB]|\\u[dD][c-fC-F]")


class _Ambiguous(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        repeated = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise _Ambiguous(f"the key {repeated!r} appears more than once in one object")
    return document


def _refuse_constant(name: str) -> float:
    raise _Ambiguous(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise _Ambiguous(f"the number {text} is out of range")
    return number


def malformed(message: str, code: str = "json_invalid") -> ApiError:
    return ApiError(400, "malformed_json", message, details=[detail("$", message, code)])


def read_document(raw: bytes) -> Any:
    """The body as Python values, or a 400 `ApiError` saying why it is not one unambiguous JSON document."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise malformed(f"the body is not UTF-8: {error}", "utf8_invalid") from None
    try:
        document = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_refuse_constant,
                              parse_float=_finite_float)
    except _Ambiguous as error:
        raise malformed(f"the body is not valid JSON: {error}", "json_ambiguous") from None
    except json.JSONDecodeError as error:
        raise malformed(f"the body is not valid JSON: {error}") from None
    except RecursionError:
        raise malformed("the body is not valid JSON: nested too deeply", "json_too_deep") from None
    if SURROGATE_ESCAPE.search(raw):
        try:  # a paired surrogate is one character; a lone one cannot be stored as text
            pydantic_core.from_json(raw)
        except ValueError as error:
            raise malformed(f"the body is not valid JSON: {error}") from None
    return document
