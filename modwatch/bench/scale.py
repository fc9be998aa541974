"""Load a portfolio straight into the tables, for figures at a scale the intake would take hours to reach.

Sites, modules, versions and site modules are COPYed in; release data goes
through the product's own fetch-and-store path from the generated feeds.
Statuses are left to the
caller, which times their recomputation.
"""

import polars as pl
import psycopg

from orchestration.defs.resources import ReleaseFeedResource
from orchestration.pipeline.release_history import store_feeds, wanted_feeds
from sql import scale
from transforms.versions import version_struct


def load_portfolio(conn: psycopg.Connection, inventory: pl.DataFrame, *, label: str) -> dict[str, int]:
    """Load `inventory` (see inventories.INVENTORY_COLUMNS) as registered, synced sites."""
    cores = inventory.filter(pl.col("project") == "drupal").group_by("site").agg(
        pl.col("version").first().alias("core_version"))
    sites = cores.sort("site").with_columns(
        pl.format("{} {}", pl.lit(label), "site").alias("name"),
        pl.format("https://{}-{}.bench.example", pl.lit(label), "site").alias("url"),
    )
    versions = inventory.select("machine_name", "version").unique().with_columns(
        version_struct(pl.col("version")).struct.field("major", "minor", "patch", "extra", "sort_key"))
    loaded_sites, site_modules = scale.load(conn, sites=sites, inventory=inventory, versions=versions)
    return {"sites": loaded_sites, "site_modules": site_modules}


def load_release_data(conn: psycopg.Connection, feeds_base: str) -> dict[str, int]:
    """Fetch and store every wanted feed from the generated folder, as the release_data asset does."""
    wanted = wanted_feeds(conn)
    stored = store_feeds(conn, ReleaseFeedResource(base_url=feeds_base, concurrency=16).fetch(wanted))
    scale.analyze_releases(conn)
    return {"feeds": stored.fetched, "failed": len(stored.failed), "not_found": len(stored.not_found)}
