"""Site inventories drawn from a catalog, as one Polars frame, and the payloads sites push.

Every site runs core (its ~40 core modules at the site's core version), a
set of contrib projects drawn by popularity — so a few are on nearly every
site and most on few — some with a submodule (`x_ui` ships in project `x`),
and a long tail of custom modules no other site has. Installed versions
follow what portfolios look like: mostly the newest release, often an older
one, sometimes an unsupported major, a dev snapshot (dated or not) or a
version string nobody can parse.

Random draws are hashes of (site, slot, seed): vectorised and repeatable.
"""

import random

import polars as pl

from modwatch.bench.catalog import CORE_MODULES, DAY, NOW, Catalog
from sql.scale import INVENTORY_COLUMNS

# Shares of contrib installs by kind of version; the rest run the newest release.
OLDER, DEV, UNDATED_DEV, ODD = 0.30, 0.03, 0.01, 0.005


def _uniform(*columns: str, seed: int) -> pl.Expr:
    return pl.struct(*columns).hash(seed) / float(2**64)


def site_sizes(sites: int, *, smallest: int, largest: int, seed: int) -> list[int]:
    """Module counts per site: log-normal around 450, clipped to [smallest, largest]."""
    rng = random.Random(seed)
    return [min(largest, max(smallest, int(rng.lognormvariate(6.1, 0.55)))) for _ in range(sites)]


def generate_inventories(catalog: Catalog, sizes: list[int], *, seed: int = 11,
                         first_site: int = 0) -> pl.DataFrame:
    releases = catalog.releases_frame()
    sites = pl.DataFrame({"site": pl.int_range(first_site, first_site + len(sizes), eager=True),
                          "size": sizes})
    sites = sites.with_columns(
        (pl.col("size") * (0.03 + 0.12 * _uniform("site", seed=seed + 1))).cast(pl.Int64).alias("custom"),
    ).with_columns(
        (pl.col("size") - len(CORE_MODULES) - pl.col("custom")).clip(lower_bound=0).alias("contrib"),
    )
    contrib = _contrib_rows(sites, catalog, releases, seed)
    # Custom code fills what contrib does not (a small catalog cannot fill a large site).
    sites = sites.join(contrib.group_by("site").len("drawn"), on="site", how="left").with_columns(
        (pl.col("size") - len(CORE_MODULES) - pl.col("drawn").fill_null(0)).clip(lower_bound=0).alias("custom"))
    return pl.concat([
        _core_rows(sites, releases, seed),
        contrib,
        _custom_rows(sites),
    ]).with_columns(
        (_uniform("site", "machine_name", seed=seed + 9) > 0.08).alias("enabled"),
    ).select(INVENTORY_COLUMNS).sort("site", "machine_name")


def _core_rows(sites: pl.DataFrame, releases: pl.DataFrame, seed: int) -> pl.DataFrame:
    core = releases.filter(pl.col("project") == "drupal")
    # Most sites are on a recent core; position 0 is the newest release.
    chosen = sites.select(
        "site",
        (_uniform("site", seed=seed + 2).pow(3) * core.height).cast(pl.Int64).alias("position"),
    ).join(core.select("position", "version"), on="position")
    return chosen.join(pl.DataFrame({"machine_name": CORE_MODULES}), how="cross").select(
        "site", "machine_name", pl.lit("drupal").alias("project"), pl.lit("core").alias("module_type"),
        "version", pl.lit(None, pl.Int64).alias("datestamp"))


