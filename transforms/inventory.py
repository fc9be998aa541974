"""Landed payloads of every shape -> one typed frame, one row per (task, module).

Input (``PAYLOADS_SCHEMA``): one row per landed payload, ``body`` exactly as posted and
already validated by the intake (strict JSON types, no repeated key, unknown keys anywhere).
Shapes "a" and "b" are modwatch clients' module lists; "c" is ``drush pm:list --format=json``
(``transforms.drush``) and "d" a ``composer.lock`` (``transforms.composer_lock``), each
turned into the same module fields first.

Decoding shapes A and B: ``str.json_decode`` with an explicit dtype *per shape*, naming only the module fields
this step reads. In Polars 2.1 keys absent from the dtype are ignored whatever their JSON type
and keys missing from the JSON (or null) come out null. One union dtype for both shapes would
be wrong: shape A modules may carry an unknown extra key ``status`` of any type, which shape B
declares as a boolean. Each shape's fields are then renamed onto shape A's names
(``name`` -> ``display_name``, ``type`` -> ``module_type``, ``status`` -> ``enabled``).

Rules:

* ``project``: the explicit ``project``, else the machine name. Core modules
  (``module_type`` "core") belong to project ``drupal``.
* Core modules carry the site's ``core_version``: a site's core is one release, judged once.
  When the reported version is missing or differs, the core version replaces it and the row
  gets a warning ``"<machine>: core module reported at '<v>'; judged as core '<core>'"``.
* A machine name listed more than once in one payload (the intake rejects that, but the
  pipeline must not rely on it) keeps its last entry, with the warning
  ``"<machine>: listed <n> times in the payload; the last entry counts"``.
* An unparsable version keeps its row: the parsed fields (``transforms.versions.version_struct``)
  are null and the warning is ``"<machine>: version '<v>' is not a Drupal version"``.
* An empty, null or missing version keeps its row as the empty string (the status step
  judges it "Empty version"), with the warning ``"<machine>: no version"``.
* Polars' JSON reader differs from Python's on inputs the intake never lets through: a key
  repeated within one object keeps its first value, a number decoded into a String field
  becomes its text, an integer beyond Int64 becomes null.
* Several warnings on one row are joined with "; ". Rows come in arrival order (``landing_id``)
  and, within a payload, in the order the modules were listed.
* ``core_major`` is the leading number of the site's ``core_version`` (7, 8, 9, 10, 11 ...).

Failing one payload alone: ``str.json_decode`` raises for the whole column if any body does
not match its dtype, and has no non-strict mode. ``payload_body_errors`` therefore decodes each
shape's bodies together and, only when that fails, each body on its own (a Python loop over
payloads, never over modules), and reports what cannot be normalised. The pipeline drops those
payloads (an anti-join on ``landing_id``) before ``normalise_inventory``.
"""

from __future__ import annotations

import polars as pl

from transforms.composer_lock import composer_lock_modules
from transforms.drush import drush_modules
from transforms.versions import VERSION_STRUCT_DTYPE, version_struct

__all__ = [
    "INVENTORY_SCHEMA",
    "PAYLOADS_SCHEMA",
    "PAYLOAD_ERRORS_SCHEMA",
    "SHAPE_BODY_DTYPES",
    "normalise_inventory",
    "payload_body_errors",
]

PAYLOADS_SCHEMA = pl.Schema(
    {
        "landing_id": pl.Int64,
        "task_id": pl.String,
        "site_id": pl.Int64,
        "payload_shape": pl.String,
        "sync_type": pl.String,
        "core_version": pl.String,
        "body": pl.String,
    }
)

_SHARED_MODULE_FIELDS = {
    "machine_name": pl.String,
    "version": pl.String,
    "description": pl.String,
    "project": pl.String,
    "datestamp": pl.Int64,
}
SHAPE_BODY_DTYPES = {
    "a": pl.Struct(
        {
            "modules": pl.List(
                pl.Struct(
                    {
                        **_SHARED_MODULE_FIELDS,
                        "display_name": pl.String,
                        "module_type": pl.String,
                        "enabled": pl.Boolean,
                    }
                )
            )
        }
    ),
    "b": pl.Struct(
        {
            "modules": pl.List(
                pl.Struct(
                    {
                        **_SHARED_MODULE_FIELDS,
                        "name": pl.String,
                        "type": pl.String,
                        "status": pl.Boolean,
                    }
                )
            )
        }
    ),
}
_RENAMES = {"a": {}, "b": {"name": "display_name", "type": "module_type", "status": "enabled"}}
# Shapes whose documents are decoded payload by payload into the module fields.
DOCUMENT_SHAPES = {"c": drush_modules, "d": composer_lock_modules}
SHAPES = (*SHAPE_BODY_DTYPES, *DOCUMENT_SHAPES)

