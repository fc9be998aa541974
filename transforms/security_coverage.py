"""Security coverage of Drupal core, as Drupal's own status report computes it.

Drupal core supports a minor release line until two further minors are out:
an official release of ``M.m`` is covered until ``M.(m+2).0``. How many of
those minors are still to come is that until-minor minus the minor of the
newest published official release of the same major in the feed; 2 or more is
plainly covered, 1 means "update to M.(m+1) or higher soon", 0 or less means
coverage has ended. Only official releases (no ``-rc1``, no ``-dev``) get a
version-based answer.

A few release lines had their end fixed by date instead (8.8, 8.9, 9.4, 9.5).
For those Drupal looks at the calendar, not at newer minors, and it does so
before looking at the version's extra part: a ``9.4.0-rc1`` or ``9.4.x-dev``
that the feed lists is covered by 9.4's date as well. A date given only as a
month ends on the first of it (Drupal compares ``Y-m`` strings, so November
2023 counts as ended from 2023-11-01); a warning date, where one is set, turns
"covered" into "ending soon" from that day on.

Drupal answers nothing when the installed version is not one of the feed's
releases; callers that pass the installed ``version`` get that rule too. The
code shipped with Drupal 8.8, so sites on older core get no coverage row.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl

__all__ = ["COVERAGE_SCHEMA", "COVERAGE_STATES", "coverage_document", "security_coverage"]

# A minor line is covered until this many further minors have been released.
CORE_MINORS_WITH_SECURITY_COVERAGE = 2
# Drupal's coverage code exists from 8.8 on: an older site never shows coverage.
FIRST_COVERED = (8, 8)

COVERED = "covered"
ENDING_SOON = "ending_soon"
ENDED = "ended"
COVERAGE_STATES = (COVERED, ENDING_SOON, ENDED)

# Release lines whose coverage ends on a date: (major, minor, end, warn from).
# A month-only end is held as its first day, the day Drupal starts calling it ended.
DATED_COVERAGE = pl.DataFrame(
    [
        (8, 8, date(2020, 12, 2), date(2020, 6, 2)),
        (8, 9, date(2021, 11, 1), None),
        (9, 4, date(2023, 6, 21), date(2022, 12, 14)),
        (9, 5, date(2023, 11, 1), date(2023, 5, 14)),
    ],
    schema={"major": pl.Int64, "minor": pl.Int64, "coverage_until_date": pl.Date, "_warn_from": pl.Date},
    orient="row",
)

COVERAGE_SCHEMA = pl.Schema(
    {
        "site_id": pl.Int64,
        "coverage_until_version": pl.String,
        "coverage_until_date": pl.Date,
        "coverage_additional_minors": pl.Int64,
        "coverage_state": pl.String,
    }
)


def security_coverage(installed: pl.LazyFrame, releases: pl.LazyFrame, *,
                      today: date | None = None) -> pl.LazyFrame:
    """Core's security coverage per site (COVERAGE_SCHEMA), only for sites Drupal computes it for.

    `installed`: `site_id`, `major`, `minor`, `is_dev`, `extra` of the core each site runs (optionally
    its `version`, then it must be one of the feed's releases, as Drupal requires). `releases`: core's
    releases from the `current` feed (`status`, `major`, `minor`, `extra`, `is_dev`, `sort_key`; rows of
    other projects or feeds are ignored when `project`/`feed_api` say so).
    """
    today = today or datetime.now(UTC).date()
    core_releases = _core_releases(releases)

    candidates = installed.filter(
        pl.col("major").is_not_null()
        & pl.col("minor").is_not_null()
        & ((pl.col("major") > FIRST_COVERED[0])
           | ((pl.col("major") == FIRST_COVERED[0]) & (pl.col("minor") >= FIRST_COVERED[1])))
    )
    if "version" in installed.collect_schema().names():
        listed = core_releases.select("version").unique()
        candidates = candidates.join(listed, on="version", how="semi")
    else:
        # Without the version, at least a feed that lists nothing of the major (none fetched yet, a 404)
        # cannot hold the installed release either: no coverage, rather than "ended" from no data.
        candidates = candidates.join(core_releases.select("major").unique(), on="major", how="semi")
    candidates = candidates.join(DATED_COVERAGE.lazy(), on=["major", "minor"], how="left")

    is_dated = pl.col("coverage_until_date").is_not_null()
    is_official = pl.col("extra").is_null() & ~pl.col("is_dev").fill_null(False)
    until_minor = pl.col("minor") + CORE_MINORS_WITH_SECURITY_COVERAGE

    # The newest published official release of each major decides how many minors are left.
    newest_minor = (
        core_releases.filter((pl.col("status") == "published") & pl.col("extra").is_null()
                             & ~pl.col("is_dev").fill_null(False) & pl.col("minor").is_not_null())
        .group_by("major")
        .agg(_newest_minor=pl.col("minor").sort_by("sort_key").last())
    )
    additional = until_minor - pl.col("_newest_minor")

    by_version = (
        candidates.filter(~is_dated & is_official)
        .join(newest_minor, on="major", how="left")
        .with_columns(
            coverage_until_version=pl.format("{}.{}.0", pl.col("major"), until_minor),
            coverage_additional_minors=additional,
            # Drupal shows "Coverage has ended" also when no newer official release tells it otherwise
            # (its count is unknown and an unknown number is not above zero).
            coverage_state=pl.when(additional > 1).then(pl.lit(COVERED))
            .when(additional == 1).then(pl.lit(ENDING_SOON))
            .otherwise(pl.lit(ENDED)),
        )
    )
    by_date = candidates.filter(is_dated).with_columns(
        coverage_until_version=pl.lit(None, pl.String),
        coverage_additional_minors=pl.lit(None, pl.Int64),
        coverage_state=pl.when(pl.col("coverage_until_date") <= today).then(pl.lit(ENDED))
        .when(pl.col("_warn_from") <= today).then(pl.lit(ENDING_SOON))
        .otherwise(pl.lit(COVERED)),
    )
    return pl.concat(
        [frame.select(pl.col(name).cast(dtype) for name, dtype in COVERAGE_SCHEMA.items())
         for frame in (by_version, by_date)]
    )


def coverage_document() -> pl.Expr:
    """The coverage columns of a `security_coverage` frame as the JSON document a core row stores:
    `{until_version | until_date, additional_minors, state}`, a field left out when it has no value, and
    null when there is no coverage state. Named `security_coverage`."""
    document = pl.struct(
        until_version=pl.col("coverage_until_version"),
        until_date=pl.col("coverage_until_date"),
        additional_minors=pl.col("coverage_additional_minors"),
        state=pl.col("coverage_state"),
    ).struct.json_encode()
    # `state` comes last and is never null here, so every field left out is followed by a comma.
    stripped = document.str.replace_all(r'"(?:until_version|until_date|additional_minors)":null,', "")
    return pl.when(pl.col("coverage_state").is_not_null()).then(stripped).alias("security_coverage")


def _core_releases(releases: pl.LazyFrame) -> pl.LazyFrame:
    names = releases.collect_schema().names()
    condition = pl.lit(True)
    if "project" in names:
        condition &= pl.col("project") == "drupal"
    if "feed_api" in names:
        condition &= pl.col("feed_api") == "current"
    return releases.filter(condition)