def _contrib_rows(sites: pl.DataFrame, catalog: Catalog, releases: pl.DataFrame, seed: int) -> pl.DataFrame:
    projects = catalog.projects_frame()
    # Draw slots by popularity; a project drawn twice for one site counts once.
    # Popular projects are drawn again and again: oversample, then keep each site's first `contrib`.
    slots = sites.select("site", pl.int_ranges(0, pl.col("contrib") * 3).alias("slot")).explode("slot")
    drawn = slots.with_columns(
        pl.lit(projects["cumulative"]).search_sorted(_uniform("site", "slot", seed=seed + 3))
        .cast(pl.Int64).clip(upper_bound=projects.height - 1).alias("index"),
    ).unique(["site", "index"], keep="first", maintain_order=True)
    drawn = drawn.join(projects.with_row_index("index").with_columns(pl.col("index").cast(pl.Int64)),
                       on="index").with_columns(
        _uniform("site", "project", seed=seed + 4).alias("kind"),
        _uniform("site", "project", seed=seed + 5).alias("pick"),
    )
    counts = releases.group_by("project").agg(
        pl.len().alias("releases"),
        pl.col("position").filter(pl.col("supported")).min().fill_null(0).alias("latest"),
    )
    picked = drawn.join(counts, on="project").with_columns(
        pl.when(pl.col("kind") < OLDER).then((pl.col("pick") * pl.col("releases")).cast(pl.Int64))
        .otherwise(pl.col("latest")).alias("position"),
    ).join(releases.select("project", "position", "version"), on=["project", "position"], how="left")
    dev = pl.col("kind").is_between(OLDER, OLDER + DEV + UNDATED_DEV, closed="left")
    undated = pl.col("kind") >= OLDER + DEV
    odd = pl.col("kind").is_between(1 - ODD, 1)
    installed = picked.select(
        "site", pl.col("project").alias("machine_name"), "project", pl.lit("contrib").alias("module_type"),
        pl.when(dev).then(pl.col("dev_version")).when(odd).then(pl.lit("custom-build-7"))
        .otherwise(pl.col("version")).alias("version"),
        pl.when(dev & ~undated).then(NOW - (pl.col("pick") * 700).cast(pl.Int64) * DAY)
        .otherwise(None).cast(pl.Int64).alias("datestamp"),
    )
    # One project in five ships a UI submodule that sites enable with it.
    submodules = installed.filter(_uniform("project", seed=seed + 6) < 0.2).with_columns(
        (pl.col("machine_name") + "_ui").alias("machine_name"))
    return pl.concat([installed, submodules]).join(sites.select("site", "contrib"), on="site").filter(
        pl.int_range(pl.len()).over("site", order_by="machine_name") < pl.col("contrib")).drop("contrib")


def _custom_rows(sites: pl.DataFrame) -> pl.DataFrame:
    return sites.select("site", pl.int_ranges(0, pl.col("custom")).alias("k")).explode("k").drop_nulls(
    ).select(
        "site",
        pl.format("site{}_custom_{}", "site", "k").alias("machine_name"),
        pl.format("site{}_custom_{}", "site", "k").alias("project"),
        pl.lit("custom").alias("module_type"),
        pl.when(pl.col("k") % 7 == 0).then(pl.lit("1.x-dev")).otherwise(pl.lit("1.0.0")).alias("version"),
        pl.lit(None, pl.Int64).alias("datestamp"),
    )


def drift(inventory: pl.DataFrame, catalog: Catalog, share: float, seed: int) -> pl.DataFrame:
    """The next sync: `share` of the contrib modules moved to their project's newest release."""
    newest = catalog.projects_frame().select("project", "newest")
    moved = _uniform("site", "machine_name", seed=seed) < share
    return inventory.join(newest, on="project", how="left").with_columns(
        pl.when(moved & pl.col("newest").is_not_null() & (pl.col("module_type") == "contrib"))
        .then(pl.col("newest")).otherwise(pl.col("version")).alias("version"),
    ).drop("newest")


def payload(rows: pl.DataFrame, *, shape: str, url: str, core_version: str) -> dict:
    """One site's inventory as the JSON a Drupal site pushes (SPEC §3, shapes A and B)."""
    modules = rows.select(pl.exclude("site")).to_dicts()
    if shape == "a":
        return {
            "site": {"url": url, "name": f"Bench site {url}"},
            "drupal_info": {"core_version": core_version, "php_version": "8.3.12"},
            "modules": [{"machine_name": m["machine_name"], "display_name": m["machine_name"],
                         "module_type": m["module_type"], "enabled": m["enabled"], "version": m["version"],
                         "project": m["project"],
                         **({"datestamp": m["datestamp"]} if m["datestamp"] is not None else {})}
                        for m in modules],
            "full_sync": True,
        }
    return {
        "site_info": {"name": f"Bench site {url}", "url": url},
        "modules": [{"machine_name": m["machine_name"], "name": m["machine_name"], "type": m["module_type"],
                     "version": m["version"], "status": m["enabled"], "project": m["project"],
                     **({"datestamp": m["datestamp"]} if m["datestamp"] is not None else {})}
                    for m in modules],
        "sync_timestamp": "2026-11-21T10:00:00Z",
        "drupal_version": core_version,
        "php_version": "8.3.12",
        "sync_type": "full",
    }


def core_version_of(rows: pl.DataFrame) -> str:
    core = rows.filter(pl.col("project") == "drupal")
    return core["version"][0] if core.height else "10.4.0"
