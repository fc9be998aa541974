"""Security advisories in OSV format (the Drupal Security Team's database) as frames.

An advisory names the Drupal projects it affects: `drupal/<project>` in the
ecosystem `Packagist:https://packages.drupal.org/8`, or `drupal/core` in
`Packagist`. Each affected range is a list of events: a version range runs
from an `introduced` event to the next `fixed` (excluded) or `last_affected`
(included) event, or is open-ended; `introduced: 0` means every earlier
version. Versions are Composer versions, ordered with Composer's semantics
(`transforms.composer`), and each bound is stored with its order key so that
matching installed versions is one join and one filter.

A range with several `introduced` events becomes one interval per
`introduced`; intervals are numbered in the advisory's order
(`range_index`). A range whose bounds are not Composer versions cannot be
ordered: it is left out and counted (`unreadable_ranges`), never guessed.
"""

import re

import polars as pl

from transforms.composer import composer_key_expr

CORE_PACKAGES = ("drupal/core", "drupal/drupal")
DRUPAL_ECOSYSTEMS = ("Packagist", "Packagist:https://packages.drupal.org/8")
# The first sentence of `details`, as a one-line summary: the whole text is on the advisory.
SUMMARY_LENGTH = 240

_EVENT = pl.Struct({"introduced": pl.String, "fixed": pl.String, "last_affected": pl.String})
DOCUMENT_SCHEMA = pl.Schema({
    "id": pl.String,
    "modified": pl.String,
    "published": pl.String,
    "withdrawn": pl.String,
    "aliases": pl.List(pl.String),
    "summary": pl.String,
    "details": pl.String,
    "affected": pl.List(pl.Struct({
        "package": pl.Struct({"ecosystem": pl.String, "name": pl.String}),
        "ranges": pl.List(pl.Struct({
            "type": pl.String,
            "events": pl.List(_EVENT),
            "database_specific": pl.Struct({"constraint": pl.String}),
        })),
    })),
    "references": pl.List(pl.Struct({"type": pl.String, "url": pl.String})),
})
ADVISORY_SCHEMA = pl.Schema({
    "advisory_id": pl.String,
    "aliases": pl.List(pl.String),
    "summary": pl.String,
    "details": pl.String,
    "url": pl.String,
    "published": pl.Datetime("us", "UTC"),
    "modified": pl.Datetime("us", "UTC"),
    "withdrawn": pl.Datetime("us", "UTC"),
})
RANGE_SCHEMA = pl.Schema({
    "advisory_id": pl.String,
    "range_index": pl.Int32,
    "package": pl.String,
    "project": pl.String,
    "introduced": pl.String,
    "fixed": pl.String,
    "last_affected": pl.String,
    "constraint_text": pl.String,
    "introduced_key": pl.Int64,
    "fixed_key": pl.Int64,
    "last_affected_key": pl.Int64,
})


def documents_frame(documents: list[dict]) -> pl.DataFrame:
    """Parsed OSV JSON documents as one frame (DOCUMENT_SCHEMA; fields it does not name are dropped)."""
    return pl.DataFrame(documents, schema=DOCUMENT_SCHEMA, strict=False)


def _timestamp(column: str) -> pl.Expr:
    return pl.col(column).str.to_datetime(time_zone="UTC", time_unit="us", strict=False)


def one_line_summary(details: pl.Expr) -> pl.Expr:
    """The first sentence of the first paragraph, at most SUMMARY_LENGTH characters."""
    paragraph = details.str.strip_chars().str.split("\n").list.first().str.strip_chars()
    sentence = paragraph.str.extract(r"^(.+?[.!?])(?:\s|$)", 1).fill_null(paragraph)
    return (pl.when(sentence.str.len_chars() > SUMMARY_LENGTH)
            .then(sentence.str.slice(0, SUMMARY_LENGTH - 1).str.strip_chars() + "…")
            .otherwise(sentence))


