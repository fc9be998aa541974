"""Drupal version strings, vectorised: the grammar of `foundation.versions` as Polars expressions,
and branch matching.

The grammar, the order key and the scalar parser live in `foundation.versions`
(the API needs them without Polars); this module reads the same pattern with
Polars' regex engine and computes the same fields for whole columns.
"""

from __future__ import annotations

import re

import polars as pl

from foundation.versions import (
    BRANCH_MINOR,
    BRANCH_PATCH,
    MAJOR_FACTOR,
    MAX_COMMITS,
    MAX_DIGITS,
    MAX_MAJOR,
    MAX_MINOR,
    MAX_PATCH,
    MAX_STAGE_NUMBER,
    MINOR_FACTOR,
    PATCH_FACTOR,
    STAGE_BRANCH_DEV,
    STAGE_BY_PRE_RELEASE,
    STAGE_FACTOR,
    STAGE_NUMBER_FACTOR,
    STAGE_PRE_DEV,
    STAGE_RELEASE,
    VERSION_PATTERN,
    VERSION_RE,
    DrupalVersion,
    pack_key,
    parse_version,
)

__all__ = ["DrupalVersion", "pack_key", "parse_version"]  # re-exported: callers keep importing them from here

VERSION_STRUCT_DTYPE = pl.Struct(
    {
        "core": pl.String,
        "major": pl.Int64,
        "minor": pl.Int64,
        "patch": pl.Int64,
        "extra": pl.String,
        "is_dev": pl.Boolean,
        "sort_key": pl.Int64,
    }
)
VERSION_FIELDS = tuple(VERSION_STRUCT_DTYPE.to_schema())



def version_struct(expr: pl.Expr) -> pl.Expr:
    """Vectorised ``parse_version``: a Struct{core, major, minor, patch, extra, is_dev, sort_key}.

    For a null or invalid string the struct itself is not null but every field is null;
    ``sort_key`` null is the "not a Drupal version" marker. Polars expressions only.
    """
    field = pl.field
    return _parsed_fields(expr).struct.eval(
        *(
            pl.when(field("valid")).then(field(source)).alias(name)
            for name, source in {
                "core": "core",
                "major": "major_value",
                "minor": "minor_value",
                "patch": "patch_value",
                "extra": "extra_value",
                "is_dev": "is_dev",
                "sort_key": "sort_key_value",
            }.items()
        )
    )


def _parsed_fields(expr: pl.Expr) -> pl.Expr:
    """The capture groups of VERSION_PATTERN plus every derived field (``valid`` ...)."""
    # The regex runs once; every later step works on fields of that one struct (an expression
    # that referred to the capture struct several times would re-run the regex each time).
    field = pl.field
    numbers = ("major", "second", "third", "pre_number", "commits")
    return (
        expr.str.extract_groups(f"^(?:{VERSION_PATTERN})$")
        .struct.with_fields(
            # Length first, so that every cast below stays within Int64.
            short_numbers=pl.all_horizontal(
                field(name).str.len_bytes().fill_null(0) <= MAX_DIGITS for name in numbers
            ),
            has_third=field("third").is_not_null(),
            is_dev=field("dev").is_not_null(),
            second_is_x=field("second") == "x",
            branch_dev=(field("second") == "x") | (field("third") == "x").fill_null(False),
            major_value=field("major").cast(pl.Int64, strict=False),
            minor_value=pl.when(field("third").is_not_null()).then(
                field("second").cast(pl.Int64, strict=False)
            ),
            patch_value=pl.coalesce(field("third"), field("second")).cast(pl.Int64, strict=False),
            stage_number=field("pre_number").cast(pl.Int64, strict=False).fill_null(0),
            post=(field("commits").cast(pl.Int64, strict=False) + 1).fill_null(0),
        )
        .struct.with_fields(
            valid=(
                field("short_numbers")
                & field("major_value").is_not_null()
                & ~(field("core").is_not_null() & field("has_third"))
                & ~(
                    field("branch_dev")
                    & (field("pre").is_not_null() | field("commits").is_not_null() | ~field("is_dev"))
                )
                & ~(field("second_is_x") & field("has_third"))
                & ~(
                    field("is_dev")
                    & ~field("branch_dev")
                    & field("commits").is_null()
                    & (~field("has_third") | field("pre").is_not_null())
                )
                & (field("major_value") <= MAX_MAJOR)
                & (field("minor_value").fill_null(0) <= MAX_MINOR)
                & (field("patch_value").fill_null(0) <= MAX_PATCH)
                & (field("stage_number") <= MAX_STAGE_NUMBER)
                & (field("post") <= MAX_COMMITS + 1)
            ).fill_null(False),
            stage=pl.when(field("branch_dev"))
            .then(STAGE_BRANCH_DEV)
            .when(field("is_dev") & field("commits").is_null())
            .then(STAGE_PRE_DEV)
            .otherwise(
                field("pre")
                .replace_strict(STAGE_BY_PRE_RELEASE, default=None, return_dtype=pl.Int64)
                .fill_null(STAGE_RELEASE)
            ),
        )
        # Arithmetic stays in with_fields: Polars 2.1 fails to resolve fields inside
        # struct.eval for fused forms such as field("a") * 10 + field("b").
        .struct.with_fields(
            extra_value=pl.when(field("is_dev"))
            .then(pl.lit("dev"))
            .otherwise(field("pre") + field("pre_number")),
            sort_key_value=field("major_value") * MAJOR_FACTOR
            + pl.when(field("second_is_x"))
            .then(BRANCH_MINOR)
            .otherwise(field("minor_value").fill_null(0))
            * MINOR_FACTOR
            + field("patch_value").fill_null(BRANCH_PATCH) * PATCH_FACTOR
            + field("stage") * STAGE_FACTOR
            + field("stage_number") * STAGE_NUMBER_FACTOR
            + field("post"),
        )
    )


