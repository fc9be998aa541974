"""Which installed versions a security advisory covers.

Two sources, one frame (`ADVISORIES_SCHEMA`, one row per range or clause):

- OSV advisories of the Drupal Security Team (rows with an `advisory_id`),
  for Drupal 8+ sites: an installed version in Composer form (`8.x-1.2` →
  `1.2`) is affected by a range when `introduced ≤ v < fixed` (or
  `≤ last_affected`), compared by Composer order keys (`transforms.osv`
  stores them with each range).
- The drupal-security-advisories composer metapackage (rows without one),
  per feed: Drupal 7 sites against the 7.x file, newer sites against the
  Drupal 8+ one; its constraints are joined as intervals
  (`transforms.composer`), and what matched is the clause, not the whole
  constraint.

Each match is one advisory item of the site module, in a text form the
store writes back as an object `{id, aliases, url, summary, fixed_in,
constraint}` (`advisory_item_text`): an OSV match is its fields joined by
ITEM_FIELD_SEPARATOR, a metapackage match only its clause.
"""

import polars as pl

from transforms.composer import advisory_intervals, composer_key_expr, composer_version_expr, match_advisories

VULNERABILITY_SCHEMA = pl.Schema(
    {"site_module_id": pl.Int64, "known_vulnerable": pl.Boolean, "advisories": pl.List(pl.String)}
)
ADVISORIES_SCHEMA = pl.Schema({
    "feed_api": pl.String, "package": pl.String, "project": pl.String, "constraint_text": pl.String,
    "advisory_id": pl.String, "aliases": pl.List(pl.String), "url": pl.String, "summary": pl.String,
    "fixed_in": pl.String, "introduced_key": pl.Int64, "fixed_key": pl.Int64, "last_affected_key": pl.Int64,
})
# The order of an item's fields in its text form; aliases are joined by ALIAS_SEPARATOR.
ITEM_FIELDS = ("id", "aliases", "url", "summary", "fixed_in", "constraint")
ITEM_FIELD_SEPARATOR = "\x1e"
ALIAS_SEPARATOR = ","
# Joins a row's items into one key (a character no item holds), to find the rows that share a list.
SEPARATOR_OF_LISTS = "\x1f"
OSV_FEED_API = "current"


def known_vulnerabilities(installed: pl.DataFrame, advisories: pl.DataFrame) -> pl.DataFrame:
    """installed: site_module_id, project, feed_api, version; advisories: ADVISORIES_SCHEMA (a metapackage-only
    frame may leave out the OSV columns). One row per vulnerable installed row with its advisory items, sorted.

    A portfolio runs few distinct versions of each project however many sites it has: versions are parsed
    and matched once per distinct (project, feed, version), and the items joined back to the rows.
    """
    advisories = advisories.select(
        pl.col(name) if name in advisories.columns else pl.lit(None, dtype).alias(name)
        for name, dtype in ADVISORIES_SCHEMA.items())
    keys = ["project", "feed_api", "version"]
    distinct = installed.lazy().select(keys).unique().with_columns(
        composer_key_expr(composer_version_expr(pl.col("version"))).alias("composer_key"),
    ).filter(pl.col("composer_key").is_not_null())
    osv = advisories.filter(pl.col("advisory_id").is_not_null())
    matches = [_osv_matches(distinct.filter(pl.col("feed_api") == OSV_FEED_API), osv.lazy())]
    for (feed_api,), feed_advisories in advisories.filter(pl.col("advisory_id").is_null()).group_by("feed_api"):
        intervals = advisory_intervals(
            list(zip(feed_advisories["package"], feed_advisories["constraint_text"], strict=True)),
            on_error="skip",
        )
        feed_candidates = distinct.filter(pl.col("feed_api") == feed_api)
        matches.append(match_advisories(feed_candidates, intervals).select(*keys, pl.col("clause").alias("item")))
    items = pl.concat(matches).group_by(keys).agg(pl.col("item").unique().sort().alias("advisories"))
    return (
        installed.lazy().select("site_module_id", *keys)
        .join(items, on=keys)
        .with_columns(pl.lit(True).alias("known_vulnerable"))
        .select(VULNERABILITY_SCHEMA.names())
        .collect()
    )


