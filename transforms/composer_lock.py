"""A site's ``composer.lock`` as posted (shape D) -> one row per Drupal project.

Rules:

* Inventory: every ``drupal/*`` package of type ``drupal-module``, ``drupal-theme`` or
  ``drupal-profile``, from ``packages`` and ``packages-dev`` (a dev requirement installed
  on a live site is as vulnerable as any other), plus core: ``drupal/core``, else
  ``drupal/core-recommended``. Every other package (Symfony, libraries, Composer plugins,
  ``drupal/core-*`` helpers) is not. The machine name is the project name
  (``drupal/pathauto`` -> ``pathauto``); core is ``drupal``.
* Version: ``extra.drupal.version`` (what drupal.org packaged, ``8.x-1.12``), else the
  source reference when it is a Drupal version (``1.2.0`` with reference ``8.x-1.2`` ->
  ``8.x-1.2``), else the composer version as it is (``10.3.8``, ``2.0.x-dev``).
* Datestamp: ``extra.drupal.datestamp`` (a string in real lock files), null if not a number.
* The lock knows projects, not which modules are on: every row is enabled, contrib
  (core: core).

A lock file written by PHP encodes an empty ``extra`` as ``[]``, which ``str.json_decode``
refuses for a struct field; each payload's document is therefore decoded on its own (a loop
over payloads, never over packages) into a typed frame, and the rest is expressions.
"""

import json

import polars as pl

__all__ = ["PACKAGE_DTYPE", "composer_lock_modules"]

PACKAGE_DTYPE = pl.Struct(
    {
        "name": pl.String,
        "version": pl.String,
        "type": pl.String,
        "description": pl.String,
        "source": pl.Struct({"reference": pl.String}),
        "extra": pl.Struct({"drupal": pl.Struct({"version": pl.String, "datestamp": pl.String})}),
    }
)
PROJECT_TYPES = ("drupal-module", "drupal-theme", "drupal-profile")
CORE_PACKAGES = ("drupal/core", "drupal/core-recommended")
DRUPAL_VERSION = r"^[0-9]+\.x-[0-9]+\.(x-dev|[0-9]+(-[a-z]+[0-9]*)?)$|^[0-9]+\.[0-9x]+(\.[0-9x]+)?(-[a-z]+[0-9]*)?$"


def _packages(landing_id: int, body: str) -> pl.DataFrame:
    try:
        document = json.loads(body)
        listed = [*(document.get("packages") or []), *(document.get("packages-dev") or [])]
        packages = pl.Series("package", listed, dtype=PACKAGE_DTYPE)
    except (ValueError, TypeError, AttributeError) as error:
        raise pl.exceptions.ComputeError(f"not a composer.lock document: {error}") from None
    return pl.DataFrame({"landing_id": [landing_id] * len(packages)}).with_columns(
        packages, position=pl.int_range(pl.len())
    )


def _decoded(payloads: pl.DataFrame) -> pl.DataFrame:
    frames = [_packages(landing_id, body) for landing_id, body in payloads.select("landing_id", "body").iter_rows()]
    empty = pl.DataFrame(schema={"landing_id": pl.Int64, "package": PACKAGE_DTYPE, "position": pl.Int64})
    return pl.concat([empty, *frames], how="vertical_relaxed")


def composer_lock_modules(payloads: pl.DataFrame) -> pl.LazyFrame:
    """One row per Drupal project of each shape D payload: ``landing_id``, ``position`` and the
    module fields (``machine_name``, ``display_name``, ``module_type``, ``enabled``, ``version``,
    ``description``, ``project``, ``datestamp``).

    Raises ``polars.exceptions.ComputeError`` for a body that is not a composer.lock document.
    """
    name = pl.col("name")
    is_core = name.is_in(CORE_PACKAGES)
    # drupal/core wins over drupal/core-recommended: it is the package that holds the code.
    core_rank = pl.when(is_core).then((name != "drupal/core").cast(pl.Int32))
    reference = pl.col("source").struct.field("reference")
    packaged = pl.col("extra").struct.field("drupal")
    project = name.str.strip_prefix("drupal/")
    return (
        _decoded(payloads)
        .lazy()
        .unnest("package")
        .filter((name.str.starts_with("drupal/") & pl.col("type").is_in(PROJECT_TYPES)) | is_core)
        .filter(core_rank.is_null() | (core_rank == core_rank.min().over("landing_id")))
        .select(
            "landing_id",
            "position",
            machine_name=pl.when(is_core).then(pl.lit("drupal")).otherwise(project),
            display_name=pl.when(is_core).then(pl.lit("Drupal core")).otherwise(project),
            module_type=pl.when(is_core).then(pl.lit("core")).otherwise(pl.lit("contrib")),
            enabled=pl.lit(True),
            version=pl.coalesce(
                packaged.struct.field("version"),
                pl.when(reference.str.contains(DRUPAL_VERSION)).then(reference),
                pl.col("version"),
            ),
            description=pl.col("description"),
            project=pl.when(is_core).then(pl.lit("drupal")).otherwise(project),
            datestamp=packaged.struct.field("datestamp").cast(pl.Int64, strict=False),
        )
    )