INVENTORY_SCHEMA = pl.Schema(
    {
        "landing_id": pl.Int64,
        "task_id": pl.String,
        "site_id": pl.Int64,
        "sync_type": pl.String,
        "machine_name": pl.String,
        "project": pl.String,
        "display_name": pl.String,
        "module_type": pl.String,
        "enabled": pl.Boolean,
        "description": pl.String,
        "version": pl.String,
        **VERSION_STRUCT_DTYPE.to_schema(),
        "datestamp": pl.Int64,
        "core_major": pl.Int32,
        "warning": pl.String,
    }
)
PAYLOAD_ERRORS_SCHEMA = pl.Schema({"landing_id": pl.Int64, "task_id": pl.String, "error": pl.String})

_PAYLOAD_COLUMNS = ("landing_id", "task_id", "site_id", "sync_type", "core_version")
_MODULE_COLUMNS = (
    "machine_name",
    "display_name",
    "module_type",
    "enabled",
    "version",
    "description",
    "project",
    "datestamp",
)
CORE_PROJECT = "drupal"


def _modules_of_shape(payloads: pl.LazyFrame, shape: str) -> pl.LazyFrame:
    """One row per listed module of the payloads of one shape, with its position."""
    return (
        payloads.filter(pl.col("payload_shape") == shape)
        .select(
            *_PAYLOAD_COLUMNS,
            pl.col("body").str.json_decode(SHAPE_BODY_DTYPES[shape]).struct.field("modules").alias("module"),
        )
        .with_columns(position=pl.int_ranges(pl.col("module").list.len()))
        .explode("module", "position")
        .filter(pl.col("module").is_not_null())
        .unnest("module")
        .rename(_RENAMES[shape])
        .select(*_PAYLOAD_COLUMNS, "position", *_MODULE_COLUMNS)
    )


def _modules_of_document_shape(payloads: pl.LazyFrame, shape: str) -> pl.LazyFrame:
    """Shapes C and D: their module fields joined back to the payload's columns."""
    of_shape = payloads.filter(pl.col("payload_shape") == shape).collect()
    modules = DOCUMENT_SHAPES[shape](of_shape)
    return (
        of_shape.lazy()
        .select(*_PAYLOAD_COLUMNS)
        .join(modules, on="landing_id")
        .select(*_PAYLOAD_COLUMNS, "position", *_MODULE_COLUMNS)
        .cast({"position": pl.Int64})
    )