def _osv_matches(candidates: pl.LazyFrame, ranges: pl.LazyFrame) -> pl.LazyFrame:
    key = pl.col("composer_key")
    affected = (
        (pl.col("introduced_key").is_null() | (key >= pl.col("introduced_key")))
        & (pl.col("fixed_key").is_null() | (key < pl.col("fixed_key")))
        & (pl.col("last_affected_key").is_null() | (key <= pl.col("last_affected_key")))
    )
    return candidates.join(ranges, on="project").filter(affected).select(
        "project", "feed_api", "version", advisory_item_text())


def advisory_item_text() -> pl.Expr:
    """An OSV range's advisory item in its text form (see the module docstring)."""
    fields = {"id": pl.col("advisory_id"), "aliases": pl.col("aliases").list.join(ALIAS_SEPARATOR),
              "url": pl.col("url"), "summary": pl.col("summary"), "fixed_in": pl.col("fixed_in"),
              "constraint": pl.col("constraint_text")}
    return pl.concat_str([fields[name].fill_null("") for name in ITEM_FIELDS],
                         separator=ITEM_FIELD_SEPARATOR).alias("item")


def advisory_item_json(item: pl.Expr) -> pl.Expr:
    """An advisory item in its text form as the JSON object `site_projects.advisories` stores for it:
    `{id, aliases, url, summary, fixed_in, constraint}`, empty text fields null (a metapackage item has
    only its constraint). Flat: one item per row, so it runs vectorised over every item at once."""
    fields = item.str.split(ITEM_FIELD_SEPARATOR)

    def text(position: int) -> pl.Expr:
        value = fields.list.get(position, null_on_oob=True)
        return pl.when(value != "").then(value)

    no_aliases = pl.lit([], pl.List(pl.String))
    aliases = fields.list.get(1, null_on_oob=True)
    osv_item = pl.struct(
        id=fields.list.first(), aliases=pl.when(aliases != "").then(aliases.str.split(ALIAS_SEPARATOR))
        .otherwise(no_aliases),
        url=text(2), summary=text(3), fixed_in=text(4), constraint=text(5))
    none = pl.lit(None, pl.String)
    metapackage_item = pl.struct(id=none, aliases=no_aliases, url=none, summary=none, fixed_in=none,
                                 constraint=item)
    return (pl.when(item.str.contains(ITEM_FIELD_SEPARATOR, literal=True)).then(osv_item)
            .otherwise(metapackage_item).struct.json_encode())


def advisory_items_json(items: pl.Series) -> pl.Series:
    """Each row's advisory items (a list in their text form) as the JSON array `site_projects.advisories`
    stores, `[]` for none. Thousands of sites share a list, so each distinct list is encoded once."""
    key = items.list.join(SEPARATOR_OF_LISTS).fill_null("")
    distinct = pl.DataFrame({"key": key, "items": items}).unique("key", keep="any")
    encoded = (
        distinct.lazy().filter(pl.col("items").list.len() > 0)
        .explode("items")
        .group_by("key", maintain_order=True)
        .agg(json=pl.lit("[") + advisory_item_json(pl.col("items")).str.join(",") + pl.lit("]"))
    )
    return (key.to_frame("key").lazy().join(encoded, on="key", how="left", maintain_order="left")
            .select(pl.col("json").fill_null("[]")).collect().to_series().alias(items.name))


def advisories_feed_api(conflict: dict[str, str]) -> str:
    """Which feed an advisories file covers: its drupal/core constraint names 7.x versions or newer."""
    core = conflict.get("drupal/core") or conflict.get("drupal/drupal") or ""
    first = core.lstrip("<>=!^~ ").split("|")[0].split(",")[0]
    return "7.x" if first.startswith("7.") else "current"