def advisories(documents: pl.DataFrame) -> pl.DataFrame:
    """One row per advisory (ADVISORY_SCHEMA): its OSV `summary` if it has one, else the first sentence of
    `details`; the reference URL is the ADVISORY reference, else the first WEB one, else the first."""
    references = pl.col("references").fill_null([])
    preferred = (references.list.eval(pl.element().filter(pl.element().struct.field("type") == "ADVISORY"))
                 .list.concat(references.list.eval(pl.element().filter(pl.element().struct.field("type") == "WEB")))
                 .list.concat(references))
    return documents.select(
        pl.col("id").alias("advisory_id"),
        pl.col("aliases").fill_null([]),
        pl.coalesce(pl.col("summary").str.strip_chars().replace("", None),
                    one_line_summary(pl.col("details").fill_null(""))).alias("summary"),
        pl.col("details").fill_null(""),
        preferred.list.first().struct.field("url").alias("url"),
        _timestamp("published"),
        _timestamp("modified"),
        _timestamp("withdrawn"),
    ).unique("advisory_id", keep="last", maintain_order=True).select(ADVISORY_SCHEMA.names())


def ranges(documents: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Every Drupal interval of every advisory (RANGE_SCHEMA), and how many could not be ordered.

    Packages outside the `drupal/` vendor and ecosystems other than Drupal's are not ours to match.
    """
    events = (
        documents.select(pl.col("id").alias("advisory_id"), "affected")
        .explode("affected").unnest("affected")
        .filter(pl.col("package").struct.field("ecosystem").is_in(DRUPAL_ECOSYSTEMS))
        .with_columns(pl.col("package").struct.field("name").alias("package"))
        .explode("ranges").unnest("ranges")
        .filter(pl.col("type") == "ECOSYSTEM")
        .with_columns(
            pl.col("database_specific").struct.field("constraint").alias("constraint_text"),
            pl.int_range(pl.len()).over("advisory_id").alias("range_ordinal"),
        )
        .explode("events").unnest("events")
    )
    # An interval opens at each `introduced` and closes at the event that follows it, if that closes it.
    following = {name: pl.col(name).shift(-1).over("advisory_id", "range_ordinal")
                 for name in ("fixed", "last_affected")}
    intervals = (
        events.with_columns(**following)
        .filter(pl.col("introduced").is_not_null())
        .with_columns(
            project_of_package_expr(pl.col("package")).alias("project"),
            pl.when(pl.col("introduced") != "0").then(composer_key_expr(pl.col("introduced")))
            .alias("introduced_key"),
            composer_key_expr(pl.col("fixed")).alias("fixed_key"),
            composer_key_expr(pl.col("last_affected")).alias("last_affected_key"),
        )
        .filter(pl.col("project").is_not_null())
        .with_columns(pl.int_range(pl.len(), dtype=pl.Int32).over("advisory_id").alias("range_index"))
    )
    readable = (
        ((pl.col("introduced") == "0") | pl.col("introduced_key").is_not_null())
        & (pl.col("fixed").is_null() | pl.col("fixed_key").is_not_null())
        & (pl.col("last_affected").is_null() | pl.col("last_affected_key").is_not_null())
    )
    kept = intervals.filter(readable)
    return kept.select(RANGE_SCHEMA.names()), intervals.height - kept.height


def project_of_package_expr(package: pl.Expr) -> pl.Expr:
    """Vectorised `transforms.composer.project_of_package`: `drupal/core` is project `drupal`."""
    name = package.str.strip_prefix("drupal/")
    return (pl.when(package.is_in(CORE_PACKAGES)).then(pl.lit("drupal"))
            .when(package.str.starts_with("drupal/") & (name != "") & ~name.str.contains("/")).then(name))


_WILDCARD = re.compile(r"(?<![\w.])(\d+)(?:\.(\d+))?\.\*")


def explicit_constraint(constraint: str) -> str:
    """An OSV range's Composer constraint without wildcards (`11.2.*` → `>=11.2.0-dev <11.3.0-dev`), in the
    subset `transforms.composer` reads; `*` alone stays (any version)."""
    def bounds(match: re.Match) -> str:
        major, minor = int(match.group(1)), match.group(2)
        if minor is None:
            return f">={major}.0.0-dev <{major + 1}.0.0-dev"
        return f">={major}.{minor}.0-dev <{major}.{int(minor) + 1}.0-dev"
    return _WILDCARD.sub(bounds, constraint)
