"""Which installed versions a security advisory covers (composer metapackage form).

Drupal 7 sites are judged against the 7.x advisories, newer sites against
the Drupal 8+ ones; within a feed, the composer constraint intervals of
`transforms.composer` are joined to the installed versions' composer keys.
"""

import polars as pl

from transforms.composer import advisory_intervals, composer_key_expr, composer_version_expr, match_advisories

VULNERABILITY_SCHEMA = pl.Schema(
    {"site_module_id": pl.Int64, "known_vulnerable": pl.Boolean, "advisories": pl.List(pl.String)}
)


def known_vulnerabilities(installed: pl.DataFrame, advisories: pl.DataFrame) -> pl.DataFrame:
    """installed: site_module_id, project, feed_api, version; advisories: feed_api, package, constraint_text.

    One row per vulnerable installed row, with the clause of each advisory that matched
    (`>=10.3.0,<10.3.9`, not core's whole constraint of dozens of ranges).
    """
    matches = []
    for (feed_api,), feed_advisories in advisories.group_by("feed_api"):
        intervals = advisory_intervals(
            list(zip(feed_advisories["package"], feed_advisories["constraint_text"], strict=True)),
            on_error="skip",
        )
        candidates = installed.lazy().filter(pl.col("feed_api") == feed_api).select(
            "site_module_id", "project",
            composer_key_expr(composer_version_expr(pl.col("version"))).alias("composer_key"),
        )
        matches.append(match_advisories(candidates, intervals).select("site_module_id", "clause"))
    if not matches:
        return pl.DataFrame(schema=VULNERABILITY_SCHEMA)
    return (
        pl.concat(matches).group_by("site_module_id")
        .agg(pl.col("clause").unique().sort().alias("advisories"))
        .with_columns(pl.lit(True).alias("known_vulnerable"))
        .select(VULNERABILITY_SCHEMA.names())
        .collect()
    )


def advisories_feed_api(conflict: dict[str, str]) -> str:
    """Which feed an advisories file covers: its drupal/core constraint names 7.x versions or newer."""
    core = conflict.get("drupal/core") or conflict.get("drupal/drupal") or ""
    first = core.lstrip("<>=!^~ ").split("|")[0].split(",")[0]
    return "7.x" if first.startswith("7.") else "current"