def normalise_inventory(payloads: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """One typed row per (task, module) in ``INVENTORY_SCHEMA``; see the module docstring.

    Payloads of any other shape than "a" to "d" are left out (``payload_body_errors`` reports
    them). Raises (at once for shapes C and D, else when collected)
    ``polars.exceptions.ComputeError`` if a body does not decode.
    """
    lazy = payloads.lazy()
    machine_name = pl.col("machine_name")
    reported = pl.col("reported_version")
    core_version = pl.col("core_version")
    is_core = pl.col("module_type") == "core"
    judged_as_core = is_core & core_version.is_not_null()
    listed = pl.len().over("task_id", "machine_name")
    return (
        pl.concat(
            [_modules_of_shape(lazy, shape).cast({"position": pl.Int64}) for shape in SHAPE_BODY_DTYPES]
            + [_modules_of_document_shape(lazy, shape) for shape in DOCUMENT_SHAPES]
        )
        .sort("landing_id", "position")
        .rename({"version": "reported_version"})
        .with_columns(
            duplicate_warning=pl.when(listed > 1).then(
                pl.format("{}: listed {} times in the payload; the last entry counts", machine_name, listed)
            ),
        )
        .filter(pl.struct("task_id", "machine_name").is_last_distinct())
        .with_columns(
            project=pl.when(is_core)
            .then(pl.lit(CORE_PROJECT))
            .otherwise(pl.coalesce(pl.col("project"), machine_name)),
            version=pl.when(judged_as_core).then(core_version).otherwise(reported).fill_null(""),
            core_warning=pl.when(judged_as_core & reported.fill_null("").ne(core_version)).then(
                pl.format(
                    "{}: core module reported at '{}'; judged as core '{}'",
                    machine_name,
                    pl.when(reported != "").then(reported).otherwise(pl.lit("(none)")),
                    core_version,
                )
            ),
            core_major=core_version.str.extract(r"^([0-9]{1,9})\.", 1).cast(pl.Int32),
        )
        .with_columns(parsed=version_struct(pl.col("version")))
        .unnest("parsed")
        .with_columns(
            warning=pl.concat_str(
                "duplicate_warning",
                "core_warning",
                pl.when(pl.col("sort_key").is_null()).then(
                    pl.when(pl.col("version") == "")
                    .then(pl.format("{}: no version", machine_name))
                    .otherwise(pl.format("{}: version '{}' is not a Drupal version", machine_name, pl.col("version")))
                ),
                separator="; ",
                ignore_nulls=True,
            )
        )
        .with_columns(warning=pl.when(pl.col("warning") != "").then(pl.col("warning")))
        .select(INVENTORY_SCHEMA.names())
        .cast(INVENTORY_SCHEMA)
    )


def _decoded_problems(payloads: pl.DataFrame, shape: str) -> pl.DataFrame:
    """The structural problems of payloads of one shape whose bodies decode (may raise)."""
    modules = pl.col("body").str.json_decode(SHAPE_BODY_DTYPES[shape]).struct.field("modules")
    module = pl.element()
    return (
        payloads.select(
            "landing_id",
            "task_id",
            pl.when(pl.col("body").is_null())
            .then(pl.lit("payload has no body"))
            .when(modules.is_null() | (modules.list.len() == 0))
            .then(pl.lit("payload lists no modules"))
            .when(modules.list.eval(module.is_null().any()).list.first())
            .then(pl.lit("payload lists a module that is not an object"))
            .when(modules.list.eval(module.struct.field("machine_name").is_null().any()).list.first())
            .then(pl.lit("payload lists a module without machine_name"))
            .alias("error"),
        )
        .filter(pl.col("error").is_not_null())
    )


def _document_problems(payloads: pl.DataFrame, shape: str) -> pl.DataFrame:
    """The problems of shape C and D payloads: a body that does not decode, or no modules."""
    errors = []
    for single in payloads.iter_slices(1):
        try:
            modules = DOCUMENT_SHAPES[shape](single).collect()
        except pl.exceptions.PolarsError as error:
            reason = str(error).strip().splitlines()[0]
            errors.append(single.select("landing_id", "task_id").with_columns(
                error=pl.lit(f"payload body cannot be decoded as shape {shape.upper()}: {reason}")))
            continue
        if modules.is_empty():
            errors.append(single.select("landing_id", "task_id").with_columns(error=pl.lit("payload lists no modules")))
    return pl.concat(errors) if errors else pl.DataFrame(schema=PAYLOAD_ERRORS_SCHEMA)


def payload_body_errors(payloads: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Payloads that ``normalise_inventory`` cannot take, one row each with the reason
    (``PAYLOAD_ERRORS_SCHEMA``): an unknown shape, no body, a body that does not decode with
    its shape's dtype (not JSON, a wrong JSON type), no modules, a module without a name.

    Bodies of shapes A and B are decoded together per shape; only if that fails is each decoded
    alone. Bodies of shapes C and D are decoded one by one anyway.
    """
    frame = payloads.lazy().select("landing_id", "task_id", "payload_shape", "body").collect()
    payload_shape = pl.col("payload_shape")
    errors = [
        frame.filter(~payload_shape.is_in(list(SHAPES)).fill_null(False)).select(
            "landing_id",
            "task_id",
            pl.format("unknown payload shape '{}'", payload_shape).fill_null("payload has no shape").alias("error"),
        ),
        frame.filter(payload_shape.is_in(list(DOCUMENT_SHAPES)) & pl.col("body").is_null()).select(
            "landing_id", "task_id", error=pl.lit("payload has no body")
        ),
    ]
    for shape in DOCUMENT_SHAPES:
        errors.append(_document_problems(frame.filter((payload_shape == shape) & pl.col("body").is_not_null()), shape))
    for shape in SHAPE_BODY_DTYPES:
        of_shape = frame.filter(pl.col("payload_shape") == shape)
        try:
            errors.append(_decoded_problems(of_shape, shape))
            continue
        except pl.exceptions.PolarsError:
            pass
        for single in of_shape.iter_slices(1):
            try:
                errors.append(_decoded_problems(single, shape))
            except pl.exceptions.PolarsError as error:
                reason = str(error).strip().splitlines()[0]
                errors.append(
                    single.select("landing_id", "task_id").with_columns(
                        error=pl.lit(f"payload body cannot be decoded as shape {shape.upper()}: {reason}")
                    )
                )
    return pl.concat(errors).cast(PAYLOAD_ERRORS_SCHEMA).sort("landing_id")