def branch_prefix(text: str) -> str | None:
    """The drupal.org ``supported_branches`` entry a version belongs to.

    ``8.x-1.2`` -> ``8.x-1.``, ``2.0.4`` -> ``2.0.``, ``10.3.x-dev`` -> ``10.3.``,
    ``7.59`` -> ``7.``; None for a string that is not a Drupal version.
    """
    if parse_version(text) is None:
        return None
    match = VERSION_RE.fullmatch(text)
    core, major, second, third = match.group("core", "major", "second", "third")
    # From the text itself, so that the prefix is a prefix of the version (8.x-01.2).
    return f"{core}-" * bool(core) + f"{major}." + f"{second}." * (third is not None)


def branch_prefix_expr(expr: pl.Expr) -> pl.Expr:
    """Vectorised ``branch_prefix`` (null for invalid versions)."""
    field = pl.field
    return (
        _parsed_fields(expr)
        .struct.with_fields(
            branch_prefix=pl.when(field("valid")).then(
                pl.concat_str(
                    pl.when(field("core").is_not_null())
                    .then(field("core") + "-")
                    .otherwise(pl.lit("")),
                    field("major"),
                    pl.lit("."),
                    pl.when(field("has_third"))
                    .then(field("second") + ".")
                    .otherwise(pl.lit("")),
                )
            )
        )
        .struct.field("branch_prefix")
    )


def matches_branch_expr(version_expr: pl.Expr, prefix_expr: pl.Expr | str) -> pl.Expr:
    """Whether a version lies in a supported branch: a plain string prefix test, as drupal.org's
    update status does (``strpos($version, $branch) === 0``); every branch ends with ".", so
    ``8.x-1.`` does not take ``8.x-10.0``."""
    return version_expr.str.starts_with(prefix_expr)


def supported_branches_list(text: str | None) -> list[str]:
    """``"8.x-1.,2.0.,"`` -> ``["8.x-1.", "2.0."]`` (the feed's comma list, empties dropped)."""
    return [branch.strip() for branch in (text or "").split(",") if branch.strip()]


_SUPPORTED_MAJOR_PATTERN = r"[0-9]{1,4}"


def supported_majors_list(text: str | None) -> list[int]:
    """Drupal 7 feeds' ``supported_majors`` (``"1,2"``) as integers; anything else is dropped."""
    majors = (major.strip(" ") for major in (text or "").split(","))
    return [int(major) for major in majors if re.fullmatch(_SUPPORTED_MAJOR_PATTERN, major)]


def supported_majors_expr(text_expr: pl.Expr) -> pl.Expr:
    """Vectorised ``supported_majors_list``: a List[Int64] (null for a null string)."""
    major = pl.element().str.strip_chars(" ")
    return text_expr.str.split(",").list.eval(
        major.filter(major.str.contains(f"^{_SUPPORTED_MAJOR_PATTERN}$")).cast(pl.Int64)
    )


def major_is_supported_expr(major_expr: pl.Expr, supported_majors_text: pl.Expr) -> pl.Expr:
    """Whether a version's major is in a ``supported_majors`` string (null if either is null)."""
    return (
        pl.when(major_expr.is_not_null() & supported_majors_text.is_not_null())
        .then(supported_majors_expr(supported_majors_text).list.contains(major_expr))
    )
