"""`drush pm:list --format=json` as a site prints it (shape C) -> one row per installed extension.

The document is an object keyed by machine name. Two generations print it:

* Drush 9 to 13 (Drupal 8 and later): ``package``, ``project`` (``""`` when the
  ``.info.yml`` has none), ``display_name`` (``"Node (node)"``), ``name`` (the
  machine name), ``type`` (``module``/``theme``), ``path``, ``status``
  (``Enabled``/``Disabled``) and ``version`` (null for code without one).
* Drush 8's ``pm-list`` (Drupal 7): ``package``, ``name`` (the label,
  ``"Node (node)"``), ``type`` (``Module``/``Theme``), ``status``
  (``Enabled``/``Disabled``/``Not installed``) and ``version``; no path, no project.

Rules:

* ``Not installed`` extensions are not inventory; ``Disabled`` ones are, not enabled.
* Type: a path under ``core/`` is core, and so is a Drupal 7 extension (no path) whose
  package starts with "Core" (Drush 8's own test for ``--core``). Contrib: a path with a
  ``contrib`` folder, a non-empty ``project``, or (no path) a version drupal.org's
  packaging wrote (``7.x-1.2``). Everything else is custom.
* Project: the ``project``, else, for contrib code, the listed contrib extension at the
  same version whose machine name is the longest ``<name>_`` prefix of this one
  (``views_ui`` at ``7.x-3.7`` belongs to ``views`` at ``7.x-3.7``: Drush 8 never prints
  ``project``), else the machine name (``transforms.inventory`` makes core ``drupal``).
* Display name: the label without Drush's `` (machine_name)`` suffix.
* Drush prints no datestamp, so a dev snapshot is judged with an unknown build date.

The object's keys are not known in advance, which ``str.json_decode`` needs, so each
payload's document is decoded on its own (a loop over payloads, never over extensions)
into a typed frame; everything after that is expressions.
"""

import json

import polars as pl

__all__ = ["EXTENSION_DTYPE", "drush_modules"]

EXTENSION_DTYPE = pl.Struct(
    {
        "name": pl.String,
        "display_name": pl.String,
        "project": pl.String,
        "type": pl.String,
        "path": pl.String,
        "status": pl.String,
        "version": pl.String,
        "package": pl.String,
    }
)
# A version drupal.org's packaging writes into a Drupal 7 (or early 8) .info file.
PACKAGED_VERSION = r"^[0-9]+\.x-"
# Parents are looked for among the first few `_`-separated parts of a machine name.
MAX_PREFIX_PARTS = 6


def _extensions(landing_id: int, body: str) -> pl.DataFrame:
    try:
        document = json.loads(body)
        names, extensions = list(document), list(document.values())
        extension_series = pl.Series("extension", extensions, dtype=EXTENSION_DTYPE)
    except (ValueError, TypeError, AttributeError) as error:
        raise pl.exceptions.ComputeError(f"not a drush pm:list document: {error}") from None
    return pl.DataFrame({"landing_id": [landing_id] * len(names), "machine_name": names}).with_columns(
        extension_series, position=pl.int_range(pl.len())
    )


def _decoded(payloads: pl.DataFrame) -> pl.DataFrame:
    frames = [_extensions(landing_id, body) for landing_id, body in payloads.select("landing_id", "body").iter_rows()]
    empty = pl.DataFrame(
        schema={"landing_id": pl.Int64, "machine_name": pl.String, "extension": EXTENSION_DTYPE,
                "position": pl.Int64}
    )
    return pl.concat([empty, *frames], how="vertical_relaxed")


def _parent_projects(rows: pl.LazyFrame) -> pl.LazyFrame:
    """(landing_id, machine_name) -> the listed contrib extension it is a submodule of."""
    contrib = rows.filter(pl.col("module_type") == "contrib").select("landing_id", "machine_name", "version")
    parts = pl.col("machine_name").str.split("_")
    prefixes = pl.concat_list(
        [parts.list.slice(0, count).list.join("_") for count in range(1, MAX_PREFIX_PARTS + 1)]
    )
    candidates = (
        contrib.filter(pl.col("version").is_not_null())
        .with_columns(parent=prefixes)
        .explode("parent")
        .filter(pl.col("parent") != pl.col("machine_name"))
        .unique()
    )
    return (
        candidates.join(contrib, left_on=["landing_id", "parent", "version"],
                        right_on=["landing_id", "machine_name", "version"])
        .group_by("landing_id", "machine_name")
        .agg(pl.col("parent").sort_by(pl.col("parent").str.len_chars()).last())
    )


def drush_modules(payloads: pl.DataFrame) -> pl.LazyFrame:
    """One row per installed extension of each shape C payload: ``landing_id``, ``position``
    and the module fields (``machine_name``, ``display_name``, ``module_type``, ``enabled``,
    ``version``, ``description``, ``project``, ``datestamp``).

    Raises ``polars.exceptions.ComputeError`` for a body that is not a pm:list document.
    """
    path = pl.col("path")
    project = pl.when(pl.col("project") != "").then(pl.col("project"))
    status = pl.col("status").str.to_lowercase()
    label = pl.coalesce(pl.col("display_name"), pl.col("name"))
    rows = (
        _decoded(payloads)
        .lazy()
        .unnest("extension")
        .filter(status != "not installed")
        .with_columns(
            project=project,
            enabled=status == "enabled",
            display_name=label.str.strip_suffix(pl.format(" ({})", pl.col("machine_name"))).str.strip_chars(),
            module_type=pl.when(path.str.starts_with("core/") | (path.is_null() & pl.col("package").str.starts_with(
                "Core").fill_null(False)))
            .then(pl.lit("core"))
            .when(path.str.contains(r"(^|/)contrib/").fill_null(False) | project.is_not_null()
                  | (path.is_null() & pl.col("version").str.contains(PACKAGED_VERSION).fill_null(False)))
            .then(pl.lit("contrib"))
            .otherwise(pl.lit("custom")),
        )
    )
    return (
        rows.join(_parent_projects(rows), on=["landing_id", "machine_name"], how="left")
        .with_columns(
            display_name=pl.when(pl.col("display_name") != "").then("display_name").otherwise("machine_name"),
            project=pl.coalesce("project", "parent"),
            description=pl.lit(None, pl.String),
            datestamp=pl.lit(None, pl.Int64),
        )
        .select("landing_id", "position", "machine_name", "display_name", "module_type", "enabled", "version",
                "description", "project", "datestamp")
    )
