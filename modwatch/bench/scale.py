"""Load a portfolio straight into the tables, for figures at a scale the intake would take hours to reach.

Sites, modules, versions and site modules are COPYed in; release data goes
through the product's own fetch-and-store path from the generated feeds.
Foreign-key triggers are off during the load (`session_replication_role`):
the rows are consistent by construction, and checking 9 million references
one by one would be most of the benchmark's time. Statuses are left to the
caller, which times their recomputation.
"""

import polars as pl
import psycopg

from modwatch.bench.inventories import INVENTORY_COLUMNS
from orchestration.defs.resources import ReleaseFeedResource
from orchestration.frames import copy_frame, read_frame
from orchestration.releases import store_feeds, wanted_feeds
from transforms.versions import version_struct

STAGE = """
CREATE TEMP TABLE scale_stage (
    site bigint, machine_name text, project text, module_type text, version text,
    datestamp bigint, enabled boolean
) ON COMMIT DROP
"""


def load_sites(conn: psycopg.Connection, inventory: pl.DataFrame, *, label: str) -> pl.DataFrame:
    """One `sites` row per generated site; returns site → site_id."""
    cores = inventory.filter(pl.col("project") == "drupal").group_by("site").agg(
        pl.col("version").first().alias("core_version"))
    sites = cores.sort("site").with_columns(
        pl.format("{} {}", pl.lit(label), "site").alias("name"),
        pl.format("https://{}-{}.bench.example", pl.lit(label), "site").alias("url"),
    )
    conn.execute("CREATE TEMP TABLE scale_sites (site bigint, name text, url text, core_version text) "
                 "ON COMMIT DROP")
    copy_frame(conn, "scale_sites", sites.select("site", "name", "url", "core_version"))
    # Nobody pushes as these sites: any unique hash will do for a token nobody holds.
    conn.execute("""INSERT INTO sites (name, url, token_hash, core_version, last_sync_at, last_full_sync_at)
                    SELECT name, url, sha256(convert_to(url, 'UTF8')), core_version, now(), now()
                    FROM scale_sites""")
    return read_frame(conn, "SELECT s.site, t.id AS site_id FROM scale_sites s JOIN sites t ON t.url = s.url",
                      schema={"site": pl.Int64, "site_id": pl.Int64})


def load_portfolio(conn: psycopg.Connection, inventory: pl.DataFrame, *, label: str) -> dict[str, int]:
    """COPY `inventory` (see inventories.INVENTORY_COLUMNS) in as registered, synced sites."""
    with conn.transaction():
        conn.execute("SET LOCAL session_replication_role = replica")
        site_ids = load_sites(conn, inventory, label=label)
        conn.execute(STAGE)
        copy_frame(conn, "scale_stage", inventory.select(INVENTORY_COLUMNS))
        conn.execute("""INSERT INTO modules (machine_name, display_name, module_type, project)
                        SELECT DISTINCT ON (machine_name) machine_name, machine_name, module_type, project
                        FROM scale_stage ORDER BY machine_name ON CONFLICT (machine_name) DO NOTHING""")
        versions = inventory.select("machine_name", "version").unique().with_columns(
            version_struct(pl.col("version")).struct.field("sort_key"))
        conn.execute("CREATE TEMP TABLE scale_versions (machine_name text, version text, sort_key bigint) "
                     "ON COMMIT DROP")
        copy_frame(conn, "scale_versions", versions)
        conn.execute("""INSERT INTO module_versions (module_id, version_string, sort_key)
                        SELECT m.id, v.version, v.sort_key FROM scale_versions v
                        JOIN modules m ON m.machine_name = v.machine_name
                        ON CONFLICT (module_id, version_string) DO NOTHING""")
        conn.execute("CREATE TEMP TABLE scale_site_ids (site bigint, site_id bigint) ON COMMIT DROP")
        copy_frame(conn, "scale_site_ids", site_ids)
        inserted = conn.execute("""
            INSERT INTO site_modules (site_id, module_id, current_version_id, project, module_type,
                                      enabled, datestamp, first_seen, last_seen, last_updated)
            SELECT i.site_id, m.id, v.id, s.project, s.module_type, s.enabled, s.datestamp,
                   now(), now(), now()
            FROM scale_stage s
            JOIN scale_site_ids i ON i.site = s.site
            JOIN modules m ON m.machine_name = s.machine_name
            JOIN module_versions v ON v.module_id = m.id AND v.version_string = s.version""").rowcount
    conn.execute("ANALYZE sites, modules, module_versions, site_modules")
    return {"sites": site_ids.height, "site_modules": inserted}


def load_release_data(conn: psycopg.Connection, feeds_base: str) -> dict[str, int]:
    """Fetch and store every wanted feed from the generated folder, as the release_data asset does."""
    wanted = wanted_feeds(conn)
    stored = store_feeds(conn, ReleaseFeedResource(base_url=feeds_base, concurrency=16).fetch(wanted))
    conn.execute("ANALYZE projects, releases")
    return {"feeds": stored.fetched, "failed": len(stored.failed), "not_found": len(stored.not_found)}
